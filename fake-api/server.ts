/**
 * A fake DigitalOcean API v2 on loopback, for tests and benchmarks of the connector (never shipped).
 * It serves every row of the stream table from a seeded, lazily generated account, and models what a
 * connector can observe of the real API: paging, auth and scopes, rate limits, and faults on demand.
 */
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STREAMS } from '../src/streams/index.js';
import { TokenTable, defaultTokens, holds } from './auth.js';
import type { TokenSpec } from './auth.js';
import { handleControl } from './control.js';
import type { ControlApi } from './control.js';
import { CREDENTIAL_ROUTES } from './credentials.js';
import { REPORT_ROUTES } from './reports.js';
import { ChurnClock } from './churn.js';
import { Dataset } from './data/dataset.js';
import type { ExpectedOptions } from './data/dataset.js';
import type { KeyValue } from './data/keys.js';
import type { JsonObject } from './data/types.js';
import { Faults } from './faults.js';
import type { FaultConfig } from './faults.js';
import { handleApiRequest } from './handler.js';
import type { HandlerDeps, RouteTarget } from './handler.js';
import { BodyCache } from './lru.js';
import { defaultSchemasDir, realSleep } from './options.js';
import type { FakeApiOptions } from './options.js';
import { RateLimiter } from './ratelimit.js';
import { handleS3Request, type S3Log } from './s3.js';
import { Router } from './router.js';
import { Stats } from './stats.js';
import type { StatsSnapshot } from './stats.js';

export type { FakeApiOptions } from './options.js';
export type { Fault, FaultConfig, FaultRule, LinkQuirks } from './faults.js';
export type { RateLimitOptions, WindowLimit } from './ratelimit.js';
export type { RequestLogEntry, StatsSnapshot } from './stats.js';
export type { TokenOption, TokenSpec } from './auth.js';
export type { JsonObject } from './data/types.js';
export { CREDENTIAL_SCOPES, DEFAULT_TOKENS } from './auth.js';

export interface ExpectedRecordsOptions extends ExpectedOptions {
  /** Decide withSecrets from this token's scopes (database:view_credentials). */
  token?: string;
}

/** The account behind the server, for tests: what it would answer, without asking over HTTP. */
export interface FakeAccount {
  readonly seed: number;
  readonly scale: number;
  /** The account's "today" (YYYY-MM-DD, UTC): the day of the `now` clock when the server started. */
  readonly today: string;
  /** Every record the server returns for a stream, across all parents, in the order a connector reads them. */
  expectedRecords(stream: string, options?: ExpectedRecordsOptions): IterableIterator<JsonObject>;
  /** Number of records of a stream across all parents (walks the parents of a child stream). */
  count(stream: string): number;
  /** Key (id, name…) of top-level record `index` of a stream, without generating it. */
  key(stream: string, index: number, field?: string): KeyValue;
}

export interface FakeApi {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly account: FakeAccount;
  /** The token table: token → name and scopes. */
  readonly tokens: Readonly<Record<string, TokenSpec>>;
  close(): Promise<void>;
  /** Counters and the log (all of it unless `logTail`). */
  stats(logTail?: number): StatsSnapshot;
  resetStats(): void;
  /** Replaces every fault rule and link quirk (counters start again) and drops cached bodies. */
  setFaults(config: FaultConfig): void;
  resetRateLimits(): void;
  /** The S3 requests served (Spaces buckets: anything outside /v2/ and /__fake/), in order. */
  s3Log(): readonly S3Log[];
  /** Moves the account on by simulated hours, with their churn (fake-api/churn.ts); returns the hour. */
  advance(hours: number): number;
}

function todayOf(option: string | number | undefined, now: () => number): number {
  if (option === undefined) return now();
  const ms = typeof option === 'number' ? option : Date.parse(option);
  if (!Number.isFinite(ms)) throw new Error(`today: not a date: ${String(option)}`);
  return ms;
}

