/**
 * Change hints of an incremental child stream's parents (ParentLink.changeHint): a digest of the
 * parent's hint field per partition, kept in the stream's state next to the cursors as
 *   "parent_digests": { "<parent key>": "<digest>" }
 * so that the next incremental sync requests only parents whose hint changed, and new ones.
 */
import { createHash } from 'node:crypto';

export const DIGESTS_KEY = 'parent_digests';

/** A short, stable digest of a hint value (order-sensitive JSON: the API lists ids in a stable order). */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value ?? null)).digest('base64url').slice(0, 16);
}

export class ParentDigests {
  private readonly saved = new Map<string, string>();
  private readonly current = new Map<string, string>();

  /** Reads the digests of a saved state; anything malformed is ignored (those parents are read). */
  constructor(input: Record<string, unknown> | undefined) {
    const raw = input?.[DIGESTS_KEY];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return;
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) if (typeof value === 'string') this.saved.set(key, value);
  }

  /** Whether the parent's hint is the one the last sync finished this partition with. */
  unchanged(partition: string, digest: string): boolean {
    return this.saved.get(partition) === digest;
  }

  /** This sync finished the partition (or skipped it as unchanged) with this digest. */
  settle(partition: string, digest: string): void {
    this.current.set(partition, digest);
  }

  /** The map to write: digests settled this sync only, so parents gone since are dropped. */
  toState(): Record<string, string> | undefined {
    return this.current.size > 0 ? Object.fromEntries(this.current) : undefined;
  }
}
