import t from 'tap';
import type { Clock } from '../../src/http/clock.js';
import { RateLimiter, type LimiterOptions, type WaitInfo } from '../../src/http/limiter.js';

class FakeClock implements Clock {
  sleeps: number[] = [];
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
  }
}

function limiter(opts: Partial<LimiterOptions> = {}) {
  const clock = (opts.clock as FakeClock | undefined) ?? new FakeClock();
  const waits: WaitInfo[] = [];
  const rl = new RateLimiter({
    windows: [{ limit: 3, windowMs: 1000 }],
    clock,
    maxPauseMs: 60_000,
    announceAfterMs: 500,
    onWait: (info) => waits.push(info),
    ...opts,
  });
  return { rl, clock, waits };
}

/** The most requests any window of `windowMs` saw, given the instants they were let through. */
function peakInWindow(stamps: number[], windowMs: number): number {
  let peak = 0;
  for (const start of stamps) peak = Math.max(peak, stamps.filter((s) => s >= start && s < start + windowMs).length);
  return peak;
}

/** Acquires `n` slots one after another; the instants (relative to the start) they were granted. */
async function schedule(rl: RateLimiter, clock: FakeClock, n: number, bucket?: { key: string; limit: number; windowMs: number }): Promise<number[]> {
  const start = clock.now();
  const stamps: number[] = [];
  for (let i = 0; i < n; i++) {
    (await rl.acquire(undefined, bucket))();
    stamps.push(clock.now() - start);
  }
  return stamps;
}

t.test('3 per 1000 ms: no window of 1000 ms ever sees a 4th request', async (t) => {
  const { rl, clock } = limiter();
  const stamps = await schedule(rl, clock, 30);
  t.equal(stamps[0], 0, 'the first request goes at once');
  t.ok(peakInWindow(stamps, 1000) <= 3, `peak ${peakInWindow(stamps, 1000)} ≤ 3`);
  t.ok(stamps[3] >= 500, `the 4th waits (${stamps[3]} ms)`);
  // How a small limit splits between burst and steady rate is a tuning choice; it must keep moving.
  const rate = (stamps.length - 1) / (stamps.at(-1)! / 1000);
  t.ok(rate >= 1, `and it keeps going: at least one request per window in the long run (${rate.toFixed(2)}/s)`);
  t.ok(clock.sleeps.every((ms) => ms > 0), 'no zero-length sleeps');
});

t.test('DigitalOcean-sized windows: 240 per minute and 5,000 per hour', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 240, windowMs: 60_000 }, { limit: 5_000, windowMs: 3_600_000 }], announceAfterMs: 1e12 });
  const stamps = await schedule(rl, clock, 6_000);
  t.ok(peakInWindow(stamps.slice(0, 1000), 60_000) <= 240, 'never more than 240 in a minute');
  // Count the hour cheaply: stamps are sorted, so slide two indices.
  let peakHour = 0;
  for (let i = 0, j = 0; i < stamps.length; i++) {
    while (stamps[j] <= stamps[i] - 3_600_000) j++;
    peakHour = Math.max(peakHour, i - j + 1);
  }
  t.ok(peakHour <= 5_000, `never more than 5,000 in an hour (${peakHour})`);
  t.ok(stamps.filter((s) => s < 60_000).length >= 200, 'the first minute is not wasted');
  t.ok(stamps.filter((s) => s < 3_600_000).length >= 4_500, 'nor the first hour');
});

t.test('a sliding log, as DigitalOcean counts: a burst up to the limit, then the oldest request sets the pace', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 100, windowMs: 1000 }] });
  await schedule(rl, clock, 10);
  clock.t += 60_000;
  clock.sleeps = [];
  const stamps = await schedule(rl, clock, 250);
  t.equal(stamps.filter((s) => s === 0).length, 100, 'the whole limit goes at once: a small sync is not paced');
  t.ok(peakInWindow(stamps, 1000) <= 100, `and no window of 1000 ms sees more (${peakInWindow(stamps, 1000)})`);
  t.equal(stamps[100], 1000, 'the 101st waits exactly for the first to leave the window');
});

