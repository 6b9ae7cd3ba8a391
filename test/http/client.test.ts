import nock from 'nock';
import t from 'tap';
import type { Clock } from '../../src/http/clock.js';
import { DigitalOceanClient, type ClientOptions, type RetryInfo } from '../../src/http/client.js';
import { ApiError } from '../../src/http/errors.js';
import { RateLimiter } from '../../src/http/limiter.js';

const ORIGIN = 'https://api.do.test';
const TOKEN = 'dop_v1_0123456789abcdef_SECRET_TOKEN';

/** sleep records the requested ms and resolves at once; now advances by the slept amount. */
class FakeClock implements Clock {
  sleeps: number[] = [];
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
  }
}

function setup(overrides: Partial<ClientOptions> = {}) {
  const clock = (overrides.clock as FakeClock | undefined) ?? new FakeClock();
  const limiter =
    overrides.limiter ?? new RateLimiter({ windows: [{ limit: 1000, windowMs: 60_000 }], clock, maxPauseMs: 3_600_000, announceAfterMs: 1e12 });
  const retries: RetryInfo[] = [];
  const client = new DigitalOceanClient({
    baseUrl: ORIGIN,
    token: TOKEN,
    limiter,
    clock,
    maxConcurrency: 4,
    timeoutMs: 5_000,
    maxRetries: 4,
    backoffBaseMs: 100,
    backoffMaxMs: 10_000,
    maxRetryAfterMs: 3_600_000,
    timeScale: 1,
    userAgent: 'source-digitalocean/test',
    random: () => 1,
    onRetry: (info) => retries.push(info),
    ...overrides,
  });
  return { client, clock, limiter, retries };
}

/** Where the token shows up in an error: message, stack or any field. */
function tokenLeaks(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [`not an ApiError: ${String(error)}`];
  const places: [string, string][] = [
    ['message', error.message],
    ['stack', String(error.stack)],
    ['fields', JSON.stringify({ ...error })],
  ];
  return places.filter(([, text]) => text.includes(TOKEN)).map(([where]) => where);
}

nock.disableNetConnect();
t.beforeEach(() => nock.cleanAll());
t.afterEach(() => {
  nock.cleanAll();
});
t.teardown(() => nock.enableNetConnect());

t.test('sends the bearer token, Accept and User-Agent to the configured origin', async (t) => {
  const scope = nock(ORIGIN, {
    reqheaders: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'user-agent': 'source-digitalocean/test' },
  })
    .get('/v2/account')
    .query({ a: '1', b: 'x y' })
    .reply(200, { account: { uuid: 'u' } });
  const { client, clock } = setup();
  const response = await client.get('/v2/account', { a: '1', b: 'x y' });
  t.same(response, { status: 200, body: { account: { uuid: 'u' } } });
  t.ok(scope.isDone());
  t.equal(client.requestCount, 1);
  t.same(clock.sleeps, [], 'no wait for a request that succeeds at once');
});

t.test('429 honours retry-after (seconds) through the shared limiter', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/droplets')
    .reply(429, { id: 'too_many_requests', message: 'slow down' }, { 'retry-after': '7' })
    .get('/v2/droplets')
    .reply(200, { droplets: [] });
  const { client, clock, retries } = setup();
  const start = clock.now();
  const response = await client.get('/v2/droplets', {}, { labels: ['droplets'] });
  t.same(response.body, { droplets: [] });
  t.ok(scope.isDone());
  t.same(clock.sleeps, [7000], 'waited exactly retry-after');
  t.equal(clock.now() - start, 7000);
  t.equal(retries.length, 1);
  t.match(retries[0], { path: '/v2/droplets', attempt: 1, waitMs: 7000, kind: 'rate_limited', status: 429, labels: ['droplets'] });
});

