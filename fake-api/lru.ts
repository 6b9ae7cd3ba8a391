/**
 * A least-recently-used cache of rendered bodies, bounded by total characters: rendering a page of a
 * million-record account costs milliseconds, and benchmarks read the same pages again and again.
 */
export class BodyCache {
  private readonly entries = new Map<string, string>();
  private size = 0;
  hits = 0;
  misses = 0;

  /** @param maxChars 0 disables the cache. */
  constructor(private readonly maxChars: number) {}

  get(key: string): string | undefined {
    const body = this.entries.get(key);
    if (body === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, body);
    return body;
  }

  set(key: string, body: string): void {
    if (body.length > this.maxChars) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.size -= old.length;
      this.entries.delete(key);
    }
    this.entries.set(key, body);
    this.size += body.length;
    for (const [k, v] of this.entries) {
      if (this.size <= this.maxChars) break;
      this.entries.delete(k);
      this.size -= v.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.size = 0;
  }

  info(): { hits: number; misses: number; entries: number; bytes: number } {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.size };
  }

  resetCounters(): void {
    this.hits = 0;
    this.misses = 0;
  }
}
