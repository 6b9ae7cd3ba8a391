/**
 * DigitalOcean's rate limits: per token, a sliding window per hour (5,000; reported in the ratelimit-*
 * headers) and per minute (250), plus tighter per-endpoint windows for some rows (`rateLimit`).
 * Window lengths and limits are options so tests can run "250 per 6 s" against an injected clock.
 */

export interface WindowLimit {
  requests: number;
  windowMs: number;
}

export interface RateLimitOptions {
  /** null: no per-minute limit. Default 250 per 60 s. */
  perMinute?: WindowLimit | null;
  /** null: no hourly limit. Default 5,000 per 3,600 s. This is the window the headers describe. */
  perHour?: WindowLimit | null;
  /** Apply the rows' own limits (ssh keys 10/min…). Default true. */
  endpoints?: boolean;
  /** Multiplies the rows' window lengths (0.1: ssh keys allow 10 per 6 s). Default 1. */
  endpointWindowScale?: number;
}

export const DEFAULT_PER_MINUTE: WindowLimit = { requests: 250, windowMs: 60_000 };
export const DEFAULT_PER_HOUR: WindowLimit = { requests: 5_000, windowMs: 3_600_000 };

/** A sliding log of request times; keeps at most `requests` entries. */
class SlidingWindow {
  private stamps: number[] = [];
  private head = 0;

  constructor(readonly limit: WindowLimit) {}

  private prune(now: number): void {
    while (this.head < this.stamps.length && this.stamps[this.head] + this.limit.windowMs <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }

  used(now: number): number {
    this.prune(now);
    return this.stamps.length - this.head;
  }

  full(now: number): boolean {
    return this.used(now) >= this.limit.requests;
  }

  take(now: number): void {
    this.stamps.push(now);
  }

  /** When the oldest request leaves the window (epoch ms); `now` when the window is empty. */
  oldestExpiry(now: number): number {
    this.prune(now);
    return this.head < this.stamps.length ? this.stamps[this.head] + this.limit.windowMs : now;
  }
}

export type Admission =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; retryAfterSeconds: number; headers: Record<string, string> };

export class RateLimiter {
  private readonly perMinute: WindowLimit | null;
  private readonly perHour: WindowLimit | null;
  private readonly endpoints: boolean;
  private readonly scale: number;
  private windows = new Map<string, SlidingWindow>();

  constructor(options: RateLimitOptions | false, private readonly now: () => number) {
    const o = options === false ? { perMinute: null, perHour: null, endpoints: false } : options;
    this.perMinute = o.perMinute === undefined ? DEFAULT_PER_MINUTE : o.perMinute;
    this.perHour = o.perHour === undefined ? DEFAULT_PER_HOUR : o.perHour;
    this.endpoints = o.endpoints ?? true;
    this.scale = o.endpointWindowScale ?? 1;
  }

  private window(key: string, limit: WindowLimit): SlidingWindow {
    let w = this.windows.get(key);
    if (!w) {
      w = new SlidingWindow(limit);
      this.windows.set(key, w);
    }
    return w;
  }

  private windowsFor(token: string, endpoint?: { key: string; limit: WindowLimit }): SlidingWindow[] {
    const out: SlidingWindow[] = [];
    if (this.perHour) out.push(this.window(`${token}\0hour`, this.perHour));
    if (this.perMinute) out.push(this.window(`${token}\0minute`, this.perMinute));
    if (endpoint && this.endpoints) {
      const limit = { requests: endpoint.limit.requests, windowMs: Math.max(1, Math.round(endpoint.limit.windowMs * this.scale)) };
      out.push(this.window(`${token}\0${endpoint.key}`, limit));
    }
    return out;
  }

  /** Counts the request against every window, or refuses it (refused requests are not counted). */
  admit(token: string, endpoint?: { key: string; limit: WindowLimit }): Admission {
    const now = this.now();
    const windows = this.windowsFor(token, endpoint);
    const full = windows.filter((w) => w.full(now));
    if (full.length > 0) {
      const waitMs = Math.max(...full.map((w) => w.oldestExpiry(now) - now));
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), headers: this.headers(token) };
    }
    for (const w of windows) w.take(now);
    return { ok: true, headers: this.headers(token) };
  }

  /** The ratelimit-* headers for a token (the hourly window), without counting anything. */
  headers(token: string | undefined): Record<string, string> {
    const now = this.now();
    const limit = this.perHour ?? DEFAULT_PER_HOUR;
    const hour = token !== undefined && this.perHour ? this.window(`${token}\0hour`, this.perHour) : undefined;
    const used = hour ? hour.used(now) : 0;
    const reset = hour ? hour.oldestExpiry(now) : now;
    return {
      'ratelimit-limit': String(limit.requests),
      'ratelimit-remaining': String(Math.max(0, limit.requests - used)),
      'ratelimit-reset': String(Math.ceil(reset / 1000)),
    };
  }

  reset(): void {
    this.windows = new Map();
  }
}
