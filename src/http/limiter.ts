import type { Clock } from './clock.js';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** One rate window: when the next request may go, and noting that it went. */
interface Window {
  nextFree(now: number): number;
  record(now: number): void;
}

/**
 * Exactly `limit` requests in any `windowMs`, no smoothing: for the hourly quota, whose whole budget a
 * sync should be able to spend at the per-minute pace. A ring of the last `limit` request times.
 */
class SlidingLog implements Window {
  private readonly stamps: Float64Array;
  private count = 0;
  private next = 0;

  constructor(readonly limit: number, readonly windowMs: number) {
    this.stamps = new Float64Array(limit);
  }

  nextFree(now: number): number {
    if (this.count < this.limit) return now;
    // The oldest of the last `limit` requests must have left the window.
    return Math.max(now, this.stamps[this.next] + this.windowMs);
  }

  record(now: number): void {
    this.stamps[this.next] = now;
    this.next = (this.next + 1) % this.limit;
    if (this.count < this.limit) this.count++;
  }
}

/**
 * A token bucket that can never let more than `limit` requests into any window of `windowMs`: it holds
 * at most `burst` tokens and refills at (limit - burst) per window, so any window sees at most
 * burst + (limit - burst) requests. Requests are thereby spread over the window instead of bunching at
 * its edges, where the server's clock and ours disagree by the network's jitter.
 */
class TokenBucket implements Window {
  private tokens: number;
  private last = -Infinity;
  private readonly burst: number;
  private readonly perMs: number;

  constructor(readonly limit: number, readonly windowMs: number) {
    // A small limit (SSH keys: 10 a minute) keeps half as a burst, so a two-page list does not wait.
    this.burst = limit <= 20 ? Math.ceil(limit / 2) : Math.floor(limit / 20);
    this.perMs = Math.max(1, limit - this.burst) / windowMs;
    this.tokens = this.burst;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (this.last === -Infinity ? 0 : (now - this.last) * this.perMs));
      this.last = now;
    }
  }

  /** The earliest instant at which one more request fits. */
  nextFree(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? now : now + Math.ceil((1 - this.tokens) / this.perMs);
  }

  record(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
}

export interface WaitInfo {
  waitMs: number;
  until: number;
  label?: string;
  reason: string;
}

export interface LimiterOptions {
  /** Token-wide windows, e.g. 240 per minute and 5,000 per hour. The shortest is smoothed (a token
   * bucket), the others are exact sliding windows, so that the hourly quota can be spent at the
   * per-minute pace. */
  windows: WindowLimit[];
  clock: Clock;
  /** Longest single pause the server may impose through headers; guards against absurd reset values. */
  maxPauseMs: number;
  /** Called before every wait long enough to be worth announcing. */
  onWait?: (info: WaitInfo) => void;
  /** Waits shorter than this are not announced (pacing inside a minute is routine). */
  announceAfterMs?: number;
  /** Multiplies the windows of endpoint buckets (compressed-time tests); default 1. */
  bucketWindowScale?: number;
}

/**
 * One limiter for every request of a command. Requests take turns (a promise chain), so that the wait
 * each one computes accounts for all the requests before it. The server's view (rate-limit headers,
 * 429s) can only make us slower, never faster, than our own count.
 */
export class RateLimiter {
  private readonly windows: Window[];
  private readonly buckets = new Map<string, TokenBucket>();
  private pausedUntil = 0;
  private pauseReason = '';
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LimiterOptions) {
    const shortest = Math.min(...opts.windows.map((w) => w.windowMs));
    this.windows = opts.windows.map((w) => (w.windowMs === shortest ? new TokenBucket(w.limit, w.windowMs) : new SlidingLog(w.limit, w.windowMs)));
  }

  /** Resolves when a request may be sent now. `bucket` adds an endpoint's own, tighter window. */
  acquire(label?: string, bucket?: { key: string } & WindowLimit): Promise<void> {
    const turn = this.tail.then(() => this.waitForSlot(label, bucket));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Stop every request until `until` (a 429's retry-after, or an exhausted hourly window). */
  pauseUntil(until: number, reason: string): void {
    const capped = Math.min(until, this.opts.clock.now() + this.opts.maxPauseMs);
    if (capped > this.pausedUntil) {
      this.pausedUntil = capped;
      this.pauseReason = reason;
    }
  }

  /** Feedback from DigitalOcean's `ratelimit-remaining` / `ratelimit-reset` (epoch seconds) headers. */
  observe(remaining: number | undefined, resetEpochSeconds: number | undefined): void {
    if (remaining === undefined || remaining > 0 || resetEpochSeconds === undefined) return;
    this.pauseUntil(resetEpochSeconds * 1000, 'DigitalOcean reports the hourly request quota is used up');
  }

  private bucketFor(bucket: { key: string } & WindowLimit): TokenBucket {
    let window = this.buckets.get(bucket.key);
    if (!window) {
      window = new TokenBucket(bucket.limit, bucket.windowMs * (this.opts.bucketWindowScale ?? 1));
      this.buckets.set(bucket.key, window);
    }
    return window;
  }

  private async waitForSlot(label?: string, bucket?: { key: string } & WindowLimit): Promise<void> {
    const windows = bucket ? [...this.windows, this.bucketFor(bucket)] : this.windows;
    for (;;) {
      const now = this.opts.clock.now();
      let until = now;
      let reason = 'pacing under the request rate limit';
      for (const w of windows) until = Math.max(until, w.nextFree(now));
      if (this.pausedUntil > until) {
        until = this.pausedUntil;
        reason = this.pauseReason;
      }
      if (until <= now) {
        for (const w of windows) w.record(now);
        return;
      }
      const waitMs = until - now;
      if (waitMs >= (this.opts.announceAfterMs ?? 5_000)) this.opts.onWait?.({ waitMs, until, label, reason });
      await this.opts.clock.sleep(waitMs);
    }
  }
}
