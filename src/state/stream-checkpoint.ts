import type { SyncMode } from '../protocol/messages.js';
import type { CursorDef } from '../streams/types.js';
import { cursorFromOrdinal, cursorOrdinal, isCursorValue, isFutureCursor, type CursorValue } from './cursor.js';
import type { Logger } from './input.js';
import { DIGESTS_KEY, ParentDigests } from './parent-digests.js';

/**
 * Where one stream is, and the state object that says so. The shapes (documented in the README):
 *  - full refresh, done:                      {}
 *  - full refresh of a child, interrupted:    { "partitions_done": ["<parent key>", …] }
 *  - incremental:                             { "<cursor field>": <max value emitted> }
 *  - incremental child: the per-partition format of Airbyte's Python CDK, as ConcurrentPerPartitionCursor
 *    writes it (airbytehq/airbyte-python-cdk, airbyte_cdk/sources/declarative/incremental/
 *    concurrent_partition_cursor.py, `state` and `_set_initial_state`):
 *      { "use_global_cursor": false,
 *        "states": [ { "partition": { "<key field>": <parent value> }, "cursor": { "<cursor field>": <max> } }, … ],
 *        "state": { "<cursor field>": <max over every partition> } }
 *    Read back, the CDK's other forms are accepted too: a global state alone ({"state": {…}}, or a bare
 *    {"<cursor field>": …}) applies to every parent, as in the CDK. This version's older form,
 *    { "partitions": { "<parent key>": <max> } }, is migrated.
 *    One deliberate difference: when `states` is present, a parent missing from it is read from the start
 *    (start_date), not from the global value as the CDK does (its docstring admits that loses the history
 *    of new parents); so the global value is a summary here, and a new parent never loses old records.
 * A state vouches for exactly the records counted before it; `recordCount` is that count.
 */
export interface StreamShape {
  name: string;
  cursor?: CursorDef;
  hasParent: boolean;
  /**
   * The fields that identify a parent (the child's injected keys, in the table's order): a partition's
   * key is the value of its only field, or a JSON list of the values when there are several.
   */
  partitionFields?: readonly string[];
}

/** A parent as the state names it: its key fields and their values. */
export type PartitionDict = Record<string, unknown>;

export interface Checkpoint {
  state: Record<string, unknown>;
  recordCount: number;
}

const NO_PARTITION = '';
const SMALL_STATE_ENTRIES = 100;
const LARGE_STATE_INTERVAL_MS = 5_000;

export class StreamCheckpoint {
  readonly incremental: boolean;
  private readonly done = new Set<string>();
  /** Saved cursor per partition (NO_PARTITION for streams without a parent), as read from the input. */
  private readonly saved = new Map<string, CursorValue>();
  /** Each partition's key fields, for the `partition` objects of the state. */
  private readonly dicts = new Map<string, PartitionDict>();
  /** The CDK's global cursor: read from the input, raised to the highest saved value when the stream completes. */
  private globalValue: CursorValue | undefined;
  /** A global state without per-partition states: every partition resumes from it (the CDK's reading). */
  private fallback: CursorValue | undefined;
  /** Highest cursor seen this sync per partition, not yet vouched for by a state. */
  private readonly seen = new Map<string, { value: CursorValue; ordinal: number }>();
  /** Lowest cursor of a record that may still change, per partition (see CursorDef.openWhile). */
  private readonly oldestOpen = new Map<string, number>();
  /** Partitions read this sync: saved cursors of parents that no longer exist are dropped at the end. */
  private readonly visited = new Set<string>();
  /** Change-hint digests per parent (incremental children with ParentLink.changeHint). */
  private digests: ParentDigests;
  private readonly startOrdinal: number | undefined;
  private pending = 0;
  private lastTaken = -Infinity;
  /** Saved cursors after tomorrow, and one of them to show. */
  private future: { count: number; example?: string } = { count: 0 };