t.test('a released request counts from its answer: no window of the server sees more than the limit, whatever the latency', async (t) => {
  const W = 1000;
  const limit = 5;
  const { rl, clock } = limiter({ windows: [{ limit, windowMs: W }], announceAfterMs: 1e12 });
  // Deterministic "random" latencies: the request reaches the server `toServer` ms after it is let
  // through, and the answer is back after as long again at most. Five requests (the limit) go out at once.
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const arrivals: number[] = [];
  for (let batch = 0; batch < 40; batch++) {
    const inFlight: { release: () => void; done: number }[] = [];
    for (let k = 0; k < limit; k++) {
      const release = await rl.acquire();
      const toServer = rnd(300);
      arrivals.push(clock.now() + toServer);
      inFlight.push({ release, done: clock.now() + toServer + rnd(300) });
    }
    for (const r of inFlight.sort((a, b) => a.done - b.done)) {
      if (r.done > clock.t) clock.t = r.done;
      r.release();
    }
  }
  arrivals.sort((a, b) => a - b);
  t.ok(peakInWindow(arrivals, W) <= limit, `server-side peak ${peakInWindow(arrivals, W)} ≤ ${limit}`);
});

t.test('release moves a request later in the window, never earlier; twice is harmless', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 2, windowMs: 1000 }] });
  const start = clock.now();
  const first = await rl.acquire();
  (await rl.acquire())();
  clock.t += 300;
  first();
  first();
  (await rl.acquire())();
  t.equal(clock.now() - start, 1000, 'the one answered at once left at 1000 ms');
  (await rl.acquire())();
  t.equal(clock.now() - start, 1300, 'the released one counted from its answer, at 300 ms');
});

t.test('several windows: each one holds', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 3, windowMs: 1000 }, { limit: 4, windowMs: 10_000 }] });
  const stamps = await schedule(rl, clock, 20);
  t.ok(peakInWindow(stamps, 1000) <= 3, 'the short window');
  t.ok(peakInWindow(stamps, 10_000) <= 4, `the long window (${peakInWindow(stamps, 10_000)})`);
});

t.test('an endpoint bucket adds its own window, keyed by name', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 100, windowMs: 1000 }] });
  const bucket = { key: 'cdn', limit: 1, windowMs: 5000 };
  (await rl.acquire(['a'], bucket))();
  (await rl.acquire(['a']))();
  (await rl.acquire(['b'], { key: 'other', limit: 1, windowMs: 5000 }))();
  t.same(clock.sleeps, [], 'other requests and other buckets are not held');
  (await rl.acquire(['a'], bucket))();
  t.same(clock.sleeps, [5000], 'the bucket holds its own requests');
});

t.test('bucketWindowScale compresses endpoint windows', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 100, windowMs: 1000 }], bucketWindowScale: 0.01 });
  const bucket = { key: 'cdn', limit: 1, windowMs: 5000 };
  (await rl.acquire(['a'], bucket))();
  (await rl.acquire(['a'], bucket))();
  t.same(clock.sleeps, [50]);
});

t.test('pauseUntil holds every request; it never shortens and is capped', async (t) => {
  const { rl, clock, waits } = limiter({ maxPauseMs: 10_000, windows: [{ limit: 1000, windowMs: 1000 }] });
  const start = clock.now();
  rl.pauseUntil(start + 2000, 'a 429');
  rl.pauseUntil(start + 500, 'shorter');
  (await rl.acquire(['droplets']))();
  t.same(clock.sleeps, [2000]);
  t.match(waits, [{ waitMs: 2000, until: start + 2000, labels: ['droplets'], reason: 'a 429' }]);

  rl.pauseUntil(clock.now() + 1e9, 'absurd');
  const before = clock.now();
  (await rl.acquire())();
  t.same(clock.sleeps, [2000, 10_000], 'capped at maxPauseMs');
  t.equal(clock.now(), before + 10_000);

  rl.pauseUntil(clock.now() - 5, 'already past');
  (await rl.acquire())();
  t.equal(clock.sleeps.length, 2, 'a pause in the past changes nothing');
});

t.test('observe: remaining 0 with a reset pauses until the reset', async (t) => {
  const clock = new FakeClock(1_700_000_000_000);
  const { rl, waits } = limiter({ clock, windows: [{ limit: 100, windowMs: 1000 }] });
  rl.observe(5, 1_700_000_100);
  rl.observe(undefined, 1_700_000_100);
  rl.observe(0, undefined);
  (await rl.acquire())();
  t.same(clock.sleeps, [], 'remaining > 0, or a header missing, changes nothing');
  rl.observe(0, 1_700_000_030);
  (await rl.acquire(['s']))();
  t.same(clock.sleeps, [30_000]);
  t.match(waits[0], { waitMs: 30_000, labels: ['s'], reason: /quota/ });
});

