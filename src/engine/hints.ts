/**
 * ParentLink.hint applied: which parents a child stream need not be requested for, because data the
 * connector already has (or reads once) proves they have no child records. Generic over the rows.
 */
import type { Record_ } from '../records/shape.js';
import type { FanoutHint, NamedBy, StreamDef } from '../streams/types.js';

/** A field of a record; a dotted name reaches into nested objects (`team.uuid`). */
export function valueAt(record: unknown, field: string): unknown {
  let node: unknown = record;
  for (const part of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record_)[part];
  }
  return node;
}

/** Every scalar in a value, arrays (of arrays) flattened, as strings for comparison. */
function scalars(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) scalars(item, out);
  else if (value !== undefined && value !== null) out.push(String(value));
  return out;
}

/** The parent fields a hint reads, which the parent's projection must keep. */
export function hintParentFields(hint: FanoutHint | undefined): string[] {
  if (!hint) return [];
  return 'nonEmpty' in hint ? [hint.nonEmpty] : hint.namedBy.match.map((m) => m.parentField);
}

/** The fields of a source stream's records a `namedBy` hint reads (empty: the whole item). */
export function hintListedFields(hint: FanoutHint | undefined, source: string): string[] {
  if (!hint || !('namedBy' in hint)) return [];
  if (hint.namedBy.source.stream !== source) return [];
  return hint.namedBy.match.flatMap((m) => (m.listed ? [m.listed] : []));
}

export interface HintOutcome {
  parents: Record_[];
  /** Why nothing was skipped, when the evidence could not be trusted or read. */
  unused?: string;
}

/** `nonEmpty`: parents whose array field is non-empty, if the field can be trusted at all. */
export function byNonEmpty(field: string, parents: readonly Record_[]): HintOutcome {
  const lists = parents.map((p) => valueAt(p, field));
  if (!lists.every(Array.isArray)) return { parents: [...parents], unused: `some parents have no '${field}' list` };
  if (!lists.some((l) => (l as unknown[]).length > 0)) {
    // Either nothing has any, or the token cannot see the field: the two look the same.
    return { parents: [...parents], unused: `no parent has a non-empty '${field}', which may mean the token cannot see it` };
  }
  return { parents: parents.filter((_, i) => (lists[i] as unknown[]).length > 0) };
}

/** `namedBy`: parents some listed item names. */
export function byNamedBy(namedBy: NamedBy, parents: readonly Record_[], listed: readonly unknown[]): HintOutcome {
  const named = namedBy.match.map(() => new Set<string>());
  namedBy.match.forEach((m, i) => {
    for (const item of listed) for (const v of scalars(m.listed ? valueAt(item, m.listed) : item)) named[i].add(v);
  });
  return {
    parents: parents.filter((p) => namedBy.match.some((m, i) => scalars(valueAt(p, m.parentField)).some((v) => named[i].has(v)))),
  };
}

/** A short name for the evidence of a row's hint, for log lines. */
export function hintLabel(def: StreamDef): string {
  const hint = def.parent?.hint;
  if (!hint) return '';
  if ('nonEmpty' in hint) return `'${hint.nonEmpty}'`;
  return `the '${hint.namedBy.source.stream}' list`;
}
