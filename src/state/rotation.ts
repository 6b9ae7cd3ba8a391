/**
 * The state of an incremental child stream read on a plan (StreamDef.freshness, src/engine/plan.ts):
 * per parent, one short slot saying when its list was last read and, where the row names change
 * fields, a digest of them:
 *   "parent_reads": { "<parent key>": "<hour, base 36>[.<digest>]" }
 * and nothing per child record. Hours count the connector's clock in (possibly compressed) hours, the
 * same clock as the rate limiter. A row without a cursor of its own adds the CDK's global cursor,
 * { "state": { "_parent_listed_at": "<latest listing time>" } }; a row with one keeps its per-partition
 * cursors (StreamCheckpoint) beside the slots.
 */
import { createHash } from 'node:crypto';
import type { SyncMode } from '../protocol/messages.js';
import type { CursorDef } from '../streams/types.js';
import type { Logger } from './input.js';
import { StreamCheckpoint, type Checkpoint, type PartitionDict } from './stream-checkpoint.js';

export const SLOTS_KEY = 'parent_reads';
/** A derived row whose last audit found a difference: read by request until an audit is clean. */
export const FALLBACK_KEY = 'derived_fallback';

/** Ten base64url characters (60 bits) of a value's SHA-256: a changed list, not a secret, is what it tells. */
export function shortDigest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value ?? null)).digest('base64url').slice(0, 10);
}

/**
 * A parent's place in a rotation of `hours`: a hash of its key, uniform over [0, hours), so that parents
 * first read together (a first sync) come due at different hours and never all at once again.
 */
export function slotOf(key: string, hours: number): number {
  if (hours <= 1) return 0;
  return createHash('sha256').update(key).digest().readUInt32BE(0) % hours;
}

/**
 * The first hour after `lastRead` at which a parent is due again: its slot's next turn, so never more
 * than `hours` after the read (the bound) and, across parents, spread evenly.
 */
export function dueHour(key: string, lastRead: number, hours: number): number {
  const period = Math.max(1, Math.floor(hours));
  const slot = slotOf(key, period);
  const offset = (((slot - lastRead) % period) + period) % period;
  return lastRead + (offset === 0 ? period : offset);
}

interface Slot {
  hour: number;
  digest?: string;
}

function parseSlot(text: unknown): Slot | undefined {
  const match = typeof text === 'string' ? /^([0-9a-z]{1,11})(?:\.([\w-]{1,32}))?$/.exec(text) : null;
  if (!match) return undefined;
  const [, hour36, digest] = match;
  const hour = parseInt(hour36, 36);
  if (!Number.isSafeInteger(hour) || hour < 0) return undefined;
  return digest ? { hour, digest } : { hour };
}

const formatSlot = (slot: Slot): string => (slot.digest ? `${slot.hour.toString(36)}.${slot.digest}` : slot.hour.toString(36));

/** Slots of a stream's parents: those of the input state, and those settled this sync. */
export class ParentSlots {
  private readonly saved = new Map<string, Slot>();
  private readonly current = new Map<string, Slot>();

  constructor(input: Record<string, unknown> | undefined) {
    const raw = input?.[SLOTS_KEY];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return;
    for (const [key, text] of Object.entries(raw as Record<string, unknown>)) {
      const slot = parseSlot(text);
      if (slot) this.saved.set(key, slot);
    }
  }

  get size(): number {
    return this.saved.size;
  }

  /** When the parent's list was last read (an hour), undefined for a parent never read. */
  lastRead(key: string): number | undefined {
    return this.saved.get(key)?.hour;
  }

  savedDigest(key: string): string | undefined {
    return this.saved.get(key)?.digest;
  }

  /** The parent was read this sync, at `hour`, with this digest of its change fields. */
  read(key: string, hour: number, digest: string | undefined): void {
    this.current.set(key, digest === undefined ? { hour } : { hour, digest });
  }

  /** The parent still exists but was not read: it keeps its slot (and stays due if it was). */
  keep(key: string): void {
    const slot = this.saved.get(key);
    if (slot && !this.current.has(key)) this.current.set(key, slot);
  }

  /** Forgets every slot: each parent is read as new next sync (a derived row's audit found a difference). */
  clear(): void {
    this.saved.clear();
    this.current.clear();
  }

