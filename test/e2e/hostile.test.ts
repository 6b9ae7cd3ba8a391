/**
 * The connector against a hostile or broken server (issue 14): one loopback server mode per attack, the
 * built CLI spawned against it. Bounds are asserted as bounds (peak RSS, request counts, exit codes),
 * never as speeds. The measured numbers are printed as TAP comments for the record.
 */
import { spawnSync } from 'node:child_process';
import t, { type Test } from 'tap';
import { CLI } from '../helpers/e2e.js';
import { errorTraces } from '../helpers/protocol.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { json, pump, runMeasured, startHostile, type Handler, type HostileOptions, type HostileServer, type MeasuredOptions, type MeasuredRun } from '../helpers/hostile-server.js';
import type { Message } from '../helpers/protocol.js';

const TOKEN = 'dop_v1_hostile_suite_0123456789abcdef';
/** What a bare Node process running the CLI takes, plus headroom; the bounds below add the body cap. */
const BASE_MIB = 150;
const MIB = 1024 * 1024;

interface Row {
  case: string;
  peakRssMiB: number;
  requests: number;
  exit: number | null;
}
const table: Row[] = [];
t.teardown(() => {
  t.comment('case | peak RSS (MiB) | requests | exit');
  for (const row of table) t.comment(`${row.case} | ${row.peakRssMiB.toFixed(0)} | ${row.requests} | ${row.exit}`);
});

interface Scenario {
  server: HostileServer;
  run: MeasuredRun;
}

async function scenario(
  name: string,
  handler: Handler,
  opts: { streams?: string[]; config?: Record<string, unknown>; command?: 'read' | 'check'; state?: unknown; mode?: 'full_refresh' | 'incremental'; server?: HostileOptions; spawn?: MeasuredOptions; catalog?: unknown } = {},
): Promise<Scenario> {
  const server = await startHostile(handler, opts.server);
  try {
    const files = writeInputs({
      'config.json': { api_token: TOKEN, api_url: server.url, max_concurrency: 2, ...opts.config },
      'catalog.json': opts.catalog ?? catalogFor(opts.streams ?? ['ssh_keys'], opts.mode),
      ...(opts.state === undefined ? {} : { 'state.json': opts.state }),
    });
    const args =
      opts.command === 'check'
        ? ['check', '--config', files['config.json']]
        : ['read', '--config', files['config.json'], '--catalog', files['catalog.json'], ...(opts.state === undefined ? [] : ['--state', files['state.json']])];
    const run = await runMeasured(args, opts.spawn);
    table.push({ case: name, peakRssMiB: run.peakRssMiB, requests: server.requests.length, exit: run.code });
    return { server, run };
  } finally {
    await server.close();
  }
}

const logs = (messages: Message[], level?: string) =>
  messages.filter((m) => m.type === 'LOG' && (level === undefined || m.log?.level === level)).map((m) => m.log!.message);

function assertClean(t: Test, run: MeasuredRun): void {
  t.same(run.protocolErrors, [], 'every stdout line is a valid AirbyteMessage');
  t.notOk(JSON.stringify(run.messages).includes(TOKEN), 'the token appears nowhere');
  t.notOk(JSON.stringify(run.messages).includes('Maximum call stack'), 'no stack overflow surfaces');
}

/**
 * Uncompressed time: the request timeout is then the real 60 s, so that reading a body up to the cap on a
 * busy machine is never cut short by the compressed one (which would be retried and blur the count).
 */
const REAL_TIMEOUTS: MeasuredOptions = { env: { SOURCE_DIGITALOCEAN_TIME_SCALE: '1' } };

const rssKnown = (run: MeasuredRun) => Number.isFinite(run.peakRssMiB);

