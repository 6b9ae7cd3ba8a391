/**
 * The audit of a derived row (Freshness kind `derived`): the records derived for a parent against
 * those its own list returns, compared by primary key and field. Generic over the rows.
 */
import { LISTED_AT_FIELD } from '../streams/freshness.js';
import type { StreamDef } from '../streams/types.js';
import type { Record_ } from '../records/shape.js';

/** JSON with object keys sorted: two sources may order a record's fields differently. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record_).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface AuditDifference {
  /** Fields whose values differ on a record both sides have. */
  fields: string[];
  /** Records (by primary key) only the derivation has, and only the API's list has. */
  onlyDerived: number;
  onlyListed: number;
}

/** The difference between derived and listed records of one parent; undefined when they are equal. */
export function auditDifference(def: Pick<StreamDef, 'primaryKey'>, derived: readonly Record_[], listed: readonly Record_[]): AuditDifference | undefined {
  const keyOf = (record: Record_): string => canonical(def.primaryKey.map((field) => record[field]));
  const byKey = new Map(listed.map((record) => [keyOf(record), record]));
  const fields = new Set<string>();
  let onlyDerived = 0;
  for (const record of derived) {
    const key = keyOf(record);
    const other = byKey.get(key);
    if (!other) {
      onlyDerived++;
      continue;
    }
    byKey.delete(key);
    for (const field of new Set([...Object.keys(record), ...Object.keys(other)])) {
      if (field !== LISTED_AT_FIELD && canonical(record[field]) !== canonical(other[field])) fields.add(field);
    }
  }
  const onlyListed = byKey.size;
  return fields.size === 0 && onlyDerived === 0 && onlyListed === 0 ? undefined : { fields: [...fields].sort(), onlyDerived, onlyListed };
}

/** One sentence for the WARN of an audit that found a difference. */
export function describeDifference(difference: AuditDifference): string {
  const parts: string[] = [];
  if (difference.fields.length > 0) parts.push(`fields ${difference.fields.map((f) => `'${f}'`).join(', ')} differ`);
  if (difference.onlyDerived > 0) parts.push(`${difference.onlyDerived} derived record(s) are not in the list`);
  if (difference.onlyListed > 0) parts.push(`${difference.onlyListed} listed record(s) were not derived`);
  return parts.join('; ');
}
