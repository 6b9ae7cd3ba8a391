import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi, type FaultConfig, type RateLimitOptions } from '../../fake-api/server.js';
import { STREAMS as TABLE } from '../../src/streams/index.js';
import { isSecretKey, spawnCli, stringLeaves, type SpawnResult } from '../helpers/e2e.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { mapPool } from '../helpers/pool.js';
import { errorTraces, statuses } from '../helpers/protocol.js';

/** The API v2 rows: the S3 rows (Spaces buckets) need a Spaces key and are tested in test/spaces/. */
const STREAMS = TABLE.filter((def) => !def.transport);

/**
 * The fault matrix: a full sync of every stream with one kind of fault injected, compared with a
 * fault-free sync of the same account. Waits are compressed (SOURCE_DIGITALOCEAN_TIME_SCALE) so that
 * nothing sleeps for seconds.
 */

const SEED = 21;
const SCALE = 6;
const TOKEN = DEFAULT_TOKENS.readOnlyWithCredentials;
const names = STREAMS.map((s) => s.name);

interface Outcome {
  run: SpawnResult;
  api: FakeApi;
  byStream: Map<string, Set<string>>;
}

async function sync(faults: FaultConfig, rateLimits: RateLimitOptions | false = false, timeScale = '0.001', config: Record<string, unknown> = {}): Promise<Outcome> {
  const api = await startFakeApi({ seed: SEED, scale: SCALE, rateLimits, faults });
  const files = writeInputs({
    'config.json': { api_token: TOKEN, api_url: api.url, max_concurrency: 4, ...config },
    'catalog.json': catalogFor(names),
  });
  const run = await spawnCli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], {
    env: { SOURCE_DIGITALOCEAN_TIME_SCALE: timeScale },
  });
  const byStream = new Map<string, Set<string>>();
  for (const m of run.messages) {
    if (m.type !== 'RECORD' || !m.record) continue;
    const set = byStream.get(m.record.stream) ?? new Set<string>();
    set.add(JSON.stringify(m.record.data));
    byStream.set(m.record.stream, set);
  }
  return { run, api, byStream };
}

function secretsOf(api: FakeApi): string[] {
  const secrets = new Set<string>();
  for (const name of names) {
    const visible = stringLeaves([...api.account.expectedRecords(name, { withSecrets: false })]);
    for (const v of stringLeaves([...api.account.expectedRecords(name, { withSecrets: true })], new Set(), isSecretKey)) {
      if (!visible.has(v) && v.length >= 6) secrets.add(v);
    }
  }
  return [...secrets];
}

interface Case {
  name: string;
  faults: FaultConfig;
  rateLimits?: RateLimitOptions;
  timeScale?: string;
  config?: Record<string, unknown>;
  /** The wait is long enough to be announced with a RATE_LIMITED stream status. */
  announcesWait?: boolean;
  exit: number;
  /** Streams expected to fail, with the failure_type of their TRACE ERROR. */
  failing?: Record<string, string>;
  /** Every stream may stop (401): records are compared only as a subset of the baseline. */
  subset?: boolean;
  /** Records expected to be missing from these streams (a deleted parent). */
  partial?: string[];
}

