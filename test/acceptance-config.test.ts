/**
 * acceptance-test-config.yml and integration_tests/: only keys Airbyte's connector acceptance tests (CAT)
 * accept (their config model forbids any other), every named file present and valid, and the inputs
 * consistent with the stream table and with what the connector does against the fake account they
 * describe (seed 42, scale 5).
 */
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { startFakeApi } from '../fake-api/server.js';
import { TODAY } from '../scripts/expected-records.js';
import { parseConfig } from '../src/config.js';
import { SLOTS_KEY } from '../src/state/rotation.js';
import { cursorOf, LISTED_AT_FIELD } from '../src/streams/freshness.js';
import { STREAMS, findStream } from '../src/streams/index.js';
import { writeInputs } from './helpers/files.js';
import { records, runInProcess, states } from './helpers/protocol.js';

process.env.SOURCE_DIGITALOCEAN_TIME_SCALE = '0.001';

const ROOT = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const readJson = (path: string) => JSON.parse(read(path)) as unknown;
const config = parse(read('acceptance-test-config.yml')) as Record<string, any>;
const REGENERATE = 'run `npm run build && npm run generate:integration-tests`';

// ------------------------------------------------------------------------------------------------
// The CAT config model (connector_acceptance_test/config.py), as key → value model. Every model
// there forbids extra keys. `S` is any scalar; {$list} a list of; {$map} a mapping of any key to.
// ------------------------------------------------------------------------------------------------
type Model = 'S' | { $list: Model } | { $map: Model } | { [key: string]: Model };
const S = 'S' as const;
const list = (m: Model): Model => ({ $list: m });
const named = { name: S, bypass_reason: S };
const backwardCompatibility = { previous_connector_version: S, disable_for_version: S };
const clientContainer = {
  secrets_path: S, client_container_dockerfile_path: S, setup_command: list(S), teardown_command: list(S), between_syncs_command: list(S),
};
const suite = (test: Model): Model => ({ bypass_reason: S, tests: list(test) });
const MODEL: Model = {
  connector_image: S,
  base_path: S,
  test_strictness_level: S,
  custom_environment_variables: { $map: S },
  acceptance_tests: {
    spec: suite({
      spec_path: S, config_path: S, timeout_seconds: S, deployment_mode: S,
      backward_compatibility_tests_config: backwardCompatibility, auth_default_method: { oauth: S, bypass_reason: S },
    }),
    connection: suite({ config_path: S, status: S, timeout_seconds: S, deployment_mode: S }),
    discovery: suite({
      config_path: S, timeout_seconds: S, deployment_mode: S, backward_compatibility_tests_config: backwardCompatibility,
      validate_primary_keys_data_type: S,
    }),
    basic_read: suite({
      config_path: S, deployment_mode: S, configured_catalog_path: S, empty_streams: list(named),
      expect_records: { bypass_reason: S, path: S, exact_order: S },
      validate_schema: S, validate_stream_statuses: S, validate_state_messages: S, validate_primary_keys_data_type: S,
      fail_on_extra_columns: S, validate_data_points: S, expect_trace_message_on_failure: S, timeout_seconds: S,
      file_types: { bypass_reason: S, unsupported_types: list({ extension: S, bypass_reason: S }), skip_test: S },
      client_container_config: clientContainer,
    }),
    full_refresh: suite({
      config_path: S, configured_catalog_path: S, timeout_seconds: S, deployment_mode: S,
      ignored_fields: { $map: list(named) }, client_container_config: clientContainer,
    }),
    incremental: suite({
      config_path: S, configured_catalog_path: S, timeout_seconds: S, deployment_mode: S,
      future_state: {
        future_state_path: S, missing_streams: list(named), bypass_reason: S,
        cursor_format: { format: S, streams: list({ name: S, format: S }) },
      },
      skip_comprehensive_incremental_tests: S, client_container_config: clientContainer,
    }),
    connector_attributes: suite({
      timeout_seconds: S, config_path: S, streams_without_primary_key: list(named),
      allowed_hosts: { bypass_reason: S }, suggested_streams: { bypass_reason: S },
    }),
    connector_documentation: suite({ timeout_seconds: S, config_path: S }),
  },
};

