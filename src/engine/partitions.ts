import type { PartitionKeys } from '../records/shape.js';
import type { StreamDef } from '../streams/types.js';

/** The path of one partition: each `{field}` placeholder filled with the parent's value, URL-encoded. */
export function partitionPath(def: StreamDef, keys: PartitionKeys | undefined): string {
  return def.path.replace(/\{([a-z_]+)\}/g, (_, field: string) => {
    const value = keys?.[field];
    if (value === undefined || value === null || value === '') {
      throw new Error(`internal: no value for {${field}} in ${def.path}`);
    }
    // A colon is a legal path character (RFC 3986 pchar) and DigitalOcean's URNs are full of them.
    return encodeURIComponent(String(value)).replace(/%3A/gi, ':');
  });
}

/** A stable, readable identifier of a partition for state: the key itself, or a JSON list of keys. */
export function partitionId(keys: PartitionKeys | undefined): string {
  if (!keys) return '';
  const values = Object.values(keys);
  return values.length === 1 ? String(values[0]) : JSON.stringify(values);
}

/**
 * The partitions of a child stream from its parent's (projected) records, and how many parents had to be
 * left out because a key field was empty (the caller reports those: nothing goes missing silently).
 */
export function childPartitions(def: StreamDef, parents: readonly Record<string, unknown>[]): { partitions: PartitionKeys[]; keyless: number } {
  const link = def.parent;
  if (!link) return { partitions: [], keyless: 0 };
  const partitions: PartitionKeys[] = [];
  // Two parents giving the same keys would ask for the same records twice (a region listed twice).
  const seen = new Set<string>();
  let keyless = 0;
  for (const parent of parents) {
    if (link.filter && !link.filter.values.includes(String(parent[link.filter.field]))) continue;
    const keys: Record<string, unknown> = {};
    let complete = true;
    for (const [field, parentField] of Object.entries(link.keys)) {
      const value = parent[parentField];
      if (value === undefined || value === null || value === '') complete = false;
      const format = link.format?.[field];
      keys[field] = format === undefined ? value : format.replace('{}', String(value));
    }
    if (!complete) keyless++;
    else if (!seen.has(JSON.stringify(keys))) {
      seen.add(JSON.stringify(keys));
      partitions.push(keys);
    }
  }
  return { partitions, keyless };
}

const DAY_MS = 86_400_000;

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The date windows of a stream whose path takes a bounded range, from `from` (an instant or a day) to
 * today, each at most `maxDays` long, as path parameters. Whole UTC days, both ends inclusive.
 */
export function dateWindows(def: StreamDef, from: string | undefined, now: number): Record<string, string>[] {
  const spec = def.dateWindows;
  if (!spec) return [{}];
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const parsed = from === undefined ? NaN : Date.parse(from);
  let start = Number.isFinite(parsed) ? Math.floor(parsed / DAY_MS) * DAY_MS : today - spec.lookbackDays * DAY_MS;
  if (start > today) start = today;
  const windows: Record<string, string>[] = [];
  for (; start <= today; start += spec.maxDays * DAY_MS) {
    const end = Math.min(today, start + (spec.maxDays - 1) * DAY_MS);
    windows.push({ [spec.start]: isoDay(start), [spec.end]: isoDay(end) });
  }
  return windows;
}

/** One list request series: a path and the query of its first page. */
export interface RequestSeries {
  path: string;
  query: Readonly<Record<string, string>>;
}

/** The parent keys a row sends as query parameters (ParentLink.queryKeys), with this partition's values. */
export function partitionQuery(def: StreamDef, keys: PartitionKeys | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  for (const field of Object.keys(def.parent?.queryKeys ?? {})) {
    const value = keys?.[field];
    if (value === undefined || value === null || value === '') throw new Error(`internal: no value for query parameter ${field} of ${def.path}`);
    query[field] = String(value);
  }
  return query;
}

/** The request series of one partition: one per date window and query variant, in order. */
export function requestSeries(def: StreamDef, keys: PartitionKeys | undefined, windowStart: string | undefined, now: number): RequestSeries[] {
  const keyQuery = partitionQuery(def, keys);
  return dateWindows(def, windowStart, now).flatMap((window) =>
    (def.variants ?? [{}]).map((variant) => ({ path: partitionPath(def, { ...keys, ...window }), query: { ...def.query, ...variant, ...keyQuery } })),
  );
}
