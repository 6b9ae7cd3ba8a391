/**
 * Network failures against a real loopback server: nock's replyWithError does not fail the way a real
 * socket does (fetch rejects with `TypeError: fetch failed` whose cause is the socket error).
 */
import nock from 'nock';
import t from 'tap';
import type { Clock } from '../../src/http/clock.js';
import { DigitalOceanClient, type RetryInfo } from '../../src/http/client.js';
import { ApiError } from '../../src/http/errors.js';
import { RateLimiter } from '../../src/http/limiter.js';
import { startHostile } from '../helpers/hostile-server.js';

const TOKEN = 'dop_v1_feedfacecafebeef_NETWORK_SECRET';

class FakeClock implements Clock {
  sleeps: number[] = [];
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
  }
}

function clientFor(origin: string, timeoutMs = 2_000, maxBodyBytes?: number) {
  const clock = new FakeClock();
  const retries: RetryInfo[] = [];
  const client = new DigitalOceanClient({
    baseUrl: origin,
    token: TOKEN,
    limiter: new RateLimiter({ windows: [{ limit: 1000, windowMs: 60_000 }], clock, maxPauseMs: 60_000 }),
    clock,
    maxConcurrency: 2,
    timeoutMs,
    maxRetries: 2,
    backoffBaseMs: 100,
    backoffMaxMs: 1_000,
    maxRetryAfterMs: 60_000,
    timeScale: 1,
    userAgent: 'test',
    maxBodyBytes,
    random: () => 1,
    onRetry: (info) => retries.push(info),
  });
  return { client, clock, retries };
}

function leaks(error: unknown): boolean {
  const e = error as Error;
  return `${e.message}\n${String(e.stack)}\n${JSON.stringify({ ...e })}`.includes(TOKEN);
}

// Only the loopback servers below may be reached.
nock.disableNetConnect();
nock.enableNetConnect('127.0.0.1');
t.teardown(() => nock.enableNetConnect());

t.test('a connection reset is a retried network error', async (t) => {
  const server = await startHostile((req) => req.socket.destroy());
  t.teardown(() => server.close());
  const { client, clock, retries } = clientFor(server.url);
  const error = await client.get('/v2/droplets', { page: '1' }).catch((e: unknown) => e);
  t.type(error, ApiError);
  const e = error as ApiError;
  t.equal(e.kind, 'network');
  t.equal(e.failureType, 'transient_error');
  t.equal(e.status, undefined);
  t.equal(server.requests.length, 3, '1 + maxRetries attempts reached the server');
  t.same(
    retries.map((r) => r.kind),
    ['network', 'network'],
  );
  t.same(clock.sleeps, [100, 200]);
  t.equal(server.requests[0].authorization, `Bearer ${TOKEN}`);
  t.notOk(leaks(error), 'no token in the error');
});

t.test('a reset then a success recovers', async (t) => {
  const server = await startHostile((req, res, index) => {
    if (index === 0) req.socket.destroy();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  t.teardown(() => server.close());
  const { client } = clientFor(server.url);
  t.same((await client.get('/v2/account')).body, { ok: true });
  t.equal(server.requests.length, 2);
});

t.test('a body cut off mid-stream is retried', async (t) => {
  const server = await startHostile((req, res, index) => {
    if (index === 0) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"droplets": [');
      setImmediate(() => req.socket.destroy());
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"droplets":[]}');
    }
  });
  t.teardown(() => server.close());
  const { client, retries } = clientFor(server.url);
  t.same((await client.get('/v2/droplets')).body, { droplets: [] });
  t.equal(retries.length, 1);
  t.ok(['network', 'bad_body'].includes(retries[0].kind), `retried as ${retries[0].kind}`);
});

t.test('a server that never answers times out after timeoutMs and is retried', async (t) => {
  const server = await startHostile(() => undefined);
  t.teardown(() => server.close());
  const { client, retries } = clientFor(server.url, 30);
  const started = Date.now();
  const error = await client.get('/v2/account').catch((e: unknown) => e);
  const elapsed = Date.now() - started;
  t.type(error, ApiError);
  const e = error as ApiError;
  t.equal(e.kind, 'timeout');
  t.equal(e.failureType, 'transient_error');
  t.equal(server.requests.length, 3);
  t.same(
    retries.map((r) => r.kind),
    ['timeout', 'timeout'],
  );
  t.ok(elapsed >= 80, `three 30 ms timeouts took ${elapsed} ms`);
  t.ok(elapsed < 2_000, 'and not the default timeout');
  t.notOk(leaks(error));
});

t.test('a connection refused is a network error', async (t) => {
  const server = await startHostile(() => undefined);
  const origin = server.url;
  await server.close();
  const { client } = clientFor(origin);
  const error = await client.get('/v2/account').catch((e: unknown) => e);
  t.equal((error as ApiError).kind, 'network');
  t.equal(client.requestCount, 3);
  t.notOk(leaks(error));
});

t.test('a body that stalls after the headers times out too', async (t) => {
  const server = await startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"account": ');
  });
  t.teardown(() => server.close());
  const { client } = clientFor(server.url, 30);
  const error = await client.get('/v2/account').catch((e: unknown) => e);
  t.equal((error as ApiError).kind, 'timeout');
  t.equal(server.requests.length, 3);
});