const everywhere = '/v2/';
const cases: Case[] = [
  // These two also say the hourly quota is used up (remaining 0, reset in 1 s of real time): the
  // connector must hold every request until then, and announce the wait.
  { name: '429 with retry-after', faults: { rules: [{ pathPrefix: everywhere, times: 3, fault: { kind: 'rate_limited', headers: 'retry-after', retryAfterSeconds: 1 } }] }, exit: 0, announcesWait: true },
  { name: '429 with only ratelimit-reset', faults: { rules: [{ pathPrefix: everywhere, times: 3, fault: { kind: 'rate_limited', headers: 'reset-only', retryAfterSeconds: 1 } }] }, exit: 0, announcesWait: true },
  { name: '429 with no headers', faults: { rules: [{ pathPrefix: everywhere, rate: 0.15, fault: { kind: 'rate_limited', headers: 'none' } }] }, exit: 0 },
  {
    name: 'bursts of 500/502/503/504',
    faults: {
      rules: [500, 502, 503, 504].map((status, k) => ({ pathPrefix: ['/v2/droplets', '/v2/databases', '/v2/domains', '/v2/registries'][k], times: 3, fault: { kind: 'status' as const, status } })),
    },
    exit: 0,
  },
  { name: 'connection reset mid-body', faults: { rules: [{ pathPrefix: everywhere, rate: 0.1, fault: { kind: 'reset', when: 'mid-body' } }] }, exit: 0 },
  { name: 'connection reset before headers', faults: { rules: [{ pathPrefix: everywhere, rate: 0.1, fault: { kind: 'reset', when: 'before-headers' } }] }, exit: 0 },
  { name: 'timeout', faults: { rules: [{ pathPrefix: '/v2/droplets', times: 2, fault: { kind: 'timeout' } }] }, exit: 0 },
  { name: 'truncated JSON', faults: { rules: [{ pathPrefix: everywhere, rate: 0.1, fault: { kind: 'truncated' } }] }, exit: 0 },
  { name: 'HTML error page', faults: { rules: [{ pathPrefix: everywhere, rate: 0.1, fault: { kind: 'html', status: 502 } }] }, exit: 0 },
  { name: '401 mid-sync', faults: { rules: [{ pathPrefix: everywhere, after: 40, fault: { kind: 'status', status: 401 } }] }, exit: 1, subset: true },
  {
    name: '403 on one stream',
    faults: { rules: [{ pathRegex: '^/v2/firewalls(\\?|$)', fault: { kind: 'status', status: 403 } }] },
    exit: 1,
    failing: { firewalls: 'config_error' },
  },
  {
    // DigitalOcean answers 412 where an endpoint does not apply to the account's setup.
    name: '412 on one stream',
    faults: { rules: [{ pathRegex: '^/v2/cdn/endpoints(\\?|$)', fault: { kind: 'status', status: 412, message: 'precondition failed' } }] },
    exit: 1,
    failing: { cdn_endpoints: 'config_error' },
  },
  {
    name: '404 on a child (parent deleted)',
    faults: { rules: [{ pathRegex: '^/v2/domains/[^/]+/records', times: 1, fault: { kind: 'status', status: 404 } }] },
    exit: 0,
    partial: ['domain_records'],
  },
  {
    // DigitalOcean's 250 per minute, scaled down so that a small account needs several windows.
    name: 'rate limit enforced at 50 per 0.6 s',
    faults: {},
    rateLimits: { perMinute: { requests: 50, windowMs: 600 }, perHour: { requests: 5000, windowMs: 36_000 }, endpointWindowScale: 0.01 },
    timeScale: '0.01',
    config: { requests_per_minute: 48 },
    exit: 0,
  },
];