  constructor(
    private readonly shape: StreamShape,
    mode: SyncMode,
    input: Record<string, unknown> | undefined,
    startDate: string | undefined,
    log: Logger,
  ) {
    this.digests = new ParentDigests(mode === 'incremental' ? input : undefined);
    this.incremental = mode === 'incremental' && shape.cursor !== undefined;
    this.startOrdinal = this.incremental && shape.cursor?.kind === 'datetime' && startDate ? Date.parse(startDate) : undefined;
    if (input && Object.keys(input).length > 0 && !this.load(input)) {
      log('WARN', `The saved state of stream '${shape.name}' does not have the shape this version writes; the stream is read from the start.`);
      this.done.clear();
      this.saved.clear();
      this.dicts.clear();
      this.digests = new ParentDigests(undefined);
      this.globalValue = undefined;
      this.fallback = undefined;
    }
    if (this.future.count > 0) {
      log('WARN', `The saved state of stream '${shape.name}' holds ${this.future.count} cursor(s) after tomorrow (such as ${this.future.example}), which no record read so far can have: no record up to it is emitted until the state is reset.`);
    }
  }

  /**
   * Notes a saved cursor after tomorrow, to say so. It is still honoured, as the Airbyte acceptance
   * tests' abnormal (far-future) state requires: a state is the platform's to reset, not ours to drop.
   */
  private noteFuture(kind: CursorDef['kind'], value: CursorValue): true {
    if (isFutureCursor(kind, value, Date.now())) {
      this.future.count++;
      this.future.example ??= String(value).slice(0, 40);
    }
    return true;
  }

  private get fields(): readonly string[] {
    return this.shape.partitionFields ?? [];
  }

  /** The key of a partition named by its fields, as the engine names it; undefined when a field is missing. */
  private keyOf(partition: unknown): string | undefined {
    if (!partition || typeof partition !== 'object' || Array.isArray(partition)) return undefined;
    const dict = partition as PartitionDict;
    if (this.fields.length === 0) return undefined;
    const values = this.fields.map((field) => dict[field]);
    if (values.some((value) => value === undefined || value === null || value === '')) return undefined;
    return values.length === 1 ? String(values[0]) : JSON.stringify(values);
  }

  /** The key fields of a partition known only by its key (the older state form). */
  private dictOf(key: string): PartitionDict {
    const fields = this.fields;
    if (fields.length <= 1) return { [fields[0] ?? 'parent']: key };
    try {
      const values: unknown = JSON.parse(key);
      if (Array.isArray(values) && values.length === fields.length) return Object.fromEntries(fields.map((f, i) => [f, values[i]]));
    } catch {
      // not a JSON list: kept whole under the first field
    }
    return { [fields[0]]: key };
  }

  /** The child format: per-partition `states`, a global `state`, or this version's older `partitions`. */
  private loadChild(input: Record<string, unknown>, cursor: CursorDef): boolean {
    const global = input.state;
    const hasStates = Array.isArray(input.states);
    const hasGlobal = global !== null && typeof global === 'object' && !Array.isArray(global);
    if (hasStates || hasGlobal) {
      if (!this.incremental) return true;
      const globalValue = hasGlobal ? (global as Record<string, unknown>)[cursor.field] : undefined;
      if (isCursorValue(cursor.kind, globalValue) && this.noteFuture(cursor.kind, globalValue)) this.globalValue = globalValue;
      const perPartition = hasStates && input.use_global_cursor !== true;
      for (const entry of perPartition ? (input.states as unknown[]) : []) {
        if (!entry || typeof entry !== 'object') continue;
        const { partition, cursor: saved } = entry as { partition?: unknown; cursor?: unknown };
        const key = this.keyOf(partition);
        const value = saved && typeof saved === 'object' ? (saved as Record<string, unknown>)[cursor.field] : undefined;
        if (key === undefined || !isCursorValue(cursor.kind, value)) continue;
        this.noteFuture(cursor.kind, value);
        this.saved.set(key, value);
        this.dicts.set(key, Object.fromEntries(this.fields.map((f) => [f, (partition as PartitionDict)[f]])));
      }
      if (!perPartition) this.fallback = this.globalValue;
      return true;
    }
    if (input.partitions && typeof input.partitions === 'object') {
      if (!this.incremental) return true;
      for (const [key, value] of Object.entries(input.partitions as Record<string, unknown>)) {
        if (!isCursorValue(cursor.kind, value)) continue;
        this.noteFuture(cursor.kind, value);
        this.saved.set(key, value);
        this.dicts.set(key, this.dictOf(key));
      }
      return true;
    }
    const bare = input[cursor.field];
    if (!isCursorValue(cursor.kind, bare)) return false;
    // A bare cursor is the CDK's global format: it applies to every partition.
    if (this.incremental && this.noteFuture(cursor.kind, bare)) this.globalValue = this.fallback = bare;
    return true;
  }