t.test('an endless body stops at the default 64 MiB cap: one request, TRACE ERROR naming path and cap, bounded RSS', async (t) => {
  const { server, run } = await scenario('endless body (default cap 64 MiB)', (_req, res) => pump(res, '{"ssh_keys":[', '{"id":1,"name":"k"},'.repeat(4096)), {
    spawn: REAL_TIMEOUTS,
  });
  assertClean(t, run);
  t.equal(run.code, 1);
  t.equal(server.requests.length, 1, 'not retried');
  const [error] = errorTraces(run.messages);
  t.match(error.message, 'GET /v2/account/keys returned a body larger than the 64 MiB cap (max_response_size_mb)');
  t.ok(server.bytesWritten() < 200 * MIB, `the server could write only ${(server.bytesWritten() / MIB).toFixed(0)} MiB before the connector hung up`);
  if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB + 2 * 64, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
});

t.test('a huge declared body is refused before it is read', async (t) => {
  const { server, run } = await scenario('huge body, Content-Length 300 MB', (_req, res) =>
    pump(res, '{"ssh_keys":[', '{"id":1},'.repeat(4096), { 'content-length': String(300 * 1000 * 1000) }),
    { spawn: REAL_TIMEOUTS },
  );
  assertClean(t, run);
  t.equal(run.code, 1);
  t.equal(server.requests.length, 1);
  t.match(errorTraces(run.messages)[0].message, 'larger than the 64 MiB cap');
  if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB + 64, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
});

t.test('many endless bodies at once: memory is bounded by max_concurrency times the cap', async (t) => {
  const streams = ['ssh_keys', 'volumes', 'vpcs', 'domains', 'firewalls', 'tags', 'regions', 'sizes'];
  const { server, run } = await scenario(
    '8 endless bodies, max_concurrency 8, cap 16 MiB',
    (req, res) => pump(res, `{"${(req.url ?? '').split('?')[0].split('/').pop()}":[`, '{"id":1},'.repeat(4096)),
    { streams, config: { max_concurrency: 8, max_response_size_mb: 16 }, spawn: REAL_TIMEOUTS },
  );
  assertClean(t, run);
  t.equal(run.code, 1);
  t.equal(server.requests.length, streams.length, 'one request per stream, none retried');
  t.equal(errorTraces(run.messages).length, streams.length, 'each stream failed with its own TRACE ERROR');
  for (const error of errorTraces(run.messages)) t.match(error.message, 'larger than the 16 MiB cap');
  if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB + 2 * 8 * 16, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
});

t.test('empty pages that keep linking to a next one end the list at once', async (t) => {
  for (const style of ['page', 'token'] as const) {
    const { server, run } = await scenario(`endless empty pages (${style})`, (_req, res, index) =>
      json(res, { ssh_keys: [], links: { pages: { next: style === 'page' ? `/v2/account/keys?page=${index + 2}` : `/v2/account/keys?page_token=t${index}` } } }),
    );
    assertClean(t, run);
    t.equal(run.code, 1);
    t.ok(server.requests.length <= 2, `${style}: ${server.requests.length} requests (the page read and at most one asked ahead)`);
    t.match(errorTraces(run.messages)[0].message, 'holds no items yet links to a next page');
  }
});

t.test('a list with fresh page tokens for ever stops at max_pages_per_list', async (t) => {
  const { server, run } = await scenario(
    'endless token pages, max_pages_per_list 25',
    (_req, res, index) => json(res, { ssh_keys: [{ id: index + 1, name: `k${index}` }], links: { pages: { next: `/v2/account/keys?page_token=fresh${index}` } } }),
    { config: { max_pages_per_list: 25 } },
  );
  assertClean(t, run);
  t.equal(run.code, 1);
  t.ok(server.requests.length <= 26, `${server.requests.length} requests`);
  t.equal(run.messages.filter((m) => m.type === 'RECORD').length, 25, 'the 25 pages read were emitted');
  t.match(errorTraces(run.messages)[0].message, 'more than 25 pages (max_pages_per_list)');
});

