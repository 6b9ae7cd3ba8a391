import type { Clock } from './clock.js';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** A request's place in one window: in flight (`open`), or counting from its answer's instant `at`. */
interface Slot {
  at: number;
  open: boolean;
}

/**
 * Exactly `limit` requests in any `windowMs`, counted the way DigitalOcean counts them: a sliding log,
 * so a sync may burst up to the limit and then waits only for the oldest request to leave the window
 * (what `ratelimit-reset` describes). A request occupies the window from the moment it is let through
 * until `windowMs` after its answer arrived (release). The server counted it somewhere in between, so
 * whatever the latency, no window of the server's sees more than `limit` of our requests: for the
 * server to see a request sent at s in a window, that window must end after the request's arrival,
 * which is before its answer, so the request still occupied our log at s.
 */
class SlidingLog {
  /** One slot per request in flight or still inside the window, in no particular order. */
  private slots: Slot[] = [];

  constructor(readonly limit: number, readonly windowMs: number) {}

  private prune(now: number): void {
    const horizon = now - this.windowMs;
    if (this.slots.some((s) => !s.open && s.at <= horizon)) this.slots = this.slots.filter((s) => s.open || s.at > horizon);
  }

  /** The earliest instant at which one more request fits; Infinity when only a release can make room. */
  nextFree(now: number): number {
    this.prune(now);
    if (this.slots.length < this.limit) return now;
    // The oldest (length - limit + 1) answered requests must leave the window.
    const leaving = this.slots.length - this.limit + 1;
    const answered = this.slots.filter((s) => !s.open).map((s) => s.at);
    if (answered.length < leaving) return Infinity;
    answered.sort((a, b) => a - b);
    return Math.max(now, answered[leaving - 1] + this.windowMs);
  }

  record(now: number): Slot {
    const slot = { at: now, open: true };
    this.slots.push(slot);
    return slot;
  }
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Must be called when the request's answer (or failure) arrived; see SlidingLog. Until then the request
 * occupies every window. Calling it again does nothing.
 */
export type Release = () => void;

export interface WaitInfo {
  waitMs: number;
  until: number;
  /** Who waits (stream names), as the request passed them. */
  labels?: readonly string[];
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
  /** Resolved (and replaced) at every release: what a request waits for when only a release can make room. */
  private released = signal();

  constructor(private readonly opts: LimiterOptions) {
    this.windows = opts.windows.map((w) => new SlidingLog(w.limit, w.windowMs));
  }

  /**
   * Resolves when a request may be sent now, with the function to call when its answer arrives.
   * `bucket` adds an endpoint's own, tighter window.
   */
  acquire(labels?: readonly string[], bucket?: { key: string } & WindowLimit): Promise<Release> {
    const turn = this.tail.then(() => this.waitForSlot(labels, bucket));
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

  private async waitForSlot(labels?: readonly string[], bucket?: { key: string } & WindowLimit): Promise<Release> {
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
          if (!slots[0]?.open) return;
          const at = this.opts.clock.now();
          for (const slot of slots) {
            slot.at = Math.max(slot.at, at);
            slot.open = false;
          }
          const released = this.released;
          this.released = signal();
          released.resolve();
        };
      }
      if (until === Infinity) {
        // Every slot of a full window is in flight: wait for an answer, then look again.
        await this.released.promise;
        continue;
      }
      const waitMs = until - now;
      if (waitMs >= (this.opts.announceAfterMs ?? 5_000)) this.opts.onWait?.({ waitMs, until, labels, reason });
      await this.opts.clock.sleep(waitMs);
    }
  }
}
