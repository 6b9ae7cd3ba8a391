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

/**
 * The earliest day a date window may start: DigitalOcean launched in 2011, so no account has data from
 * before it. A start before it (a start_date of 0001-01-01, a corrupt cursor) is clamped to it, which
 * bounds the windows of a stream to a few hundred whatever the input.
 */
export const DATE_WINDOW_FLOOR = '2011-01-01';

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The date windows of a stream whose path takes a bounded range, from `from` (an instant or a day) to
 * today, each at most `maxDays` long, as path parameters. Whole UTC days, both ends inclusive.
 * Generated one at a time, as they are read. A `from` before DATE_WINDOW_FLOOR starts from the floor,
 * with a warning. A `from` after tomorrow (a far-future saved cursor) yields no window, with a warning:
 * the cursor is honoured (Airbyte's acceptance tests require a far-future state to give no record), so
 * every record a window could return would be filtered out, and its requests would be spent for nothing.
 */
export function* dateWindows(def: StreamDef, from: string | undefined, now: number, warn?: (message: string) => void): Generator<Record<string, string>> {
  const spec = def.dateWindows;
  if (!spec) {
    yield {};
    return;
  }
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const floor = Date.parse(DATE_WINDOW_FLOOR);
  const parsed = from === undefined ? NaN : Date.parse(from);
  let start = Number.isFinite(parsed) ? Math.floor(parsed / DAY_MS) * DAY_MS : today - spec.lookbackDays * DAY_MS;
  const shown = (from ?? '').slice(0, 40);
  if (start < floor) {
    warn?.(`Stream '${def.name}' would start at ${shown}, before ${DATE_WINDOW_FLOOR}, the earliest date any DigitalOcean account has data for; it starts from ${DATE_WINDOW_FLOOR}.`);
    start = floor;
  } else if (start > today + DAY_MS) {
    warn?.(`Stream '${def.name}' would start at ${shown}, after tomorrow: no record can be newer, so no date window is requested. Reset the stream's state to read it again from ${DATE_WINDOW_FLOOR} or start_date.`);
    return;
  }
  if (start > today) start = today;
  for (; start <= today; start += spec.maxDays * DAY_MS) {
    const end = Math.min(today, start + (spec.maxDays - 1) * DAY_MS);
    yield { [spec.start]: isoDay(start), [spec.end]: isoDay(end) };
  }
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

/** The request series of one partition: one per date window and query variant, in order, generated as read. */
export function* requestSeries(
  def: StreamDef,
  keys: PartitionKeys | undefined,
  windowStart: string | undefined,
  now: number,
  warn?: (message: string) => void,
): Generator<RequestSeries> {
  const keyQuery = partitionQuery(def, keys);
  for (const window of dateWindows(def, windowStart, now, warn)) {
    for (const variant of def.variants ?? [{}]) {
      yield { path: partitionPath(def, { ...keys, ...window }), query: { ...def.query, ...variant, ...keyQuery } };
    }
  }
}
