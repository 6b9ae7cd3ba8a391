import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { STREAMS as TABLE } from '../../src/streams/index.js';
import { spawnCli, type SpawnResult } from '../helpers/e2e.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { configured, platformViolations, PLATFORM_COMMIT, RULES } from '../helpers/platform-rules.js';
import { json, startHostile } from '../helpers/hostile-server.js';
import { errorTraces, records, type Message } from '../helpers/protocol.js';

/**
 * The Airbyte platform's rules for a source's output (test/helpers/platform-rules.ts, each naming its
 * file in airbyte-platform at the commit below), checked on the built CLI in the situations a real
 * deployment meets: a read of every stream, check during an outage and with a revoked token, a catalog
 * naming a stream this version does not have, and a child stream read at a tight rate limit.
 */
t.comment(`airbyte-platform ${PLATFORM_COMMIT}: ${RULES.length} rules`);

const API_STREAMS = TABLE.filter((def) => !def.transport);

type Catalog = ReturnType<typeof catalogFor>;

async function read(config: Record<string, unknown>, catalog: Catalog, env: Record<string, string> = {}): Promise<SpawnResult> {
  const files = writeInputs({ 'config.json': config, 'catalog.json': catalog });
  return spawnCli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { env });
}

const statusesOf = (messages: readonly Message[], name: string) =>
  messages.filter((m) => m.trace?.type === 'STREAM_STATUS' && m.trace.stream_status?.stream_descriptor.name === name).map((m) => m.trace?.stream_status);

t.test('a read of every stream breaks no platform rule', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 8, rateLimits: false });
  t.teardown(() => api.close());
  // Deduplicated where a key exists, as a user setting up an upserting destination would choose.
  const catalog = catalogFor(API_STREAMS.map((d) => d.name), 'incremental');
  for (const entry of catalog.streams) {
    const def = API_STREAMS.find((d) => d.name === entry.stream.name);
    if (def && def.primaryKey.length > 0) Object.assign(entry, { destination_sync_mode: 'append_dedup', primary_key: def.primaryKey.map((f) => [f]) });
  }
  const run = await read({ api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 4 }, catalog);
  t.equal(run.code, 0, `exit 0 (stderr: ${run.stderr.slice(0, 200)})`);
  t.same(run.protocolErrors, []);
  t.same(platformViolations(run.messages, configured(catalog)), []);
  const estimates = run.messages.filter((m) => m.trace?.type === 'ESTIMATE');
  t.ok(estimates.length > 20, `ESTIMATE messages were sent (${estimates.length})`);
  // An honest byte estimate: rows times the mean size of the records that stream wrote.
  const droplets = records(run.messages, 'droplets');
  const last = estimates.filter((m) => m.trace?.estimate?.name === 'droplets').pop()?.trace?.estimate as { row_estimate: number; byte_estimate: number } | undefined;
  const mean = droplets.reduce((n, d) => n + JSON.stringify(d).length, 0) / droplets.length;
  t.equal(last?.row_estimate, droplets.length, 'droplets: rows as announced by meta.total');
  t.ok(last && Math.abs(last.byte_estimate - mean * last.row_estimate) <= mean, `droplets: bytes ≈ rows × mean record size (${last?.byte_estimate} vs ${Math.round(mean * droplets.length)})`);
});

