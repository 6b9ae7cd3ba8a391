import type { Clock } from './clock.js';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** Timestamps of the most recent requests, enough to know when the window frees a slot. */
class SlidingWindow {
  private readonly stamps: number[] = [];

  constructor(readonly limit: number, readonly windowMs: number) {}

  /** The earliest instant at which one more request stays within the limit. */
  nextFree(now: number): number {
    while (this.stamps.length > 0 && this.stamps[0] <= now - this.windowMs) this.stamps.shift();
    if (this.stamps.length < this.limit) return now;
    return this.stamps[this.stamps.length - this.limit] + this.windowMs;
  }

  record(at: number): void {
    this.stamps.push(at);
    if (this.stamps.length > this.limit) this.stamps.shift();
  }
}

export interface WaitInfo {
  waitMs: number;
  until: number;
  label?: string;
  reason: string;
}

export interface LimiterOptions {
  /** Token-wide windows, e.g. 240 per minute and 5,000 per hour. */
  windows: WindowLimit[];
  clock: Clock;
  /** Longest single pause the server may impose through headers; guards against absurd reset values. */
  maxPauseMs: number;
  /** Called before every wait long enough to be worth announcing. */
  onWait?: (info: WaitInfo) => void;
  /** Waits shorter than this are not announced (pacing inside a minute is routine). */
  announceAfterMs?: number;
}

/**
 * One limiter for every request of a command. Requests take turns (a promise chain), so that the wait
 * each one computes accounts for all the requests before it. The server's view (rate-limit headers,
 * 429s) can only make us slower, never faster, than our own count.
 */
export class RateLimiter {
  private readonly windows: SlidingWindow[];
  private readonly buckets = new Map<string, SlidingWindow>();
  private pausedUntil = 0;
  private pauseReason = '';
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LimiterOptions) {
    this.windows = opts.windows.map((w) => new SlidingWindow(w.limit, w.windowMs));
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

  private bucketFor(bucket: { key: string } & WindowLimit): SlidingWindow {
    let window = this.buckets.get(bucket.key);
    if (!window) {
      window = new SlidingWindow(bucket.limit, bucket.windowMs);
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
