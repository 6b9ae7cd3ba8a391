import type { SyncMode } from '../protocol/messages.js';
import type { CursorDef } from '../streams/types.js';
import { cursorFromOrdinal, cursorOrdinal, isCursorValue, isFutureCursor, type CursorValue } from './cursor.js';
import type { Logger } from './input.js';

/**
 * Where one stream is, and the state object that says so. The shapes (documented in the README):
 *  - full refresh, done:                      {}
 *  - full refresh of a child, interrupted:    { "partitions_done": ["<parent key>", …] }
 *  - incremental:                             { "<cursor field>": <max value emitted> }
 *  - incremental child:                       { "partitions": { "<parent key>": <max value> } }
 * A state vouches for exactly the records counted before it; `recordCount` is that count.
 */
export interface StreamShape {
  name: string;
  cursor?: CursorDef;
  hasParent: boolean;
}

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
  /** Highest cursor seen this sync per partition, not yet vouched for by a state. */
  private readonly seen = new Map<string, { value: CursorValue; ordinal: number }>();
  /** Lowest cursor of a record that may still change, per partition (see CursorDef.openWhile). */
  private readonly oldestOpen = new Map<string, number>();
  /** Partitions read this sync: saved cursors of parents that no longer exist are dropped at the end. */
  private readonly visited = new Set<string>();
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
    this.incremental = mode === 'incremental' && shape.cursor !== undefined;
    this.startOrdinal = this.incremental && shape.cursor?.kind === 'datetime' && startDate ? Date.parse(startDate) : undefined;
    if (input && Object.keys(input).length > 0 && !this.load(input)) {
      log('WARN', `The saved state of stream '${shape.name}' does not have the shape this version writes; the stream is read from the start.`);
      this.done.clear();
      this.saved.clear();
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

  private load(input: Record<string, unknown>): boolean {
    const { cursor, hasParent } = this.shape;
    if (Array.isArray(input.partitions_done)) {
      if (this.incremental) return true; // a full-refresh marker means nothing to an incremental read
      for (const key of input.partitions_done) if (typeof key === 'string') this.done.add(key);
      return hasParent;
    }
    if (!cursor) return false;
    if (hasParent && input.partitions && typeof input.partitions === 'object') {
      if (!this.incremental) return true;
      for (const [key, value] of Object.entries(input.partitions as Record<string, unknown>)) {
        if (isCursorValue(cursor.kind, value) && this.noteFuture(cursor.kind, value)) this.saved.set(key, value);
      }
      return true;
    }
    const value = input[cursor.field];
    if (!hasParent && isCursorValue(cursor.kind, value)) {
      if (this.incremental && this.noteFuture(cursor.kind, value)) this.saved.set(NO_PARTITION, value);
      return true;
    }
    return false;
  }

  /** Where an incremental read of this partition may begin: its saved cursor, as a string. */
  resumeFrom(partition = NO_PARTITION): string | undefined {
    const saved = this.incremental ? this.saved.get(partition) : undefined;
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
        const saved = this.saved.get(partition);
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

  /** A parent is finished: the checkpoint that records it. */
  /**
   * A parent is finished: the checkpoint that records it, or undefined when it is not worth a state
   * message yet. A state lists every parent, so with many parents a state per parent would make the
   * output grow with the square of their number: past SMALL_STATE_ENTRIES entries, a checkpoint is
   * emitted at most every LARGE_STATE_INTERVAL_MS (its records are counted by the next one).
   */
  completePartition(partition: string, now = Date.now()): Checkpoint | undefined {
    if (this.incremental) this.promote(partition);
    else this.done.add(partition);
    const entries = this.incremental ? this.saved.size : this.done.size;
    if (entries > SMALL_STATE_ENTRIES && now - this.lastTaken < LARGE_STATE_INTERVAL_MS) return undefined;
    this.lastTaken = now;
    return this.take(this.incremental ? this.incrementalState() : { partitions_done: [...this.done] });
  }

  /** The stream is finished: its final checkpoint (full refresh markers are cleared). */
  complete(): Checkpoint {
    if (!this.incremental) return this.take({});
    if (this.shape.hasParent) {
      for (const partition of this.saved.keys()) if (!this.visited.has(partition)) this.saved.delete(partition);
    } else {
      this.promote(NO_PARTITION);
    }
    return this.take(this.incrementalState());
  }

  private promote(partition: string): void {
    this.visited.add(partition);
    const best = this.seen.get(partition);
    this.seen.delete(partition);
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
    if (this.shape.hasParent) return { partitions: Object.fromEntries(this.saved) };
    const value = this.saved.get(NO_PARTITION);
    return value === undefined ? {} : { [cursor.field]: value };
  }

  private take(state: Record<string, unknown>): Checkpoint {
    const recordCount = this.pending;
    this.pending = 0;
    return { state, recordCount };
  }
}