  private load(input: Record<string, unknown>): boolean {
    const { cursor, hasParent } = this.shape;
    if (Array.isArray(input.partitions_done)) {
      if (this.incremental) return true; // a full-refresh marker means nothing to an incremental read
      for (const key of input.partitions_done) if (typeof key === 'string') this.done.add(key);
      return hasParent;
    }
    if (!cursor) return false;
    if (hasParent) return this.loadChild(input, cursor);
    const value = input[cursor.field];
    if (isCursorValue(cursor.kind, value)) {
      if (this.incremental && this.noteFuture(cursor.kind, value)) this.saved.set(NO_PARTITION, value);
      return true;
    }
    return false;
  }

  /** Where an incremental read of this partition may begin: its saved cursor, as a string. */
  resumeFrom(partition = NO_PARTITION): string | undefined {
    const saved = this.incremental ? this.savedOf(partition) : undefined;
    return saved === undefined ? undefined : String(saved);
  }

  /** Full refresh of a child resumed: this parent was finished before the interruption. */
  isDone(partition: string): boolean {
    return this.done.has(partition);
  }

  /**
   * Whether a record is new enough to emit, tracking the highest cursor. Counts the record: the caller
   * must emit every record this accepts.
   */
  accept(record: Record<string, unknown>, partition = NO_PARTITION): boolean {
    const cursor = this.shape.cursor;
    if (this.incremental && cursor) {
      const value = record[cursor.field];
      const ordinal = cursorOrdinal(cursor.kind, value);
      if (ordinal !== undefined) {
        const saved = this.savedOf(partition);
        if (saved !== undefined && ordinal <= (cursorOrdinal(cursor.kind, saved) as number)) return false;
        if (saved === undefined && this.startOrdinal !== undefined && ordinal < this.startOrdinal) return false;
        const best = this.seen.get(partition);
        if (!best || ordinal > best.ordinal) this.seen.set(partition, { value: value as CursorValue, ordinal });
        const open = cursor.openWhile;
        if (open && open.values.includes(String(record[open.field]))) {
          this.oldestOpen.set(partition, Math.min(ordinal, this.oldestOpen.get(partition) ?? Infinity));
        }
      }
      // A record without a usable cursor is emitted every time rather than lost.
    }
    this.pending++;
    return true;
  }

  /** A partition's saved cursor, or the global one when the input held only that. */
  private savedOf(partition: string): CursorValue | undefined {
    return this.saved.get(partition) ?? (partition === NO_PARTITION ? undefined : this.fallback);
  }