t.test('a redirect is never followed, in read and in check; check never succeeds on it', async (t) => {
  const target = await startHostile((_req, res) => json(res, { ssh_keys: [{ id: 666, name: 'injected' }], account: { uuid: 'x', status: 'active' } }));
  t.teardown(() => target.close());
  const redirect: Handler = (_req, res) => res.writeHead(302, { location: `${target.url}/v2/account/keys?leak=QUERY_SECRET` }).end();
  const read = await scenario('redirect (read)', redirect);
  assertClean(t, read.run);
  t.equal(read.run.code, 1);
  t.equal(read.server.requests.length, 1, 'not retried');
  t.equal(read.run.messages.filter((m) => m.type === 'RECORD').length, 0, 'nothing injected');
  const message = errorTraces(read.run.messages)[0].message;
  t.match(message, `answered 302, a redirect to ${target.url}, which is never followed`);
  t.notMatch(message, 'QUERY_SECRET');
  t.equal(errorTraces(read.run.messages)[0].failure_type, 'config_error');

  const check = await scenario('redirect (check)', redirect, { command: 'check' });
  assertClean(t, check.run);
  t.equal(check.run.code, 0, 'check answers, it does not crash');
  const status = check.run.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
  t.equal(status?.status, 'FAILED', 'a redirected probe proves nothing: check fails closed');
  t.match(status?.message, 'redirect');
  t.notMatch(status?.message, 'QUERY_SECRET');

  // The account answers; every other probe (scopes, forbidden scopes) is redirected to a server that
  // would answer 200: before, that 200 counted as proof. Now each is inconclusive and check fails closed.
  const probes = await scenario('redirect (check, probes only)', (req, res) =>
    req.url === '/v2/account' ? json(res, { account: { uuid: 'u1', email: 'a@b.c', status: 'active', team: { uuid: 't1', name: 't' } } }) : redirect(req, res, 0),
    { command: 'check' },
  );
  assertClean(t, probes.run);
  // Redirected forbidden-scope probes prove nothing: never SUCCEEDED, and no configuration answer either
  // (the platform would never retry a FAILED check): a transient error, exit 1.
  t.equal(probes.run.code, 1);
  t.equal(probes.run.messages.filter((m) => m.type === 'CONNECTION_STATUS').length, 0);
  const unverified = errorTraces(probes.run.messages);
  t.equal(unverified.length, 1);
  t.equal(unverified[0]?.failure_type, 'transient_error');
  t.match(unverified[0]?.message, 'Could not verify that the API token lacks');
  t.match(unverified[0]?.message, 'a redirect to');
  t.notMatch(unverified[0]?.message, 'QUERY_SECRET');
  t.equal(target.requests.length, 0, 'no request ever reached the redirect target');
});

