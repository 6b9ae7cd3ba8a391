import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import t from 'tap';
import { runCli } from '../src/cli.js';
import { catalogFor, writeInputs } from './helpers/files.js';
import { errorTraces, runInProcess, type CliResult } from './helpers/protocol.js';

const TOKEN = 'dop_v1_deadbeef_CLI_SECRET_TOKEN';
const API = 'https://api.do.test';
const GOOD_CONFIG = { api_token: TOKEN, api_url: API };

/** Every request attempt, matched or not: with no interceptor defined, any request at all lands here. */
const requests: string[] = [];
nock.disableNetConnect();
nock.emitter.on('no match', (req: { href?: string; path?: string }) => requests.push(String(req.href ?? req.path)));
t.beforeEach(() => {
  requests.length = 0;
  nock.cleanAll();
});
t.teardown(() => nock.enableNetConnect());

/** Runs `task` while catching whatever is written to the real stdout behind the writer's back. */
async function capturingStdout<T>(task: () => Promise<T>): Promise<{ value: T; stray: string }> {
  const stray: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stray.push(chunk.toString());
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await task(), stray: stray.join('') };
  } finally {
    process.stdout.write = write;
  }
}

/** Runs the CLI in process, with anything written to stdout outside the protocol writer. */
async function run(argv: string[]): Promise<CliResult & { stray: string }> {
  const { value, stray } = await capturingStdout(() => runInProcess(argv));
  return { ...value, stray };
}

/** The assertions every usage/config failure shares: one TRACE ERROR config_error, exit 1, nothing else. */
function expectConfigError(t: { equal: Function; same: Function; match: Function; notOk: Function }, result: CliResult & { stray: string }, mentions: RegExp, label: string): void {
  t.equal(result.code, 1, `${label}: exit 1`);
  t.same(result.protocolErrors, [], `${label}: stdout is valid protocol`);
  t.equal(result.messages.length, 1, `${label}: exactly one message`);
  const errors = errorTraces(result.messages);
  t.equal(errors.length, 1, `${label}: a TRACE ERROR`);
  t.equal(errors[0]?.failure_type, 'config_error', `${label}: config_error`);
  t.match(errors[0]?.message, mentions, `${label}: names the problem`);
  t.notOk(result.stdout.includes(TOKEN), `${label}: no token on stdout`);
  t.equal(result.stray, '', `${label}: nothing written to stdout outside the protocol`);
  t.same(requests, [], `${label}: no request sent`);
}

t.test('spec: exactly one SPEC, exit 0, offline', async (t) => {
  const result = await run(['spec']);
  t.equal(result.code, 0);
  t.same(result.protocolErrors, []);
  t.equal(result.messages.length, 1);
  t.equal(result.messages[0].type, 'SPEC');
  const spec = result.messages[0].spec as { connectionSpecification: { properties: Record<string, unknown> } };
  t.ok(spec.connectionSpecification.properties.api_token);
  t.equal(result.stdout.split('\n').filter(Boolean).length, 1, 'one line');
  t.same(requests, []);
});

t.test('spec --debug is accepted', async (t) => {
  const result = await run(['spec', '--debug']);
  t.equal(result.code, 0);
  t.equal(result.messages.length, 1);
  t.equal(result.messages[0].type, 'SPEC');
});

t.test('--version prints the package version', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const { value: code, stray } = await capturingStdout(() => runCli(['--version']));
  t.equal(code, 0);
  t.equal(stray, `${pkg.version}\n`);
});

t.test('usage errors', async (t) => {
  const { config } = writeInputs({ config: GOOD_CONFIG });
  const cases: [string[], RegExp][] = [
    [[], /command|Usage/i],
    [['frobnicate'], /frobnicate/],
    [['check', '--config', config, '--bogus'], /bogus/],
    [['check', '--config', config, '--api-token', TOKEN], /api-token|apiToken/],
    [['check'], /config/],
    [['discover'], /config/],
    [['read', '--config', config], /catalog/],
    [['read', '--catalog', config], /config/],
    [['spec', 'extra'], /extra/],
    [['spec', '--help'], /help/],
  ];
  for (const [argv, mentions] of cases) {
    expectConfigError(t, await run(argv), mentions, argv.join(' ') || '(no arguments)');
  }
});