t.test('the catalog claims is_resumable only where a retry resumes, always with source_defined_cursor', async (t) => {
  const api = await startFakeApi({ seed: 3, scale: 2, rateLimits: false });
  t.teardown(() => api.close());
  const files = writeInputs({ 'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url } });
  const run = await spawnCli(['discover', '--config', files['config.json']]);
  t.equal(run.code, 0);
  const streams = (run.messages.find((m) => m.type === 'CATALOG')?.catalog?.streams ?? []) as unknown as Record<string, unknown>[];
  t.ok(streams.length > 100);
  for (const stream of streams) {
    const def = TABLE.find((d) => d.name === stream.name);
    const resumes = def?.cursor !== undefined || def?.parent !== undefined;
    t.equal(stream.is_resumable === true, resumes, `${String(stream.name)}: is_resumable only if incremental or checkpointed per parent`);
    if (stream.is_resumable) t.equal(stream.source_defined_cursor, true, `${String(stream.name)}: source_defined_cursor with is_resumable (airbyte_protocol.yaml)`);
  }
  t.notOk(streams.find((s) => s.name === 'droplets')?.is_resumable, 'droplets (full refresh, one checkpoint at its end) is not resumable');
});

t.test('check during an outage (every request 500): a transient error, retried by the platform', async (t) => {
  const api = await startFakeApi({ seed: 1, scale: 2, faults: { rules: [{ fault: { kind: 'status', status: 500 } }] } });
  t.teardown(() => api.close());
  const files = writeInputs({ 'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url } });
  const run = await spawnCli(['check', '--config', files['config.json']]);
  t.same(run.protocolErrors, []);
  t.not(run.code, 0, 'non-zero exit');
  t.equal(run.messages.filter((m) => m.type === 'CONNECTION_STATUS').length, 0, 'no CONNECTION_STATUS, which the platform would take as a configuration answer');
  const errors = errorTraces(run.messages);
  t.equal(errors.length, 1);
  t.match(errors[0], { failure_type: 'transient_error', message: /Could not verify the API token.*500/, internal_message: 'ApiError server 500 on GET /v2/account' });
  t.same(platformViolations(run.messages, []), []);
});

t.test('check with a revoked token: CONNECTION_STATUS FAILED, exit 0 (a real configuration answer)', async (t) => {
  const api = await startFakeApi({ seed: 1, scale: 2 });
  t.teardown(() => api.close());
  const files = writeInputs({ 'config.json': { api_token: 'dop_v1_revoked_0000000000000000', api_url: api.url } });
  const run = await spawnCli(['check', '--config', files['config.json']]);
  t.same(run.protocolErrors, []);
  t.equal(run.code, 0);
  t.match(run.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus, { status: 'FAILED', message: /rejected/ });
  t.equal(run.messages.filter((m) => m.type === 'TRACE').length, 0);
});

t.test('a catalog naming a stream this version does not have: that stream INCOMPLETE, the others read', async (t) => {
  const api = await startFakeApi({ seed: 5, scale: 4, rateLimits: false });
  t.teardown(() => api.close());
  const catalog = catalogFor(['droplets', 'renamed_long_ago', 'ssh_keys']);
  const run = await read({ api_token: DEFAULT_TOKENS.readOnly, api_url: api.url }, catalog);
  t.same(run.protocolErrors, []);
  t.equal(run.code, 1, 'the read exits non-zero');
  t.same(platformViolations(run.messages, configured(catalog)), []);
  for (const name of ['droplets', 'ssh_keys']) {
    t.equal(statusesOf(run.messages, name).pop()?.status, 'COMPLETE', `${name} is read`);
    t.ok(records(run.messages, name).length > 0, `${name} has records`);
  }
  t.same(statusesOf(run.messages, 'renamed_long_ago').map((s) => s?.status), ['INCOMPLETE']);
  const errors = errorTraces(run.messages);
  t.equal(errors.length, 1);
  t.match(errors[0], { failure_type: 'config_error', stream_descriptor: { name: 'renamed_long_ago' }, message: /'renamed_long_ago'.*does not have.*Refresh the connection's source schema/ });
  // The platform retries by the earliest error (AirbyteMessageTracker.errorTraceMessageFailure sorts by
  // time): the stale entry is reported last, so that a real stream's outage would still be retried.
  const errorAt = run.messages.findIndex((m) => m.trace?.type === 'ERROR');
  const lastRecord = run.messages.map((m) => m.type).lastIndexOf('RECORD');
  t.ok(errorAt > lastRecord, 'reported after the other streams were read');
});

t.test('an invalid sync_mode still rejects the whole catalog', async (t) => {
  const catalog = catalogFor(['droplets']);
  Object.assign(catalog.streams[0], { sync_mode: 'INVALID' });
  const run = await read({ api_token: DEFAULT_TOKENS.readOnly, api_url: 'http://127.0.0.1:9' }, catalog);
  t.equal(run.code, 1);
  t.match(errorTraces(run.messages), [{ failure_type: 'config_error', message: /sync_mode 'INVALID'/ }]);
  t.equal(run.messages.filter((m) => m.type === 'RECORD' || m.trace?.type === 'STREAM_STATUS').length, 0, 'nothing is read');
});

t.test('a child stream at a tight rate limit: RATE_LIMITED on the configured child, never on its unconfigured parent', async (t) => {
  const api = await startFakeApi({ seed: 2, scale: 6, rateLimits: false });
  t.teardown(() => api.close());
  // droplet_backups alone: its parent, droplets, is read only to feed it. One request per compressed
  // minute makes every request wait long enough to be announced.
  const catalog = catalogFor(['droplet_backups']);
  const run = await read({ api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, requests_per_minute: 1, exhaustive_fanout: true }, catalog, {
    SOURCE_DIGITALOCEAN_TIME_SCALE: '0.0002',
  });
  t.equal(run.code, 0, run.stderr.slice(0, 200));
  t.same(platformViolations(run.messages, configured(catalog)), []);
  const limited = statusesOf(run.messages, 'droplet_backups').filter((s) => s?.status === 'RUNNING' && s.reasons?.length === 1);
  t.ok(limited.length > 0, `droplet_backups shows RATE_LIMITED (${limited.length} times)`);
  t.equal(statusesOf(run.messages, 'droplets').length, 0, 'no status at all for droplets, which is not configured');
  t.ok(run.messages.some((m) => m.log?.message.startsWith('Waiting ')), 'the waits are logged');
});

t.test('an empty object in a list is said in a WARN, never sent as a RECORD the platform drops unseen', async (t) => {
  const server = await startHostile((_req, res) =>
    json(res, { ssh_keys: [{}, { id: 1, name: 'k', fingerprint: 'f', public_key: 'ssh-ed25519 AAAA' }], links: {}, meta: { total: 2 } }),
  );
  t.teardown(() => server.close());
  const catalog = catalogFor(['ssh_keys']);
  const run = await read({ api_token: 'dop_v1_platform_test_token_0000', api_url: server.url }, catalog);
  t.equal(run.code, 0);
  t.same(platformViolations(run.messages, configured(catalog)), []);
  t.equal(records(run.messages, 'ssh_keys').length, 1);
  t.ok(run.messages.some((m) => m.log?.level === 'WARN' && /1 item\(s\) of GET \/v2\/account\/keys are empty objects/.test(m.log.message)));
});
