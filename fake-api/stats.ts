/** What the server saw: a bounded request log and counters, for tests and benchmarks. */

export interface RequestLogEntry {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  /** The injected clock's time when the request arrived (epoch ms). */
  at: number;
  method: string;
  /** Path and query. */
  url: string;
  /** 0 when no status was sent (timeout, reset before headers). */
  status: number;
  /** The token's name from the token table; never the token. null: none or unknown. */
  token: string | null;
  /** The stream row the path matched, if any. */
  stream: string | null;
  /** The fault that shaped this answer, if any (`status:503`, `reset`, `timeout`…). */
  fault: string | null;
}

export interface StatsSnapshot {
  requests: number;
  byStatus: Record<string, number>;
  /** Per path (no query): how often each URL was requested. */
  byPath: Record<string, number>;
  byStream: Record<string, number>;
  /**
   * Calls to the credential endpoints (kubeconfig, cluster credentials, metrics and vector database
   * credentials) per path, counted whatever the answer, even without a token.
   */
  credentialCalls: Record<string, number>;
  cache: { hits: number; misses: number; entries: number; bytes: number };
  /** The most recent entries (up to the log limit). */
  log: RequestLogEntry[];
}

export class Stats {
  private requests = 0;
  private byStatus = new Map<string, number>();
  private byPath = new Map<string, number>();
  private byStream = new Map<string, number>();
  private credentials = new Map<string, number>();
  private log: RequestLogEntry[] = [];

  constructor(private readonly logLimit: number) {}

  nextSeq(): number {
    return ++this.requests;
  }

  record(entry: RequestLogEntry, pathname: string): void {
    bump(this.byStatus, String(entry.status));
    bump(this.byPath, pathname);
    if (entry.stream) bump(this.byStream, entry.stream);
    this.log.push(entry);
    // Drop the oldest half at once: amortised O(1) without a ring buffer.
    if (this.log.length > this.logLimit) this.log = this.log.slice(-Math.ceil(this.logLimit / 2));
  }

  credentialCall(pathname: string): void {
    bump(this.credentials, pathname);
  }

  snapshot(cache: StatsSnapshot['cache'], logTail = Infinity): StatsSnapshot {
    return {
      requests: this.requests,
      byStatus: Object.fromEntries(this.byStatus),
      byPath: Object.fromEntries(this.byPath),
      byStream: Object.fromEntries(this.byStream),
      credentialCalls: Object.fromEntries(this.credentials),
      cache,
      log: logTail >= this.log.length ? [...this.log] : this.log.slice(this.log.length - logTail),
    };
  }

  reset(): void {
    this.requests = 0;
    this.byStatus.clear();
    this.byPath.clear();
    this.byStream.clear();
    this.credentials.clear();
    this.log = [];
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
