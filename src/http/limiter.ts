import type { Clock } from './clock.js';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** A request's place in one window: when it counts from. Moved later when the answer arrives. */
interface Slot {
  at: number;
}

/**
 * Exactly `limit` requests in any `windowMs`, counted the way DigitalOcean counts them: a sliding log,
 * so a sync may burst up to the limit and then waits only for the oldest request to leave the window
 * (what `ratelimit-reset` describes). A request counts from the moment it is let through; when its
 * answer arrives (release) it counts from then instead. The server saw the request somewhere between
 * the two, so counting from the later instant can only make us slower than the server, never faster:
 * whatever the latency, no window of the server's sees more than `limit` of our requests.
 */
class SlidingLog {
  /** One slot per request still inside the window (or in flight), in no particular order. */
  private slots: Slot[] = [];

  constructor(readonly limit: number, readonly windowMs: number) {}

  private prune(now: number): void {
    const horizon = now - this.windowMs;
    if (this.slots.some((s) => s.at <= horizon)) this.slots = this.slots.filter((s) => s.at > horizon);
  }

  /** The earliest instant at which one more request fits. */
  nextFree(now: number): number {
    this.prune(now);
    if (this.slots.length < this.limit) return now;
    // The oldest (length - limit + 1) slots must leave the window.
    const ats = this.slots.map((s) => s.at).sort((a, b) => a - b);
    return Math.max(now, ats[this.slots.length - this.limit] + this.windowMs);
  }

  record(now: number): Slot {
    const slot = { at: now };
    this.slots.push(slot);
    return slot;
  }
}

/** Called when a request's answer (or failure) arrived; see SlidingLog. Calling it again does nothing. */
export type Release = () => void;

export interface WaitInfo {
  waitMs: number;
  until: number;
  label?: string;
  reason: string;
}

export interface LimiterOptions {
  /** Token-wide windows, e.g. 240 per minute and 5,000 per hour, each an exact sliding log. */
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
  private readonly windows: SlidingLog[];
  private readonly buckets = new Map<string, SlidingLog>();
  /** The last `ratelimit-remaining` DigitalOcean reported (the hourly quota left), if any. */
  remaining: number | undefined;
  private pausedUntil = 0;
  private pauseReason = '';
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LimiterOptions) {
    this.windows = opts.windows.map((w) => new SlidingLog(w.limit, w.windowMs));
  }

  /**
   * Resolves when a request may be sent now, with the function to call when its answer arrives.
   * `bucket` adds an endpoint's own, tighter window.
   */
  acquire(label?: string, bucket?: { key: string } & WindowLimit): Promise<Release> {
    const turn = this.tail.then(() => this.waitForSlot(label, bucket));
    this.tail = turn.then(
      () => undefined,
      () => undefined,
    );
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
    if (remaining !== undefined) this.remaining = remaining;
    if (remaining === undefined || remaining > 0 || resetEpochSeconds === undefined) return;
    this.pauseUntil(resetEpochSeconds * 1000, 'DigitalOcean reports the hourly request quota is used up');
  }

  private bucketFor(bucket: { key: string } & WindowLimit): SlidingLog {
    let window = this.buckets.get(bucket.key);
    if (!window) {
      window = new SlidingLog(bucket.limit, bucket.windowMs * (this.opts.bucketWindowScale ?? 1));
      this.buckets.set(bucket.key, window);
    }
    return window;
  }

  private async waitForSlot(label?: string, bucket?: { key: string } & WindowLimit): Promise<Release> {
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
        const slots = windows.map((w) => w.record(now));
        return () => {
          const at = this.opts.clock.now();
          for (const slot of slots) slot.at = Math.max(slot.at, at);
        };
      }
      const waitMs = until - now;
      if (waitMs >= (this.opts.announceAfterMs ?? 5_000)) this.opts.onWait?.({ waitMs, until, label, reason });
      await this.opts.clock.sleep(waitMs);
    }
  }
}