/** Where `value` departs from `model`: unknown keys, or a list/mapping/scalar where another is due. */
function departures(value: unknown, model: Model, at = ''): string[] {
  if (model === S) return value !== null && typeof value === 'object' ? [`${at}: expected a scalar`] : [];
  if ('$list' in model) {
    if (!Array.isArray(value)) return [`${at}: expected a list`];
    return value.flatMap((v, i) => departures(v, model.$list as Model, `${at}[${i}]`));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected a mapping`];
  if ('$map' in model) return Object.entries(value).flatMap(([k, v]) => departures(v, model.$map as Model, `${at}.${k}`));
  return Object.entries(value).flatMap(([k, v]) =>
    k in model ? departures(v, (model as Record<string, Model>)[k], `${at}.${k}`) : [`${at}.${k}: not a key CAT accepts`],
  );
}

const tests = (suiteName: string): Record<string, any>[] => config.acceptance_tests?.[suiteName]?.tests ?? [];
const allTests = () => Object.keys(config.acceptance_tests ?? {}).flatMap((name) => tests(name).map((test) => ({ suite: name, test })));

interface ConfiguredCatalog {
  streams: { stream: { name: string; json_schema: unknown; supported_sync_modes: string[] }; sync_mode: string; cursor_field?: string[]; destination_sync_mode: string }[];
}
interface StateEntry {
  type: string;
  stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> };
}

t.test('acceptance-test-config.yml uses only keys CAT accepts', async (t) => {
  t.same(departures(config, MODEL), [], 'no unknown key, every value of the right kind');
  t.ok(config.connector_image, 'connector_image is set');
  for (const name of ['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental']) {
    t.ok(tests(name).length > 0, `the ${name} suite has tests`);
    t.notOk(config.acceptance_tests[name].bypass_reason, `the ${name} suite is not bypassed`);
  }
  for (const { suite: name, test } of allTests()) {
    if (test.status !== undefined) t.ok(['succeed', 'failed', 'exception'].includes(test.status), `${name}: known status`);
    if (test.deployment_mode !== undefined) t.match(test.deployment_mode, /^(cloud|oss)$/);
    if (test.timeout_seconds !== undefined) t.ok(Number.isInteger(test.timeout_seconds) && test.timeout_seconds >= 0, `${name}: integer timeout`);
  }
  t.equal(config.test_strictness_level, 'high', 'the strictest level CAT has');
  const statuses = tests('connection').map((c) => `${c.status}:${c.config_path}`);
  t.ok(statuses.includes('succeed:secrets/config.json'), 'connection succeeds with secrets/config.json');
  t.ok(statuses.includes('failed:integration_tests/invalid_config.json'), 'connection fails with integration_tests/invalid_config.json');
  const basic = tests('basic_read')[0];
  // At high, CAT's TestBasicRead fails on a custom configured catalog and reads the discovered one
  // (connector_acceptance_test/tests/test_core.py, configured_catalog_fixture, CAT 3.9.9).
  for (const read of tests('basic_read')) t.notOk(read.configured_catalog_path, 'basic_read: no custom configured catalog (refused at high)');
  t.equal(basic.expect_records?.path, 'integration_tests/expected_records.jsonl');
  t.notOk(basic.expect_records?.bypass_reason, 'expect_records has a path, so no bypass_reason');
  for (const entry of basic.empty_streams ?? []) t.ok(entry.bypass_reason, `empty stream ${entry.name} says why (required at high)`);
  t.notOk(tests('incremental')[0]?.future_state?.bypass_reason, 'future_state is set, not bypassed');
  t.equal(tests('incremental')[0]?.future_state?.future_state_path, 'integration_tests/abnormal_state.json');
});

t.test('every file the config names exists and parses', async (t) => {
  const paths = new Set<string>();
  for (const { test } of allTests()) {
    for (const key of ['config_path', 'configured_catalog_path', 'spec_path']) if (test[key]) paths.add(test[key]);
    if (test.expect_records?.path) paths.add(test.expect_records.path);
    if (test.future_state?.future_state_path) paths.add(test.future_state.future_state_path);
  }
  t.ok(paths.size >= 6, `names its inputs (${[...paths].join(', ')})`);
  for (const path of paths) {
    if (path.startsWith('secrets/')) continue; // real secrets, git-ignored: checked below
    t.ok(existsSync(new URL(path, ROOT)), `${path} exists`);
    if (path.endsWith('.json')) t.doesNotThrow(() => readJson(path), `${path} is JSON`);
    if (path.endsWith('.jsonl')) t.doesNotThrow(() => read(path).split('\n').filter(Boolean).forEach((l) => JSON.parse(l)), `${path} is JSON lines`);
  }
  t.match(read('.gitignore'), /^secrets\/?$/m, 'secrets/ is git-ignored');
  t.doesNotThrow(() => parseConfig(readJson('integration_tests/sample_config.json')), 'sample_config.json (the template of secrets/config.json) is a valid config');
  t.doesNotThrow(() => parseConfig(readJson('integration_tests/invalid_config.json')), 'invalid_config.json is schema-valid (only its token is wrong)');
});

t.test('configured_catalog.json selects every stream with a sync mode it supports', async (t) => {
  const catalog = readJson('integration_tests/configured_catalog.json') as ConfiguredCatalog;
  const names = catalog.streams.map((s) => s.stream.name);
  t.same(names.filter((n) => !findStream(n)), [], 'every stream exists in the stream table');
  // Spaces rows need a Spaces key, which the acceptance config does not have (discover leaves them out).
  t.same(STREAMS.filter((s) => !s.transport).map((s) => s.name).filter((n) => !names.includes(n)), [], `every stream of the table is selected (else ${REGENERATE})`);
  t.equal(new Set(names).size, names.length, 'no stream twice');
  for (const entry of catalog.streams) {
    const def = findStream(entry.stream.name);
    if (!def) continue;
    t.equal(entry.sync_mode, def.cursor ? 'incremental' : 'full_refresh', `${def.name}: ${entry.sync_mode}`);
    if (def.cursor) t.same(entry.cursor_field, [def.cursor.field], `${def.name}: cursor ${def.cursor.field}`);
    t.ok(entry.destination_sync_mode, `${def.name}: has a destination_sync_mode`);
  }
});

t.test('abnormal_state.json holds far-future states of the incremental streams, in our shapes', async (t) => {
  const entries = readJson('integration_tests/abnormal_state.json') as StateEntry[];
  t.ok(Array.isArray(entries), 'a list of state messages');
  const names = entries.map((e) => e.stream.stream_descriptor.name);
  const incremental = STREAMS.filter((s) => !s.transport && cursorOf(s)).map((s) => s.name);
  t.same(names.filter((n) => !incremental.includes(n)), [], 'names only incremental streams');
  t.same(incremental.filter((n) => !names.includes(n)), [], `covers every incremental stream (else ${REGENERATE})`);
  const now = Date.now();
  for (const entry of entries) {
    const def = findStream(entry.stream.stream_descriptor.name);
    if (!def) continue;
    const state = entry.stream.stream_state;
    t.equal(entry.type, 'STREAM', `${def.name}: a STREAM state`);
    // A planned row (a freshness class): every parent's slot read beyond any clock, so nothing is due.
    const planned = def.freshness !== undefined && findStream(def.parent?.stream ?? '')?.parent === undefined;
    if (planned) {
      const slots = Object.values((state[SLOTS_KEY] ?? {}) as Record<string, string>);
      t.ok(slots.length > 0 || def.name.startsWith('droplet_neighbors'), `${def.name}: slots for its parents`);
      t.ok(slots.every((slot) => Number.parseInt(slot.split('.')[0], 36) >= 36 ** 10), `${def.name}: every slot far in the future`);
      if (!def.cursor) t.ok(Date.parse(String((state.state as Record<string, unknown> | undefined)?.[LISTED_AT_FIELD])) > now + 100 * 365 * 86_400_000, `${def.name}: the listing time far in the future`);
    }
    if (!def.cursor) continue;
    const field = def.cursor.field;
    const perPartition = (state.states ?? []) as { partition: Record<string, unknown>; cursor: Record<string, unknown> }[];
    const values = def.parent ? [...perPartition.map((entry) => entry.cursor[field]), (state.state as Record<string, unknown> | undefined)?.[field]] : [state[field]];
    const shape = def.parent ? ['state', 'states', 'use_global_cursor'] : [field];
    t.same(Object.keys(state).filter((k) => k !== SLOTS_KEY).sort(), shape, `${def.name}: the shape this version writes`);
    if (def.parent) {
      // CAT looks for a value under the cursor field's name; the global one is there even without parents.
      t.ok(perPartition.every((entry) => Object.keys(entry.cursor).join() === field && Object.keys(entry.partition).length > 0), `${def.name}: {partition, cursor: {${field}}} entries`);
    }
    for (const value of values) {
      const future = def.cursor.kind === 'integer' ? Number.isSafeInteger(value) && (value as number) > 1e12 : Date.parse(String(value)) > now + 100 * 365 * 86_400_000;
      t.ok(future, `${def.name}: ${String(value)} is far in the future`);
    }
  }
});

t.test('expected_records.jsonl and empty_streams cover every selected stream', async (t) => {
  const lines = read('integration_tests/expected_records.jsonl').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { stream: string; data: Record<string, unknown>; emitted_at: number });
  const catalog = readJson('integration_tests/configured_catalog.json') as ConfiguredCatalog;
  const selected = new Set(catalog.streams.map((s) => s.stream.name));
  const withRecords = new Set(lines.map((l) => l.stream));
  t.same([...withRecords].filter((s) => !selected.has(s)), [], 'records only of selected streams');
  t.ok(lines.every((l) => l.data && Object.keys(l.data).length > 0 && Number.isInteger(l.emitted_at)), 'each line has stream, non-empty data and emitted_at');
  const empty = ((tests('basic_read')[0]?.empty_streams ?? []) as { name: string }[]).map((e) => e.name);
  t.same(empty.filter((n) => withRecords.has(n)), [], 'no stream is both expected and declared empty');
  t.same([...selected].filter((n) => !withRecords.has(n) && !empty.includes(n)), [], `every selected stream has expected records or is declared empty (else ${REGENERATE})`);
});

t.test('the inputs behave as CAT expects against the fake account', async (t) => {
  const api = await startFakeApi({ seed: 42, scale: 5, rateLimits: false, today: TODAY });
  t.teardown(() => api.close());
  const at = (path: string) => ({ ...(readJson(path) as Record<string, unknown>), api_url: api.url });

  const failed = await runInProcess(['check', '--config', writeInputs({ 'c.json': at('integration_tests/invalid_config.json') })['c.json']]);
  t.equal(failed.code, 0, 'check with invalid_config.json exits 0');
  t.equal(failed.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus?.status, 'FAILED', '… and answers FAILED');

  const files = writeInputs({
    'config.json': at('integration_tests/sample_config.json'),
    'catalog.json': read('integration_tests/configured_catalog.json'),
    'state.json': read('integration_tests/abnormal_state.json'),
  });
  const full = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  t.equal(full.code, 0, 'a read of the configured catalog succeeds');
  t.same(full.protocolErrors, [], 'its output is valid protocol');
  const actual = full.messages.filter((m) => m.type === 'RECORD').map((m) => JSON.stringify({ stream: m.record!.stream, data: m.record!.data })).sort();
  const expected = read('integration_tests/expected_records.jsonl').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { stream: string; data: unknown })
    .map((r) => JSON.stringify({ stream: r.stream, data: r.data })).sort();
  t.equal(actual.length, expected.length, `as many records as expected_records.jsonl (else ${REGENERATE})`);
  t.ok(actual.every((line, i) => line === expected[i]), `the same records as expected_records.jsonl (else ${REGENERATE})`);

  const incremental = readJson('integration_tests/configured_catalog.json') as ConfiguredCatalog;
  const incrementalOnly = writeInputs({ 'catalog.json': { streams: incremental.streams.filter((s) => s.sync_mode === 'incremental') } });
  const future = await runInProcess(['read', '--config', files['config.json'], '--catalog', incrementalOnly['catalog.json'], '--state', files['state.json']]);
  t.equal(future.code, 0, 'a read from abnormal_state.json succeeds');
  t.equal(records(future.messages).length, 0, 'and returns no record');
  for (const entry of incremental.streams.filter((s) => s.sync_mode === 'incremental')) {
    t.ok(states(future.messages, entry.stream.name).length > 0, `${entry.stream.name}: still emits a state`);
  }
});
