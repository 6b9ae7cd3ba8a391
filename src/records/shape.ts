import { recordsPath, type StreamDef } from '../streams/types.js';
import { CredentialDetector, type RemovalReason } from './credentials.js';
import { compileStripper, type Stripper } from './strip.js';

export type Record_ = Record<string, unknown>;

/** Values copied from a parent record into each of its children (and into the child's path). */
export type PartitionKeys = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Record_ {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A map key written as a plain decimal integer becomes that number; anything else ("007", "1e3",
 * "0x1F", " 5", an id too large to be exact) stays the string the API sent, so no key is altered.
 */
function integerKey(key: string): string | number {
  if (!/^-?(0|[1-9][0-9]*)$/.test(key)) return key;
  const value = Number(key);
  return Number.isSafeInteger(value) ? value : key;
}

/**
 * The records of one response body, per the row's shape. A body without the expected key is an API
 * change we must not mistake for "no records", so it throws. List items that are not objects cannot be
 * records: they are left out and counted through `dropped`, for the caller to report.
 */
export function extractRecords(def: StreamDef, body: Record_, dropped?: (count: number) => void): Record_[] {
  let container: unknown = body;
  for (const key of recordsPath(def)) container = isObject(container) ? container[key] : undefined;
  switch (def.shape) {
    case 'list': {
      if (container === null && def.nullListIsEmpty) return [];
      if (container === undefined || container === null) {
        throw new Error(`the response of ${def.path} has no '${def.recordsKey}' list`);
      }
      if (!Array.isArray(container)) throw new Error(`'${def.recordsKey}' in ${def.path} is not a list`);
      const field = def.itemField;
      if (field !== undefined) return container.map((item: unknown) => (isObject(item) ? item : { [field]: item }));
      const records = container.filter(isObject);
      if (records.length < container.length) dropped?.(container.length - records.length);
      return records;
    }
    case 'object':
      if (container === undefined && def.bareRecordFields?.some((field) => field in body)) return [body];
      if (!isObject(container)) throw new Error(`the response of ${def.path} has no '${def.recordsKey}' object`);
      return [container];
    case 'map': {
      if (container === undefined || container === null) return [];
      if (!isObject(container)) throw new Error(`'${def.recordsKey}' in ${def.path} is not an object`);
      const keyField = def.mapKeyField ?? 'key';
      return Object.entries(container).map(([key, value]) => {
        const record = isObject(value) ? value : { value };
        // The entry's own field, when the API sends one, is the truth; the key only fills a gap.
        if (record[keyField] === undefined || record[keyField] === null) record[keyField] = integerKey(key);
        return record;
      });
    }
  }
}

/** Paths named in one LOG line at most; the rest are counted. */
const MAX_LOGGED_PATHS = 25;

/**
 * Shapes one stream's records: strips the row's secrets, runs the credential detector behind them,
 * then writes the parent keys as top-level fields. Compiled once per stream; per record it mutates the
 * parsed object in place rather than copying, and counts what it removed by path (never values).
 */
export class RecordShaper {
  private readonly strip: Stripper;
  private readonly detector: CredentialDetector;
  /** `path\treason` → how many values were removed there. */
  private readonly removed = new Map<string, number>();
  private readonly onStrip = (path: string): void => this.count(path, 'strip list');
  private readonly onDetect = (path: string, reason: RemovalReason): void => this.count(path, reason);

  constructor(readonly def: StreamDef) {
    this.strip = compileStripper(def.strip);
    this.detector = new CredentialDetector(def.name);
  }

  private count(path: string, reason: RemovalReason): void {
    const key = `${path}\t${reason}`;
    this.removed.set(key, (this.removed.get(key) ?? 0) + 1);
  }

  shape(record: Record_, keys: PartitionKeys | undefined): Record_ {
    this.strip(record, this.onStrip);
    this.detector.scrub(record, this.onDetect);
    if (keys) for (const field in keys) record[field] = keys[field];
    return record;
  }

  /** What was removed so far, by path and reason, most frequent first. */
  removals(): { path: string; reason: RemovalReason; count: number }[] {
    return [...this.removed]
      .map(([key, count]) => {
        const tab = key.lastIndexOf('\t');
        return { path: key.slice(0, tab), reason: key.slice(tab + 1) as RemovalReason, count };
      })
      .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
  }

  /** The one LOG line for the stream's removals (field paths and counts, never values), or undefined. */
  summary(): string | undefined {
    const all = this.removals();
    if (all.length === 0) return undefined;
    const total = all.reduce((n, r) => n + r.count, 0);
    const shown = all.slice(0, MAX_LOGGED_PATHS).map((r) => `${r.path} x${r.count} (${r.reason})`);
    const more = all.length > MAX_LOGGED_PATHS ? `; and ${all.length - MAX_LOGGED_PATHS} more paths` : '';
    return `Stream '${this.def.name}': removed ${total} secret value(s) before output (values are never logged): ${shown.join('; ')}${more}.`;
  }
}
