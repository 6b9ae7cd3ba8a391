import t from 'tap';
import { DROPLETS_ONLY, FakeClock, READ_ONLY, get, serve } from './fixtures/http.js';

const TOO_MANY = { id: 'too_many_requests', message: 'API Rate limit exceeded.' };

t.test('per-minute window: 429 with retry-after, then room again when the window slides', async (t) => {
  const clock = new FakeClock();
  const api = await serve(t, { now: clock.now, rateLimits: { perMinute: { requests: 5, windowMs: 6_000 }, perHour: { requests: 20, windowMs: 60_000 } } });
  const start = clock.t;
  for (let k = 1; k <= 5; k++) {
    const ok = await get(api, '/v2/account');
    t.equal(ok.status, 200);
    t.equal(ok.headers.get('ratelimit-limit'), '20', 'the headers describe the hourly window');
    t.equal(ok.headers.get('ratelimit-remaining'), String(20 - k));
    t.equal(ok.headers.get('ratelimit-reset'), String(Math.ceil((start + 60_000) / 1000)), 'when the oldest request expires');
    clock.advance(1_000);
  }
  const refused = await get(api, '/v2/account');
  t.equal(refused.status, 429);
  t.same(refused.json, TOO_MANY);
  t.equal(refused.headers.get('retry-after'), '1', 'the first request leaves the 6 s window in 1 s');
  t.equal(refused.headers.get('ratelimit-remaining'), '15', 'a refused request is not counted');
  t.equal((await get(api, '/v2/account', DROPLETS_ONLY)).status, 403, 'limits are per token');
  clock.advance(1_000);
  t.equal((await get(api, '/v2/account')).status, 200, 'room again');
});

t.test('per-hour window', async (t) => {
  const clock = new FakeClock();
  const api = await serve(t, { now: clock.now, rateLimits: { perMinute: null, perHour: { requests: 3, windowMs: 60_000 } } });
  for (let k = 0; k < 3; k++) {
    t.equal((await get(api, '/v2/droplets')).status, 200);
    clock.advance(10_000);
  }
  const refused = await get(api, '/v2/droplets');
  t.equal(refused.status, 429);
  t.equal(refused.headers.get('retry-after'), '30');
  t.equal(refused.headers.get('ratelimit-remaining'), '0');
  clock.advance(30_000);
  t.equal((await get(api, '/v2/droplets')).status, 200);
  api.resetRateLimits();
  t.equal((await get(api, '/v2/droplets')).headers.get('ratelimit-remaining'), '2', 'reset empties every window');
});

t.test('per-endpoint limits from the row (ssh keys 10 per minute), scaled', async (t) => {
  const clock = new FakeClock();
  const api = await serve(t, { now: clock.now, rateLimits: { endpointWindowScale: 0.1 } });
  for (let k = 0; k < 10; k++) t.equal((await get(api, '/v2/account/keys')).status, 200);
  const refused = await get(api, '/v2/account/keys');
  t.equal(refused.status, 429);
  t.equal(refused.headers.get('retry-after'), '6', '60 s × 0.1');
  t.equal((await get(api, '/v2/droplets')).status, 200, 'other endpoints are not limited by it');
  clock.advance(6_000);
  t.equal((await get(api, '/v2/account/keys')).status, 200);
});

t.test('endpoint limits can be switched off; rateLimits: false removes all limits but keeps the headers', async (t) => {
  const clock = new FakeClock();
  const noEndpoints = await serve(t, { now: clock.now, rateLimits: { endpoints: false } });
  for (let k = 0; k < 12; k++) t.equal((await get(noEndpoints, '/v2/account/keys')).status, 200);
  const unlimited = await serve(t, { now: clock.now, rateLimits: false });
  for (let k = 0; k < 300; k++) {
    const answer = await get(unlimited, '/v2/account', READ_ONLY);
    if (answer.status !== 200) t.fail(`request ${k}: ${answer.status}`);
  }
  const last = await get(unlimited, '/v2/account');
  t.equal(last.headers.get('ratelimit-limit'), '5000');
  t.equal(last.headers.get('ratelimit-remaining'), '5000');
  t.equal(last.headers.get('ratelimit-reset'), String(Math.ceil(clock.t / 1000)));
});

t.test('defaults: 250 per minute', async (t) => {
  const clock = new FakeClock();
  const api = await serve(t, { now: clock.now });
  let first429 = -1;
  for (let k = 0; k < 251 && first429 < 0; k++) if ((await get(api, '/v2/account')).status === 429) first429 = k;
  t.equal(first429, 250);
});

t.test('every answer carries the rate headers, errors included', async (t) => {
  const api = await serve(t);
  for (const [path, token] of [['/v2/droplets', READ_ONLY], ['/v2/nowhere', READ_ONLY], ['/v2/droplets', null], ['/v2/droplets?per_page=0', READ_ONLY]] as const) {
    const answer = await get(api, path, token);
    t.ok(answer.headers.get('ratelimit-limit') && answer.headers.get('ratelimit-remaining') && answer.headers.get('ratelimit-reset'), `${path} ${answer.status}`);
  }
});

t.test("the connector's limiter against DigitalOcean's numbers (time-compressed), uneven latency, no margin: zero 429s", async (t) => {
  const { startFakeApi, DEFAULT_TOKENS } = await import('../../fake-api/server.js');
  const { DigitalOceanClient } = await import('../../src/http/client.js');
  const { RateLimiter } = await import('../../src/http/limiter.js');
  const { systemClock } = await import('../../src/http/clock.js');
  // 250 a "minute" of 1.5 s and 5,000 an "hour" of 90 s: DigitalOcean's limits, compressed 40 times.
  const minute = 1_500;
  let answered = 0;
  const api = await startFakeApi({
    rateLimits: { perMinute: { requests: 250, windowMs: minute }, perHour: { requests: 5_000, windowMs: 60 * minute } },
    faults: { latencyMs: 1 },
    // The first minute's worth of requests is slow to reach the server (250 ms each), the rest is
    // instant, so the server's windows and the connector's are shifted against each other. (The
    // limiter's own guarantee, counting each request from its answer, is proven on a fake clock in
    // test/http/limiter.test.ts; this checks the whole client against the server's counting.)
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, answered++ < 250 ? 250 * ms : 0)),
  });
  t.teardown(() => api.close());
  const client = new DigitalOceanClient({
    baseUrl: api.url,
    token: DEFAULT_TOKENS.readOnly,
    limiter: new RateLimiter({ windows: [{ limit: 250, windowMs: minute }, { limit: 5_000, windowMs: 60 * minute }], clock: systemClock, maxPauseMs: minute }),
    clock: systemClock,
    maxConcurrency: 16,
    timeoutMs: 30_000,
    maxRetries: 3,
    backoffBaseMs: 10,
    backoffMaxMs: 100,
    maxRetryAfterMs: minute,
    timeScale: minute / 60_000,
    userAgent: 'test',
  });
  await Promise.all(Array.from({ length: 600 }, () => client.get('/v2/account')));
  const stats = api.stats(0);
  t.equal(stats.byStatus['429'] ?? 0, 0, 'no request was refused');
  t.equal(stats.requests, 600, 'and none was retried');
});