  /**
   * The map to write. Final: parents read or kept this sync, so parents gone since are dropped. Before
   * that, the saved slots of parents not reached yet stay, so that an interrupted sync loses none.
   */
  toState(final: boolean): Record<string, string> {
    const out: Record<string, string> = {};
    if (!final) for (const [key, slot] of this.saved) out[key] = formatSlot(slot);
    for (const [key, slot] of this.current) out[key] = formatSlot(slot);
    return out;
  }
}

export interface PlannedShape {
  name: string;
  /** The row's own cursor; absent: the injected listing time is the cursor. */
  cursor?: CursorDef;
  listedAtField: string;
  partitionFields: readonly string[];
}

const SMALL_STATE_ENTRIES = 100;
const LARGE_STATE_INTERVAL_MS = 5_000;

/** Where a planned incremental child stream is: its slots, and its per-partition cursors if it has a cursor. */
export class PlannedCheckpoint {
  readonly slots: ParentSlots;
  private readonly inner?: StreamCheckpoint;
  private pending = 0;
  private lastTaken = -Infinity;
  private listedAt: string | undefined;
  /** See FALLBACK_KEY. */
  derivedFallback: boolean;

  constructor(private readonly shape: PlannedShape, input: Record<string, unknown> | undefined, startDate: string | undefined, log: Logger) {
    this.slots = new ParentSlots(input);
    this.derivedFallback = input?.[FALLBACK_KEY] === true;
    if (shape.cursor) {
      const mode: SyncMode = 'incremental';
      this.inner = new StreamCheckpoint({ name: shape.name, cursor: shape.cursor, hasParent: true, partitionFields: shape.partitionFields }, mode, input, startDate, log);
      return;
    }
    const global = input?.state;
    const saved = global && typeof global === 'object' ? (global as Record<string, unknown>)[shape.listedAtField] : undefined;
    if (typeof saved === 'string' && Number.isFinite(Date.parse(saved))) this.listedAt = saved;
    if (input && Object.keys(input).length > 0 && this.slots.size === 0 && input.partitions_done === undefined) {
      log('INFO', `The saved state of stream '${shape.name}' holds no parent read times (${SLOTS_KEY}); every parent is read as new.`);
    }
  }

  /** Counts a record to emit; false when its own cursor says it was emitted before. */
  accept(record: Record<string, unknown>, partition: string): boolean {
    if (this.inner) return this.inner.accept(record, partition);
    this.pending++;
    return true;
  }

  /** A parent's list was read (every page handed on): the checkpoint to emit, if one is due. */
  partitionRead(partition: string, keys: PartitionDict | undefined, hour: number, digest: string | undefined, listedAt: string, now = Date.now()): Checkpoint | undefined {
    this.slots.read(partition, hour, digest);
    if (this.listedAt === undefined || listedAt > this.listedAt) this.listedAt = listedAt;
    if (this.inner) {
      const done = this.inner.completePartition(partition, keys, now);
      return done ? this.withSlots(done, false) : undefined;
    }
    if (this.slots.size > SMALL_STATE_ENTRIES && now - this.lastTaken < LARGE_STATE_INTERVAL_MS) return undefined;
    this.lastTaken = now;
    return this.take(false);
  }

  /** A parent not read this sync keeps its slot and, for a row with a cursor, its saved cursor. */
  keep(partition: string): void {
    this.slots.keep(partition);
    this.inner?.keepPartition(partition);
  }

  complete(): Checkpoint {
    return this.inner ? this.withSlots(this.inner.complete(), true) : this.take(true);
  }

  private withSlots(checkpoint: Checkpoint, final: boolean): Checkpoint {
    const state: Record<string, unknown> = { ...checkpoint.state, [SLOTS_KEY]: this.slots.toState(final) };
    if (this.derivedFallback) state[FALLBACK_KEY] = true;
    return { state, recordCount: checkpoint.recordCount };
  }

  private take(final: boolean): Checkpoint {
    const state: Record<string, unknown> = { [SLOTS_KEY]: this.slots.toState(final) };
    if (this.listedAt !== undefined) state.state = { [this.shape.listedAtField]: this.listedAt };
    if (this.derivedFallback) state[FALLBACK_KEY] = true;
    const recordCount = this.pending;
    this.pending = 0;
    return { state, recordCount };
  }
}