t.test('Retry-After: 0 still backs off exponentially before the retry', async (t) => {
  // Time scale 0.1: one backoff step is 100 ms, so the jittered waits are at least 50, 100, 200 ms.
  const { server, run } = await scenario(
    'Retry-After: 0 three times',
    (_req, res, index) => (index < 3 ? json(res, { id: 'too_many_requests', message: 'slow down' }, 429, { 'retry-after': '0' }) : json(res, { ssh_keys: [{ id: 1, name: 'k' }] })),
    { spawn: { env: { SOURCE_DIGITALOCEAN_TIME_SCALE: '0.1' } } },
  );
  assertClean(t, run);
  t.equal(run.code, 0);
  t.equal(server.requests.length, 4);
  const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i].at);
  t.comment(`gaps between attempts (server clock): ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
  gaps.forEach((gap, i) => t.ok(gap >= 50 * 2 ** i - 5, `wait ${i + 1} (${gap.toFixed(0)} ms) is at least half of step ${i + 1}`));
});

t.test('a token equal to a JSON word is refused; a record value equal to the token is not altered', async (t) => {
  const word = await scenario('token "type"', (_req, res) => json(res, {}), { config: { api_token: 'type' } });
  t.same(word.run.protocolErrors, []);
  t.equal(word.run.code, 1);
  t.equal(word.server.requests.length, 0);
  t.match(errorTraces(word.run.messages)[0].message, "'api_token' is too short");
  for (const m of word.run.messages) t.ok('type' in m, 'the structure is intact');

  const echo = await scenario('record value equal to the token', (_req, res) => json(res, { ssh_keys: [{ id: 1, name: TOKEN, fingerprint: 'f' }] }));
  t.same(echo.run.protocolErrors, []);
  t.equal(echo.run.code, 0);
  const record = echo.run.messages.find((m) => m.type === 'RECORD')?.record?.data;
  t.equal(record?.name, TOKEN, 'records are the API\'s data: redaction never rewrites them');
});

t.test('non-object list items and a short meta.total are reported with stream and count', async (t) => {
  const { run } = await scenario('non-object items, short meta.total', (_req, res) =>
    json(res, { ssh_keys: [{ id: 1, name: 'a' }, 5, null, 'x', [], { id: 2, name: 'b' }], links: {}, meta: { total: 10 } }),
  );
  assertClean(t, run);
  t.equal(run.code, 0);
  t.equal(run.messages.filter((m) => m.type === 'RECORD').length, 2);
  const warnings = logs(run.messages, 'WARN');
  t.ok(warnings.some((w) => w.includes("Stream 'ssh_keys': 4 item(s) of GET /v2/account/keys were not JSON objects")), 'non-objects counted');
  t.ok(warnings.some((w) => w.includes("Stream 'ssh_keys': GET /v2/account/keys announced 10 items (meta.total) but delivered 6")), 'short total reported');
});

t.test('a closed stdout ends the read at once with a non-zero exit and no further requests', async (t) => {
  const { server, run } = await scenario(
    'stdout closed after 1 line (read | head -1)',
    (_req, res, index) =>
      json(res, { ssh_keys: Array.from({ length: 200 }, (_, i) => ({ id: index * 200 + i, name: 'k' })), links: { pages: { next: `/v2/account/keys?page_token=p${index}` } } }),
    { spawn: { closeStdoutAfterLines: 1 }, server: { maxRequests: 400 } },
  );
  t.not(run.code, 0, `exit ${run.code}, not 0`);
  t.equal(run.signal, null, 'it exited on its own');
  t.ok(server.requests.length <= 10, `${server.requests.length} requests, then nothing`);
  t.match(run.stderr, 'stdout failed (EPIPE)');
});

t.test('a read whose stdout is closed before it starts makes no request and exits 1', async (t) => {
  const server = await startHostile((_req, res) => json(res, { ssh_keys: [{ id: 1, name: 'k' }] }));
  t.teardown(() => server.close());
  const files = writeInputs({ 'config.json': { api_token: TOKEN, api_url: server.url }, 'catalog.json': catalogFor(['ssh_keys']) });
  // `>&-`: the child starts with descriptor 1 closed, which Node turns into /dev/null.
  const child = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${CLI}" read --config "${files['config.json']}" --catalog "${files['catalog.json']}" >&-`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', SOURCE_DIGITALOCEAN_TIME_SCALE: '0.001' },
    timeout: 30_000,
  });
  table.push({ case: 'stdout closed before the read (>&-)', peakRssMiB: Number.NaN, requests: server.requests.length, exit: child.status });
  t.equal(child.status, 1);
  t.equal(server.requests.length, 0, 'not one request');
  t.match(child.stderr, 'stdout is closed');
});