t.test('input files that cannot be used', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'source-do-cli-'));
  const files = writeInputs({
    config: GOOD_CONFIG,
    broken: `{"api_token": "${TOKEN}", `,
    empty: '',
    catalog: catalogFor(['droplets']),
  });
  const missing = join(dir, 'nope.json');
  const cases: [string[], RegExp][] = [
    [['check', '--config', missing], /config file '.*nope\.json' does not exist/],
    [['discover', '--config', missing], /does not exist/],
    [['discover', '--config', dir], /config file .* is not a regular file/],
    [['discover', '--config', files.broken], /config file .* is not valid JSON/],
    [['check', '--config', files.broken], /not valid JSON/],
    [['discover', '--config', files.empty], /not valid JSON/],
    [['read', '--config', files.config, '--catalog', missing], /catalog file .* does not exist/],
    [['read', '--config', files.config, '--catalog', dir], /catalog file .* is not a regular file/],
    [['read', '--config', files.config, '--catalog', files.broken], /catalog file .* is not valid JSON/],
    [['read', '--config', files.config, '--catalog', files.catalog, '--state', missing], /state file .* does not exist/],
    [['read', '--config', files.config, '--catalog', files.catalog, '--state', dir], /state file .* is not a regular file/],
  ];
  for (const [argv, mentions] of cases) expectConfigError(t, await run(argv), mentions, argv.join(' '));
});

t.test('files of 50 MB get one clear error, not a crash', async (t) => {
  const fifty = 50 * 1024 * 1024;
  const files = writeInputs({
    config: GOOD_CONFIG,
    junk: '{"api_token": "' + 'x'.repeat(fifty),
    hugeToken: JSON.stringify({ api_token: 'x'.repeat(fifty) }),
    hugeCatalog: JSON.stringify({ streams: Array.from({ length: 400_000 }, () => ({ stream: { name: 'droplets' }, sync_mode: 'full_refresh' })) }) + ' '.repeat(fifty / 2),
  });
  expectConfigError(t, await run(['discover', '--config', files.junk]), /config file .* is not valid JSON/, 'a 50 MB truncated config');
  expectConfigError(t, await run(['discover', '--config', files.hugeToken]), /'api_token'/, 'a 50 MB token');
  expectConfigError(t, await run(['read', '--config', files.config, '--catalog', files.hugeCatalog]), /more than once/, 'a 50 MB catalog');
});

t.test('an invalid config for discover and read is a config_error', async (t) => {
  const files = writeInputs({
    config: { api_token: `${TOKEN}\n` },
    http: { api_token: TOKEN, api_url: 'http://api.digitalocean.com' },
    catalog: catalogFor(['droplets']),
  });
  expectConfigError(t, await run(['discover', '--config', files.config]), /'api_token'/, 'discover token');
  expectConfigError(t, await run(['read', '--config', files.http, '--catalog', files.catalog]), /'api_url'/, 'read api_url');
});

t.test('catalogs that select nothing usable', async (t) => {
  const entry = (name: string, sync_mode: unknown = 'full_refresh') => ({ stream: { name, json_schema: {} }, sync_mode, destination_sync_mode: 'append' });
  const catalogs: [string, unknown, RegExp][] = [
    ['duplicate stream', { streams: [entry('droplets'), entry('droplets')] }, /'droplets' more than once/],
    ['empty catalog', { streams: [] }, /no stream/],
    ['no streams key', {}, /'streams' list/],
    ['a list instead of a catalog', [entry('droplets')], /'streams' list/],
    ['sync_mode INVALID', { streams: [entry('droplets', 'INVALID')] }, /sync_mode 'INVALID'/],
    ['sync_mode missing', { streams: [{ stream: { name: 'droplets' } }] }, /sync_mode/],
    ['entry without a stream', { streams: [{ sync_mode: 'full_refresh' }] }, /entry 0 has no stream\.name/],
  ];
  for (const [label, catalog, mentions] of catalogs) {
    const files = writeInputs({ config: GOOD_CONFIG, catalog });
    expectConfigError(t, await run(['read', '--config', files.config, '--catalog', files.catalog]), mentions, label);
  }
});