t.test('retry-after is scaled by timeScale and capped by maxRetryAfterMs', async (t) => {
  nock(ORIGIN).get('/a').reply(429, {}, { 'retry-after': '10' }).get('/a').reply(200, {});
  const scaled = setup({ timeScale: 0.01 });
  await scaled.client.get('/a');
  t.same(scaled.clock.sleeps, [100], '10 s × 0.01');

  nock(ORIGIN).get('/b').reply(429, {}, { 'retry-after': '999999' }).get('/b').reply(200, {});
  const capped = setup({ maxRetryAfterMs: 5_000 });
  await capped.client.get('/b');
  t.same(capped.clock.sleeps, [5000], 'capped');
});

t.test('429 retry-after as an HTTP date', async (t) => {
  const clock = new FakeClock(Date.parse('2024-05-01T12:00:00Z'));
  nock(ORIGIN).get('/a').reply(429, {}, { 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' }).get('/a').reply(200, {});
  const { client } = setup({ clock });
  await client.get('/a');
  t.same(clock.sleeps, [30_000]);
});

t.test('429 without retry-after honours ratelimit-reset (epoch seconds)', async (t) => {
  const clock = new FakeClock(1_700_000_000_000);
  nock(ORIGIN)
    .get('/a')
    .reply(429, {}, { 'ratelimit-reset': String(1_700_000_000 + 42), 'ratelimit-remaining': '3' })
    .get('/a')
    .reply(200, { ok: true });
  const { client, retries } = setup({ clock });
  await client.get('/a');
  t.same(clock.sleeps, [42_000]);
  t.equal(retries[0].waitMs, 42_000);
});

t.test('retry-after wins over ratelimit-reset', async (t) => {
  const clock = new FakeClock(1_700_000_000_000);
  nock(ORIGIN)
    .get('/a')
    .reply(429, {}, { 'retry-after': '2', 'ratelimit-reset': String(1_700_000_000 + 600), 'ratelimit-remaining': '5' })
    .get('/a')
    .reply(200, {});
  const { client } = setup({ clock });
  await client.get('/a');
  t.same(clock.sleeps, [2_000]);
});

t.test('429 with neither header backs off exponentially', async (t) => {
  nock(ORIGIN).get('/a').times(3).reply(429, {}).get('/a').reply(200, {});
  const { client, clock, retries } = setup();
  await client.get('/a');
  t.same(clock.sleeps, [100, 200, 400]);
  t.same(
    retries.map((r) => r.attempt),
    [1, 2, 3],
  );
});

t.test('backoff jitter stays within [half, full] of the exponential step', async (t) => {
  nock(ORIGIN).get('/a').times(3).reply(503, {}).get('/a').reply(200, {});
  const { client, clock } = setup({ random: () => 0 });
  await client.get('/a');
  t.same(clock.sleeps, [50, 100, 200], 'random()=0 → half the step');
});

t.test('a burst of 5xx then success; backoff is capped by backoffMaxMs', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/volumes')
    .reply(500, 'oops')
    .get('/v2/volumes')
    .reply(502, '<html>bad gateway</html>')
    .get('/v2/volumes')
    .reply(503, {})
    .get('/v2/volumes')
    .reply(504, {})
    .get('/v2/volumes')
    .reply(200, { volumes: [{ id: 'v' }] });
  const { client, clock, retries } = setup({ backoffMaxMs: 250 });
  const response = await client.get('/v2/volumes');
  t.same(response.body, { volumes: [{ id: 'v' }] });
  t.ok(scope.isDone());
  t.equal(client.requestCount, 5);
  t.same(clock.sleeps, [100, 200, 250, 250]);
  t.same(
    retries.map((r) => r.status),
    [500, 502, 503, 504],
  );
});

t.test('a 2xx body that is not JSON is retried', async (t) => {
  nock(ORIGIN)
    .get('/a')
    .reply(200, '{"droplets": [{"id": 1', { 'content-type': 'application/json' })
    .get('/a')
    .reply(200, '<!doctype html><html>maintenance</html>', { 'content-type': 'text/html' })
    .get('/a')
    .reply(200, '')
    .get('/a')
    .reply(200, { droplets: [{ id: 1 }] });
  const { client, retries } = setup();
  const response = await client.get('/a');
  t.same(response.body, { droplets: [{ id: 1 }] });
  t.same(
    retries.map((r) => r.kind),
    ['bad_body', 'bad_body', 'bad_body'],
  );
});

t.test('attempts are bounded; the last failure decides the ApiError', async (t) => {
  const cases: [number | 'html', string, string][] = [
    [503, 'server', 'transient_error'],
    [429, 'rate_limited', 'transient_error'],
    [408, 'timeout', 'transient_error'],
    ['html', 'bad_body', 'transient_error'],
  ];
  for (const [status, kind, failureType] of cases) {
    nock.cleanAll();
    const scope = nock(ORIGIN)
      .get('/v2/x')
      .times(3)
      .reply(status === 'html' ? 200 : status, status === 'html' ? '<html></html>' : { message: 'nope' });
    const { client, clock } = setup({ maxRetries: 2 });
    const error = await client.get('/v2/x').catch((e: unknown) => e);
    t.type(error, ApiError, `${status}`);
    const e = error as ApiError;
    t.equal(e.kind, kind, `${status} → ${kind}`);
    t.equal(e.failureType, failureType);
    t.equal(e.path, '/v2/x');
    t.equal(client.requestCount, 3, `${status}: 1 + maxRetries attempts`);
    t.ok(scope.isDone());
    t.equal(clock.sleeps.length, 2, 'a wait between attempts, none after the last');
    if (status !== 'html') {
      t.equal(e.status, status);
      t.equal(e.apiMessage, 'nope');
    }
    t.same(tokenLeaks(error), [], 'the token appears nowhere in the error');
  }
});

t.test('401, 403, 404, 400, 405, 412, 422 are not retried', async (t) => {
  const cases: [number, string, string][] = [
    [401, 'unauthorized', 'config_error'],
    [403, 'forbidden', 'config_error'],
    [404, 'not_found', 'system_error'],
    [400, 'client', 'system_error'],
    [405, 'client', 'system_error'],
    [412, 'precondition', 'config_error'],
    [422, 'client', 'system_error'],
  ];
  for (const [status, kind, failureType] of cases) {
    nock.cleanAll();
    nock(ORIGIN).get('/v2/account').reply(status, { id: 'x', message: `message ${status}` });
    const { client, clock, retries } = setup();
    const error = await client.get('/v2/account').catch((e: unknown) => e);
    const e = error as ApiError;
    t.equal(e.kind, kind, `${status} → ${kind}`);
    t.equal(e.failureType, failureType, `${status} → ${failureType}`);
    t.equal(e.status, status);
    t.equal(e.apiMessage, `message ${status}`);
    t.equal(client.requestCount, 1, `${status} sent once`);
    t.same(clock.sleeps, []);
    t.same(retries, []);
    t.ok(nock.isDone());
    t.same(tokenLeaks(error), [], 'the token appears nowhere in the error');
  }
});

t.test('the token never appears in an ApiError, even when the API echoes it', async (t) => {
  nock(ORIGIN).get('/v2/account').reply(401, { id: 'unauthorized', message: `Unable to authenticate you with ${TOKEN}` });
  const { client } = setup();
  const error = await client.get('/v2/account').catch((e: unknown) => e);
  t.same(tokenLeaks(error), [], 'the token appears nowhere in the error');
  t.match((error as ApiError).message, '401');
  t.match((error as ApiError).message, '/v2/account');
  t.match((error as ApiError).apiMessage, /^Unable to authenticate you with /, 'the rest of the API message is kept');
});

t.test('an empty, negative or garbage retry-after is not read as "retry now"', async (t) => {
  for (const value of ['', '   ', '-5', '5 seconds']) {
    nock.cleanAll();
    nock(ORIGIN).get('/a').reply(429, {}, { 'retry-after': value }).get('/a').reply(200, {});
    const { client, clock } = setup();
    await client.get('/a');
    t.same(clock.sleeps, [100], `retry-after ${JSON.stringify(value)} → exponential backoff`);
  }
});

t.test('a retry hint of zero or in the past is no reason to hammer: exponential backoff with jitter', async (t) => {
  const past = new Date(1_700_000_000_000 - 60_000).toUTCString();
  for (const headers of [{ 'retry-after': '0' }, { 'retry-after': '0.0' }, { 'retry-after': past }]) {
    nock.cleanAll();
    nock(ORIGIN).get('/a').times(3).reply(429, {}, headers).get('/a').reply(200, {});
    const { client, clock, retries } = setup({ random: () => 0 });
    await client.get('/a');
    // random 0 is the low end of the jitter: half of each exponential step (100, 200, 400 ms).
    t.same(retries.map((r) => r.waitMs), [50, 100, 200], `${JSON.stringify(headers)}: growing waits, none of them 0`);
    t.same(clock.sleeps, [50, 100, 200], 'and the limiter held the requests that long');
  }
});

t.test('a positive retry hint below one backoff step waits one step', async (t) => {
  nock(ORIGIN).get('/a').reply(429, {}, { 'retry-after': '0.01' }).get('/a').reply(200, {});
  const { client, retries } = setup();
  await client.get('/a');
  t.equal(retries[0].waitMs, 100);
});

t.test('a ratelimit-reset already past (clock skew) falls back to backoff', async (t) => {
  const clock = new FakeClock(1_700_000_000_000);
  nock(ORIGIN)
    .get('/a')
    .times(2)
    .reply(429, {}, { 'ratelimit-reset': String(1_700_000_000 - 30) })
    .get('/a')
    .reply(200, {});
  const { client } = setup({ clock });
  await client.get('/a');
  t.same(clock.sleeps, [100, 200]);
});

t.test('observe: ratelimit-remaining 0 on a success pauses the next request until the reset', async (t) => {
  const clock = new FakeClock(1_700_000_000_000);
  nock(ORIGIN)
    .get('/a')
    .reply(200, {}, { 'ratelimit-remaining': '0', 'ratelimit-reset': String(1_700_000_000 + 90) })
    .get('/b')
    .reply(200, {});
  const { client } = setup({ clock });
  await client.get('/a');
  t.same(clock.sleeps, []);
  await client.get('/b');
  t.same(clock.sleeps, [90_000]);
});

t.test('urlFor keeps every request on the configured origin', async (t) => {
  const { client } = setup();
  t.equal(client.urlFor('/v2/droplets', { page: '2' }).href, `${ORIGIN}/v2/droplets?page=2`);
  for (const bad of ['//evil.example/v2/droplets', '/\\evil.example/v2', 'https://evil.example/v2', 'v2/droplets', '']) {
    t.throws(() => client.urlFor(bad), `${JSON.stringify(bad)} refused`);
  }
  // nock fails any request to a host it does not know: none may be attempted.
  await t.rejects(client.get('//evil.example/v2/droplets'), /refusing|absolute/);
  await t.rejects(client.get('https://evil.example/v2/droplets'), /absolute/);
  t.equal(client.requestCount, 0);
});

t.test('a base URL with a path still only sends to its origin', async (t) => {
  nock(ORIGIN).get('/v2/account').reply(200, { ok: 1 });
  const { client } = setup({ baseUrl: `${ORIGIN}/some/prefix?x=1` });
  t.equal(client.urlFor('/v2/account').href, `${ORIGIN}/v2/account`);
  t.same((await client.get('/v2/account')).body, { ok: 1 });
});

t.test('maxConcurrency bounds the requests in flight', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const pending: (() => void)[] = [];
  nock(ORIGIN)
    .get(/\/v2\/item\/\d+/)
    .times(6)
    .reply((_uri, _body, callback) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      pending.push(() => {
        inFlight--;
        callback(null, [200, { ok: true }]);
      });
    });
  const { client } = setup({ maxConcurrency: 2 });
  const all = Promise.all([0, 1, 2, 3, 4, 5].map((i) => client.get(`/v2/item/${i}`)));
  // Release the held responses one by one until every request has been answered.
  for (let released = 0; released < 6; ) {
    await new Promise((r) => setImmediate(r));
    const next = pending.shift();
    if (next) {
      next();
      released++;
    }
  }
  await all;
  t.equal(peak, 2, 'never more than 2 at once');
  t.equal(client.requestCount, 6);
});