const KIB = 1024;

t.test('a body over the cap fails at once, without retry, naming the path and the cap', async (t) => {
  // An endless body (no Content-Length): the read stops after the cap, the connection is dropped.
  let written = 0;
  const server = await startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"droplets":[');
    const chunk = '{"id":1},'.repeat(1000);
    const pump = (): void => {
      while (!res.destroyed && written < 50 * 1024 * KIB) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    res.on('close', () => undefined);
    pump();
  });
  t.teardown(() => server.close());
  const { client, retries } = clientFor(server.url, 5_000, 64 * KIB);
  const error = await client.get('/v2/droplets', { per_page: '200' }).catch((e: unknown) => e);
  t.type(error, ApiError);
  const e = error as ApiError;
  t.equal(e.kind, 'too_large');
  t.equal(e.retryable, false);
  t.equal(e.failureType, 'system_error');
  t.match(e.message, 'GET /v2/droplets');
  t.match(e.message, '65536 bytes cap (max_response_size_mb)');
  t.equal(server.requests.length, 1, 'not retried');
  t.same(retries, []);
  t.ok(written < 50 * 1024 * KIB, `the server stopped being read (${written} bytes written)`);
});

t.test('a declared Content-Length over the cap is refused before the body is read', async (t) => {
  const server = await startHostile((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024) });
    res.write('{"a":"');
  });
  t.teardown(() => server.close());
  const { client } = clientFor(server.url, 5_000, 1024 * KIB);
  const error = (await client.get('/v2/big').catch((e: unknown) => e)) as ApiError;
  t.equal(error.kind, 'too_large');
  t.match(error.message, '1 MiB cap');
  t.equal(server.requests.length, 1);
});

t.test('a body just under the cap is read', async (t) => {
  const body = JSON.stringify({ droplets: [{ id: 'x'.repeat(60 * KIB) }] });
  const server = await startHostile((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  t.teardown(() => server.close());
  const { client } = clientFor(server.url, 5_000, 64 * KIB);
  t.same((await client.get('/v2/droplets')).body, JSON.parse(body));
});

t.test('a redirect is never followed: an error naming the Location origin, never its query', async (t) => {
  const target = await startHostile((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"droplets":[{"id":666}]}'));
  t.teardown(() => target.close());
  for (const [status, location, named] of [
    [301, `${target.url}/v2/droplets?token=SECRET_QUERY`, target.url],
    [302, '/v2/elsewhere?x=SECRET_QUERY', null],
    [307, 'file:///etc/passwd?SECRET_QUERY', 'a file: URL'],
    [308, 'http://[not-a-url?SECRET_QUERY', 'an invalid Location'],
  ] as const) {
    const server = await startHostile((_req, res) => res.writeHead(status, { location }).end('moved'));
    const { client, retries } = clientFor(server.url);
    const error = (await client.get('/v2/droplets').catch((e: unknown) => e)) as ApiError;
    t.type(error, ApiError);
    t.equal(error.kind, 'redirect', `${status}`);
    t.equal(error.status, status);
    t.equal(error.failureType, 'config_error');
    t.equal(error.retryable, false);
    t.match(error.message, `answered ${status}, a redirect to ${named ?? server.url}`);
    t.notMatch(error.message, 'SECRET_QUERY', 'the query of the Location is never shown');
    t.equal(server.requests.length, 1, 'not retried');
    t.same(retries, []);
    t.notOk(leaks(error));
    await server.close();
  }
  t.equal(target.requests.length, 0, 'no request reached the redirect target');
});

t.test('odd bodies: the message says what was received and how many attempts were made', async (t) => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const cases: [string, string | undefined, RegExp, number][] = [
    ['<!doctype html><html>maintenance</html>', 'text/html; charset=utf-8', /returned an HTML page \(39 characters, content-type text\/html\) instead of a JSON object on each of 3 attempts/, 3],
    ['', 'application/json', /returned an empty body, content-type application\/json instead of a JSON object on each of 3 attempts/, 3],
    ['{"droplets": [', 'application/json', /text that is not valid JSON \(14 characters/, 3],
    [`{"a":${deep}}`, 'application/json', /returned JSON nested deeper than 128 levels instead of a JSON object \(one attempt\)/, 1],
  ];
  for (const [body, type, message, attempts] of cases) {
    const server = await startHostile((_req, res) => res.writeHead(200, type ? { 'content-type': type } : {}).end(body));
    const { client } = clientFor(server.url);
    const error = (await client.get('/v2/x').catch((e: unknown) => e)) as ApiError;
    t.equal(error.kind, 'bad_body');
    t.match(error.message, message);
    t.notMatch(error.message, 'Maximum call stack');
    t.equal(server.requests.length, attempts);
    await server.close();
  }
});