  /**
   * A parent is finished: the checkpoint that records it, or undefined when it is not worth a state
   * message yet. A state lists every parent, so with many parents a state per parent would make the
   * output grow with the square of their number: past SMALL_STATE_ENTRIES entries, a checkpoint is
   * emitted at most every LARGE_STATE_INTERVAL_MS (its records are counted by the next one).
   */
  completePartition(partition: string, keys?: PartitionDict, now = Date.now()): Checkpoint | undefined {
    if (keys) this.dicts.set(partition, { ...keys });
    if (this.incremental) this.promote(partition);
    else this.done.add(partition);
    const entries = this.incremental ? this.saved.size : this.done.size;
    if (entries > SMALL_STATE_ENTRIES && now - this.lastTaken < LARGE_STATE_INTERVAL_MS) return undefined;
    this.lastTaken = now;
    return this.take(this.incremental ? this.incrementalState() : { partitions_done: [...this.done] });
  }

  /**
   * An incremental child: whether this parent's change hint is unchanged since the last sync, in which
   * case it has no new record and is not requested. Its saved cursor is kept as it is.
   */
  unchangedParent(partition: string, digest: string): boolean {
    if (!this.incremental || !this.digests.unchanged(partition, digest)) return false;
    this.visited.add(partition);
    this.digests.settle(partition, digest);
    return true;
  }

  /** An incremental child's parent left unread on purpose (a plan): its saved cursor is kept. */
  keepPartition(partition: string): void {
    if (this.incremental) this.visited.add(partition);
  }

  /** An incremental child's parent was read with this change hint (call before completePartition). */
  noteDigest(partition: string, digest: string): void {
    if (this.incremental) this.digests.settle(partition, digest);
  }

  /** The stream is finished: its final checkpoint (full refresh markers are cleared). */
  complete(): Checkpoint {
    if (!this.incremental) return this.take({});
    if (this.shape.hasParent) {
      for (const partition of this.saved.keys()) if (!this.visited.has(partition)) this.saved.delete(partition);
      const kind = (this.shape.cursor as CursorDef).kind;
      for (const value of this.saved.values()) {
        const current = this.globalValue === undefined ? -Infinity : (cursorOrdinal(kind, this.globalValue) as number);
        if ((cursorOrdinal(kind, value) as number) > current) this.globalValue = value;
      }
    } else {
      this.promote(NO_PARTITION);
    }
    return this.take(this.incrementalState());
  }

  private promote(partition: string): void {
    this.visited.add(partition);
    const best = this.seen.get(partition);
    this.seen.delete(partition);
    // A partition resumed from a global state keeps that position in the per-partition states.
    if (partition !== NO_PARTITION && !this.saved.has(partition) && this.fallback !== undefined) this.saved.set(partition, this.fallback);
    if (!best) return;
    const kind = (this.shape.cursor as CursorDef).kind;
    const open = this.oldestOpen.get(partition);
    this.oldestOpen.delete(partition);
    if (open === undefined) {
      this.saved.set(partition, best.value);
      return;
    }
    // Stay just below the oldest record that may still change, but never move backwards.
    const below = open - 1;
    const saved = this.saved.get(partition);
    const savedOrdinal = saved === undefined ? -Infinity : (cursorOrdinal(kind, saved) as number);
    if (below > savedOrdinal) this.saved.set(partition, cursorFromOrdinal(kind, below));
  }

  private incrementalState(): Record<string, unknown> {
    const cursor = this.shape.cursor as CursorDef;
    if (this.shape.hasParent) {
      const states = [...this.saved].map(([key, value]) => ({ partition: this.dicts.get(key) ?? this.dictOf(key), cursor: { [cursor.field]: value } }));
      const state: Record<string, unknown> = { use_global_cursor: false, states };
      if (this.globalValue !== undefined) state.state = { [cursor.field]: this.globalValue };
      const digests = this.digests.toState();
      if (digests) state[DIGESTS_KEY] = digests;
      return state;
    }
    const value = this.saved.get(NO_PARTITION);
    return value === undefined ? {} : { [cursor.field]: value };
  }

  private take(state: Record<string, unknown>): Checkpoint {
    const recordCount = this.pending;
    this.pending = 0;
    return { state, recordCount };
  }
}