t.test('fault matrix', async (t) => {
  // Every sync is independent (its own fake API and input files): they run three at a time, and the
  // assertions below read their outcomes in order. A case with an enforced rate limit runs alone
  // afterwards, so that no other sync delays its requests into the server's next window.
  const timedSync = async (c: Case | undefined) => {
    const started = Date.now();
    const outcome = c ? await sync(c.faults, c.rateLimits ?? false, c.timeScale, c.config) : await sync({});
    return { outcome, seconds: (Date.now() - started) / 1000 };
  };
  const results = new Map<Case | undefined, Awaited<ReturnType<typeof timedSync>>>();
  const shared = [undefined, ...cases.filter((c) => !c.rateLimits)];
  (await mapPool(shared, 3, timedSync)).forEach((r, i) => results.set(shared[i], r));
  for (const c of cases.filter((c) => c.rateLimits)) results.set(c, await timedSync(c));
  for (const { outcome } of results.values()) t.teardown(() => outcome.api.close());
  const baseline = results.get(undefined)!.outcome;
  t.equal(baseline.run.code, 0, 'the fault-free sync succeeds');
  const secrets = secretsOf(baseline.api);
  t.ok(secrets.length > 0, `the account serves secrets to this token (${secrets.length})`);
  const baselineRecords = [...baseline.byStream.values()].reduce((n, s) => n + s.size, 0);
  const matrix: string[] = [];
  let lostTotal = 0;
  let leaksTotal = 0;

  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const { outcome, seconds } = results.get(c)!;
      const { run } = outcome;
      t.equal(run.code, c.exit, `exit code ${c.exit} (stderr: ${run.stderr.slice(0, 200)})`);
      t.same(run.protocolErrors, [], 'every line is a valid Airbyte message');
      const leaks = secrets.filter((s) => run.stdout.includes(s) || run.stderr.includes(s));
      const tokenLeak = run.stdout.includes(TOKEN) || run.stderr.includes(TOKEN);
      t.same(leaks.slice(0, 3), [], 'no secret in the output');
      t.notOk(tokenLeak, 'no token in the output');
      leaksTotal += leaks.length + (tokenLeak ? 1 : 0);

      const errors = errorTraces(run.messages);
      const failing = c.failing ?? {};
      if (!c.subset) {
        t.same(
          errors.map((e) => [e.stream_descriptor?.name, e.failure_type]).sort(),
          Object.entries(failing).sort(),
          'error traces only for the streams expected to fail, with their failure_type',
        );
      } else {
        t.equal(errors.length, 1, 'one error trace for the rejected token');
        t.equal(errors[0]?.failure_type, 'config_error', 'a rejected token is a config_error');
      }
      for (const message of errors.map((e) => e.message)) t.notMatch(message, /\n\s+at /, 'the message is a sentence, not a stack trace');

      let lost = 0;
      let extra = 0;
      for (const name of names) {
        const want = baseline.byStream.get(name) ?? new Set<string>();
        const got = outcome.byStream.get(name) ?? new Set<string>();
        for (const r of got) if (!want.has(r)) extra++;
        if (c.subset || name in failing || c.partial?.includes(name)) continue;
        for (const r of want) if (!got.has(r)) lost++;
        if (!c.subset && !(name in failing)) t.same(statuses(run.messages, name).at(-1), 'COMPLETE', `${name} completes`);
      }
      t.equal(lost, 0, 'no record lost');
      t.equal(extra, 0, 'no record that the fault-free sync did not have');
      if (c.partial) {
        for (const name of c.partial) t.ok((outcome.byStream.get(name)?.size ?? 0) < (baseline.byStream.get(name)?.size ?? 0), `${name}: the deleted parent's records are absent`);
        t.match(run.stdout, /answered 404/, 'the skipped parent is reported in a LOG line');
      }
      const stats = outcome.api.stats(0);
      lostTotal += lost;
      matrix.push(`${c.name}: exit ${run.code}, ${seconds.toFixed(1)} s, ${stats.requests} requests, ${stats.byStatus['429'] ?? 0} answered 429, lost ${lost}, leaks ${leaks.length + (tokenLeak ? 1 : 0)}`);
      if (c.rateLimits) t.equal(stats.byStatus['429'] ?? 0, 0, 'pacing kept every request under the enforced limit');
      if (c.announcesWait) {
        const rateLimited = run.messages.some((m) => m.trace?.stream_status?.status === 'RUNNING' && (m.trace.stream_status.reasons?.length ?? 0) > 0);
        t.ok(rateLimited, 'waiting on the rate limit is announced with a RATE_LIMITED stream status');
        t.match(run.stdout, /Waiting [0-9.]+ s before the next request/, 'and with a LOG line saying how long');
      }
    });
  }
  t.comment(`fault matrix: ${cases.length} fault kinds + 1 baseline sync, ${baselineRecords} records per sync compared, ${lostTotal} lost, ${leaksTotal} leaks`);
  for (const line of matrix) t.comment(line);
});
