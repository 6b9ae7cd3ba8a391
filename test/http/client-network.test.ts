/**
 * Network failures against a real loopback server: nock's replyWithError does not fail the way a real
 * socket does (fetch rejects with `TypeError: fetch failed` whose cause is the socket error).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import nock from 'nock';
import t from 'tap';
import type { Clock } from '../../src/http/clock.js';
import { DigitalOceanClient, type RetryInfo } from '../../src/http/client.js';
import { ApiError } from '../../src/http/errors.js';
import { RateLimiter } from '../../src/http/limiter.js';

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

interface Loopback {
  origin: string;
  requests: { url: string; authorization?: string }[];
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, index: number) => void): Promise<Loopback> {
  const requests: Loopback['requests'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res, requests.length - 1);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function clientFor(origin: string, timeoutMs = 2_000) {
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
  const server = await serve((req) => req.socket.destroy());
  t.teardown(() => server.close());
  const { client, clock, retries } = clientFor(server.origin);
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
  const server = await serve((req, res, index) => {
    if (index === 0) req.socket.destroy();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  t.teardown(() => server.close());
  const { client } = clientFor(server.origin);
  t.same((await client.get('/v2/account')).body, { ok: true });
  t.equal(server.requests.length, 2);
});

t.test('a body cut off mid-stream is retried', async (t) => {
  const server = await serve((req, res, index) => {
    if (index === 0) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"droplets": [');
      setImmediate(() => req.socket.destroy());
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"droplets":[]}');
    }
  });
  t.teardown(() => server.close());
  const { client, retries } = clientFor(server.origin);
  t.same((await client.get('/v2/droplets')).body, { droplets: [] });
  t.equal(retries.length, 1);
  t.ok(['network', 'bad_body'].includes(retries[0].kind), `retried as ${retries[0].kind}`);
});

t.test('a server that never answers times out after timeoutMs and is retried', async (t) => {
  const server = await serve(() => undefined);
  t.teardown(() => server.close());
  const { client, retries } = clientFor(server.origin, 30);
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
  const server = await serve(() => undefined);
  const origin = server.origin;
  await server.close();
  const { client } = clientFor(origin);
  const error = await client.get('/v2/account').catch((e: unknown) => e);
  t.equal((error as ApiError).kind, 'network');
  t.equal(client.requestCount, 3);
  t.notOk(leaks(error));
});

t.test('a body that stalls after the headers times out too', async (t) => {
  const server = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"account": ');
  });
  t.teardown(() => server.close());
  const { client } = clientFor(server.origin, 30);
  const error = await client.get('/v2/account').catch((e: unknown) => e);
  t.equal((error as ApiError).kind, 'timeout');
  t.equal(server.requests.length, 3);
});