t.test('state files that are not a list of states', async (t) => {
  const states: [string, string, RegExp][] = [
    ['not JSON', '[{"type": "STREAM", ', /state file is not valid JSON/],
    ['a number', '42', /JSON array of state messages/],
    ['a string', '"state"', /JSON array/],
    ['true', 'true', /JSON array/],
    ['an entry that is not an object', '[1]', /Entry 0 .* not a state message/],
    ['a STREAM entry without a name', '[{"type":"STREAM","stream":{"stream_state":{}}}]', /Entry 0 .* stream_descriptor\.name/],
  ];
  for (const [label, text, mentions] of states) {
    const files = writeInputs({ config: GOOD_CONFIG, catalog: catalogFor(['droplets']), 'state.json': text });
    const result = await run(['read', '--config', files.config, '--catalog', files.catalog, '--state', files['state.json']]);
    expectConfigError(t, result, mentions, label);
    t.match(errorTraces(result.messages)[0]?.message, /state\.json/, `${label}: names the state file`);
  }
});

t.test('check with an invalid config: CONNECTION_STATUS FAILED, exit 0, no request', async (t) => {
  const configs: [string, unknown, RegExp][] = [
    ['token with a newline', { api_token: `${TOKEN}\n` }, /'api_token'/],
    ['empty token', { api_token: '' }, /'api_token'/],
    ['no token', { api_url: API }, /'api_token'/],
    ['plain http to a remote host', { api_token: TOKEN, api_url: 'http://api.digitalocean.com' }, /'api_url'.*https/],
    ['credentials in the URL', { api_token: TOKEN, api_url: `https://${TOKEN}@api.do.test` }, /'api_url'/],
    ['requests_per_minute out of bounds', { api_token: TOKEN, requests_per_minute: 1000 }, /'requests_per_minute'/],
    ['not an object', [TOKEN], /JSON object/],
  ];
  for (const [label, config, mentions] of configs) {
    const files = writeInputs({ config });
    const result = await run(['check', '--config', files.config]);
    t.equal(result.code, 0, `${label}: exit 0`);
    t.same(result.protocolErrors, [], `${label}: valid protocol`);
    t.equal(result.messages.length, 1, `${label}: one message`);
    t.equal(result.messages[0].type, 'CONNECTION_STATUS', label);
    t.equal(result.messages[0].connectionStatus?.status, 'FAILED', label);
    t.match(result.messages[0].connectionStatus?.message, mentions, `${label}: says why`);
    t.notOk(result.stdout.includes(TOKEN), `${label}: no token on stdout`);
    t.same(requests, [], `${label}: no request`);
    t.equal(result.stray, '');
  }
});

t.test('check with a rejected token: FAILED, exit 0, one request', async (t) => {
  const scope = nock(API).get('/v2/account').reply(401, { id: 'unauthorized', message: 'Unable to authenticate you' });
  const files = writeInputs({ config: GOOD_CONFIG });
  const result = await run(['check', '--config', files.config]);
  t.equal(result.code, 0);
  const statuses = result.messages.filter((m) => m.type === 'CONNECTION_STATUS');
  t.equal(statuses.length, 1);
  t.equal(statuses[0].connectionStatus?.status, 'FAILED');
  t.match(statuses[0].connectionStatus?.message, /401/);
  t.same(errorTraces(result.messages), []);
  t.ok(scope.isDone());
  t.notOk(result.stdout.includes(TOKEN));
});