t.test('observe: an absurd reset is capped by maxPauseMs', async (t) => {
  const clock = new FakeClock(1_700_000_000_000);
  const { rl } = limiter({ clock, maxPauseMs: 3_600_000 });
  rl.observe(0, 9_999_999_999);
  (await rl.acquire())();
  t.same(clock.sleeps, [3_600_000]);
});

t.test('onWait is announced only for waits of at least announceAfterMs', async (t) => {
  const { rl, clock, waits } = limiter({ windows: [{ limit: 1, windowMs: 400 }], announceAfterMs: 500 });
  (await rl.acquire(['x']))();
  (await rl.acquire(['x']))();
  t.same(clock.sleeps, [400]);
  t.same(waits, [], 'a 400 ms pacing wait is routine');
  rl.pauseUntil(clock.now() + 600, 'long');
  (await rl.acquire(['x']))();
  t.equal(waits.length, 1);
  t.match(waits[0], { waitMs: 600, labels: ['x'], reason: 'long' });
  t.equal(waits[0].until, clock.now());
});

t.test('the default announce threshold is 5 s', async (t) => {
  const clock = new FakeClock();
  const waits: WaitInfo[] = [];
  const rl = new RateLimiter({ windows: [{ limit: 1, windowMs: 4_999 }], clock, maxPauseMs: 60_000, onWait: (w) => waits.push(w) });
  (await rl.acquire())();
  (await rl.acquire())();
  t.same(waits, []);
  rl.pauseUntil(clock.now() + 5_000, 'p');
  (await rl.acquire())();
  t.equal(waits.length, 1);
});

t.test('many acquires at once never exceed the window, and go in call order', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 5, windowMs: 1000 }] });
  const start = clock.now();
  const order: number[] = [];
  const stamps: number[] = [];
  await Promise.all(
    Array.from({ length: 23 }, (_, i) =>
      rl.acquire(`s${i}`).then((release) => {
        release();
        order.push(i);
        stamps.push(clock.now() - start);
      }),
    ),
  );
  t.same(
    order,
    Array.from({ length: 23 }, (_, i) => i),
  );
  t.ok(peakInWindow(stamps, 1000) <= 5, `at most 5 in any 1000 ms (${peakInWindow(stamps, 1000)})`);
  t.ok(stamps.at(-1)! <= 23 * 1000, `and at least one request per window goes through (${stamps.at(-1)} ms)`);
});

t.test('concurrent acquires with a clock that really yields still respect the window', async (t) => {
  // sleep resolves on a later turn of the event loop, so acquires interleave with each other.
  const clock = new FakeClock();
  clock.sleep = async (ms: number) => {
    clock.sleeps.push(ms);
    await new Promise((r) => setImmediate(r));
    clock.t += ms;
  };
  const rl = new RateLimiter({ windows: [{ limit: 2, windowMs: 100 }], clock, maxPauseMs: 1000 });
  const stamps: number[] = [];
  const burst = async (n: number) => {
    for (let i = 0; i < n; i++) {
      (await rl.acquire())();
      stamps.push(clock.now());
      clock.t += 7; // time passes while the request runs
    }
  };
  await Promise.all([burst(6), burst(6), burst(6)]);
  t.equal(stamps.length, 18);
  t.ok(peakInWindow(stamps, 100) <= 2, `peak ${peakInWindow(stamps, 100)} ≤ 2 per 100 ms`);
});

t.test('a failed wait does not jam the queue', async (t) => {
  const clock = new FakeClock();
  let fail = true;
  clock.sleep = async (ms: number) => {
    clock.sleeps.push(ms);
    if (fail) {
      fail = false;
      throw new Error('sleep interrupted');
    }
    clock.t += ms;
  };
  const rl = new RateLimiter({ windows: [{ limit: 1, windowMs: 1000 }], clock, maxPauseMs: 1000 });
  (await rl.acquire())();
  await t.rejects(rl.acquire(), /sleep interrupted/);
  (await rl.acquire())();
  t.same(clock.sleeps, [1000, 1000]);
});

t.test('a request in flight occupies the window until its answer, however long that takes', async (t) => {
  const { rl, clock } = limiter({ windows: [{ limit: 2, windowMs: 1000 }] });
  const start = clock.now();
  const slow = await rl.acquire();
  const slower = await rl.acquire();
  let third = false;
  const waiting = rl.acquire().then((release) => {
    third = true;
    release();
  });
  clock.t += 5_000;
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(third, 'both are still in flight: no room, even 5 windows later');
  slow();
  await waiting;
  t.ok(third);
  t.equal(clock.now() - start, 6_000, 'room one window after the first answer');
  slower();
});