export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const seed = options.seed ?? 42;
  // Spaces bucket rows speak S3, served by fake-api/s3.ts, not by the API v2 router and data set.
  const streams = (options.streams ?? STREAMS).filter((def) => !def.transport);
  const now = options.now ?? Date.now;
  // Simulated hours (POST /__fake/advance): the account churns as they pass (fake-api/churn.ts).
  const churn = new ChurnClock(seed);
  const dataset = new Dataset({
    seed,
    scale: options.scale ?? 50,
    streams,
    counts: options.counts,
    kinds: options.kinds,
    schemasDir: options.schemasDir === undefined ? defaultSchemasDir() : options.schemasDir,
    today: todayOf(options.today, now),
    gpuDropletEvery: options.gpuDropletEvery,
    churn,
  });
  const tokens = new TokenTable({ ...(options.defaultTokens === false ? {} : defaultTokens(streams)), ...(options.tokens ?? {}) });
  const router = new Router<RouteTarget>();
  for (const route of CREDENTIAL_ROUTES) router.add(route.path, { kind: 'credential', route });
  for (const route of REPORT_ROUTES) router.add(route.path, { kind: 'report', route });
  for (const def of streams) router.add(def.path, { kind: 'stream', def });

  const stats = new Stats(options.logLimit ?? 100_000);
  const cache = new BodyCache(options.cacheChars ?? 64 * 1024 * 1024);
  const faults = new Faults(seed, options.faults);
  const limiter = new RateLimiter(options.rateLimits ?? {}, now);
  const pending = new Set<ServerResponse>();
  let origin = '';

  const deps: HandlerDeps = {
    dataset, tokens, limiter, faults, stats, cache, router, now, pending,
    sleep: options.sleep ?? realSleep,
    lookupBeforeScope: options.lookupBeforeScope ?? false,
    origin: () => origin,
  };

  const account: FakeAccount = {
    seed,
    scale: dataset.scale,
    today: new Date(dataset.today).toISOString().slice(0, 10),
    expectedRecords: (stream, o = {}) => {
      const spec = o.token === undefined ? undefined : tokens.entries()[o.token];
      if (o.token !== undefined && !spec) throw new Error('expectedRecords: unknown token');
      const withSecrets = spec ? holds(spec.scopes, 'database:view_credentials') : o.withSecrets;
      return dataset.expected(stream, { withSecrets, raw: o.raw });
    },
    count: (stream) => {
      let n = 0;
      const def = dataset.def(stream);
      if (!def) throw new Error(`unknown stream: ${stream}`);
      for (const parent of dataset.parents(def)) n += dataset.count(def, parent);
      return n;
    },
    key: (stream, index, field) => dataset.key(stream, index, field),
  };

  const api = {
    stats: (logTail?: number) => stats.snapshot(cache.info(), logTail),
    resetStats: () => {
      stats.reset();
      cache.resetCounters();
    },
    setFaults: (config: FaultConfig) => {
      faults.set(config);
      cache.clear(); // link quirks are baked into cached bodies
    },
    resetRateLimits: () => limiter.reset(),
    advance: (hours: number) => {
      churn.hour += Math.max(0, Math.floor(hours));
      cache.clear(); // every cached body may have changed
      return churn.hour;
    },
  };
  const control: ControlApi = {
    ...api,
    stats: (tail) => api.stats(tail),
    hasStream: (name) => dataset.def(name) !== undefined,
    expected: (stream, o) => dataset.expected(stream, o),
  };

  const s3Requests: S3Log[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith('/v2/') && !url.pathname.startsWith('/__fake/')) {
      handleS3Request(req, res, url, s3Requests);
      return;
    }
    const work = url.pathname.startsWith('/__fake/') ? handleControl(control, req, res, url) : handleApiRequest(deps, req, res, url);
    work.catch((err: unknown) => {
      // A bug in the fake must show up as a 500 the test can see, not as a hung request.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake-api error: ${err instanceof Error ? err.stack : String(err)}`);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: origin,
    port: address.port,
    account,
    tokens: tokens.entries(),
    ...api,
    s3Log: () => s3Requests,
    // Idempotent: a test may close the server and its teardown close it again.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        for (const res of pending) res.destroy();
        pending.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}