t.test('odd bodies: messages say what was received', async (t) => {
  const html = await scenario('HTML body', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>maintenance</body></html>'));
  assertClean(t, html.run);
  t.match(errorTraces(html.run.messages)[0].message, /returned an HTML page \(\d+ characters, content-type text\/html\) instead of a JSON object on each of 9 attempts/);
  t.equal(html.server.requests.length, 9);
  t.match(logs(html.run.messages, 'WARN')[0], /GET \/v2\/account\/keys failed \(200, an HTML page \(\d+ characters, content-type text\/html\)\); retry 1 in/);

  const array = await scenario('array body', (_req, res) => json(res, [1, 2, 3]));
  assertClean(t, array.run);
  t.match(errorTraces(array.run.messages)[0].message, 'returned a JSON array (3 items) instead of a JSON object.');
  t.notMatch(errorTraces(array.run.messages)[0].message, /retries|attempts/);
  t.equal(array.server.requests.length, 1);

  const deep = await scenario('100,000-deep nesting', (_req, res) => json(res, `{"ssh_keys":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`));
  assertClean(t, deep.run);
  t.match(errorTraces(deep.run.messages)[0].message, 'returned JSON nested deeper than 128 levels instead of a JSON object (one attempt)');
  t.equal(deep.server.requests.length, 1);
  t.equal(deep.run.code, 1);
});

t.test('a 20 MB stream name from the catalog is cut in the message', async (t) => {
  const name = 'n'.repeat(20 * MIB);
  const { server, run } = await scenario('20 MB stream name', (_req, res) => json(res, {}), {
    catalog: { streams: [{ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }] },
  });
  t.same(run.protocolErrors, []);
  t.equal(run.code, 1);
  t.equal(server.requests.length, 0);
  const message = errorTraces(run.messages)[0].message;
  t.ok(message.length < 500, `the message is ${message.length} characters`);
  t.match(message, /The configured catalog names the stream 'n+… \(\d+ more characters\)'/);
  t.equal(run.messages.filter((m) => m.trace?.type === 'STREAM_STATUS').length, 0, 'no descriptor echoes a name no stream could have');
});

t.test('date windows: start_date 0001-01-01 is clamped to the floor; a saved cursor in year 99999 gets a WARN', async (t) => {
  const insights: Handler = (req, res) => {
    if ((req.url ?? '').startsWith('/v2/account')) return json(res, { account: { uuid: 'u1', email: 'a@b.c', status: 'active', team: { uuid: 'team-1', name: 't' } } });
    json(res, { data_points: [], current_page: 1, total_pages: 1, total_items: 0 });
  };
  const { server, run } = await scenario('billing_insights from 0001-01-01', insights, {
    streams: ['account', 'billing_insights'],
    config: { start_date: '0001-01-01T00:00:00Z' },
    mode: 'incremental',
  });
  assertClean(t, run);
  t.equal(run.code, 0);
  const windows = server.requests.filter((r) => r.path.includes('/insights/'));
  t.ok(windows.length > 100 && windows.length < 250, `${windows.length} windows from 2011, not 23,870`);
  t.match(windows[0].path, '/insights/2011-01-01/2011-01-31');
  t.ok(logs(run.messages, 'WARN').some((w) => w.includes('before 2011-01-01')), 'the clamp is announced');

  const future = await scenario(
    'saved cursor in year 99999',
    (_req, res) => json(res, { snapshots: [{ id: 's1', name: 'x', created_at: '2024-01-01T00:00:00Z', resource_type: 'droplet' }], links: {}, meta: { total: 1 } }),
    {
      streams: ['snapshots'],
      mode: 'incremental',
      state: [{ type: 'STREAM', stream: { stream_descriptor: { name: 'snapshots' }, stream_state: { created_at: '+099999-01-01T00:00:00.000Z' } } }],
    },
  );
  assertClean(t, future.run);
  t.equal(future.run.code, 0);
  t.ok(logs(future.run.messages, 'WARN').some((w) => w.includes('after tomorrow')), 'the impossible cursor is announced, not accepted silently');
  // Still honoured: Airbyte's acceptance tests require a far-future state to yield no record.
  t.equal(future.run.messages.filter((m) => m.type === 'RECORD').length, 0);
});
