/**
 * The built tap-digitalocean against the fake API, modelled on the Singer SDK's standard tap tests
 * (meltano/sdk, singer_sdk/testing/tap_tests.py at 136de07f042d1d1b63eb83ba5d510a43273bad02):
 * TapCLIPrintsTest, TapDiscoveryTest, TapStreamConnectionTest, TapValidFinalStateTest,
 * StreamSchemaIsValidTest, StreamReturnsRecordTest, StreamRecordSchemaMatchesCatalogTest,
 * StreamRecordMatchesStreamSchema, StreamPrimaryKeysTest and the Attribute*Test checks; plus stdout
 * discipline on every path, SCHEMA before RECORD, whole composite keys, Meltano's selection, no secret.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import t, { type Test } from 'tap';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi } from '../../fake-api/server.js';
import { findStream, STREAMS } from '../../src/streams/index.js';
import { cursorOf } from '../../src/streams/freshness.js';
import { loadSchema } from '../../src/streams/schemas.js';
import { writeInputs } from '../helpers/files.js';
import { lastState, recordsOf, runTap, type SingerMessage, type TapRun } from '../helpers/singer.js';

const addFormats = formats.default;
const API_STREAMS = STREAMS.filter((def) => !def.transport);
// The configured tokens, the rejected ones of the failure cases included.
const SECRETS = [...Object.values(DEFAULT_TOKENS), 'x'.repeat(40), 'y'.repeat(40)];
const runs: TapRun[] = [];

let api: FakeApi;
t.before(async () => {
  api = await startFakeApi({ seed: 7, scale: 12, rateLimits: false });
});
t.teardown(() => api.close());

async function tap(args: string[], options?: Parameters<typeof runTap>[1]): Promise<TapRun> {
  const run = await runTap(args, options);
  runs.push(run);
  return run;
}

const config = (token: string = DEFAULT_TOKENS.readOnly, extra: Record<string, unknown> = {}) =>
  writeInputs({ 'config.json': { api_token: token, api_url: api.url, max_concurrency: 4, ...extra } })['config.json'];

/** A discovered catalog with only `names` selected, as Meltano writes selection (root and top-level). */
function selecting(catalog: { streams: Record<string, unknown>[] }, names: string[]) {
  return {
    streams: catalog.streams.map((entry) => {
      const selected = names.includes(entry.tap_stream_id as string);
      const metadata = (entry.metadata as { breadcrumb: string[]; metadata: Record<string, unknown> }[]).map((m) => (m.breadcrumb.length === 0 ? { ...m, metadata: { ...m.metadata, selected } } : m));
      return { ...entry, selected, metadata };
    }),
  };
}

let discovered: { streams: Record<string, unknown>[] };

t.test('cli prints (TapCLIPrintsTest): --version, --about in each format, with --config present', async (t) => {
  const version = await tap(['--version']);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };
  t.equal(version.stdout, `tap-digitalocean v${pkg.version}\n`);
  t.equal(pkg.bin['tap-digitalocean'], 'dist/src/tap-main.js', 'package.json has the tap-digitalocean bin');
  const viaMain = await tap(['--version'], { viaMain: true });
  t.equal(viaMain.stdout, version.stdout, 'source-digitalocean singer … is the same command');
  const json = await tap(['--about', '--format', 'json', '--config', '/no/such/config.json']);
  t.equal(json.code, 0, '--about works with --config present (not read)');
  const about = JSON.parse(json.stdout) as { name: string; capabilities: string[]; settings: { properties: Record<string, unknown> } };
  t.equal(about.name, 'tap-digitalocean');
  t.ok(about.capabilities.includes('catalog') && about.capabilities.includes('discover') && about.capabilities.includes('state'));
  t.ok('api_token' in about.settings.properties && 'emit_activate_version_messages' in about.settings.properties);
  const md = await tap(['--about', '--format', 'markdown']);
  t.match(md.stdout, /^# `tap-digitalocean`/);
  t.match(md.stdout, /\| api_token \| True \|/);
  const text = await tap(['--about']);
  t.match(text.stdout, /Environment Variable: TAP_DIGITALOCEAN_API_TOKEN/);
  const bad = await tap(['--about', '--format', 'xml']);
  t.equal(bad.code, 1);
  t.equal(bad.stdout, '', 'a usage error prints nothing on stdout');
  t.match(bad.stderr, /^ERROR Unknown --format 'xml'/);
});

t.test('discovery (TapDiscoveryTest, StreamSchemaIsValidTest): exactly one catalog document, --state and --catalog ignored', async (t) => {
  const files = writeInputs({ 'state.json': { bookmarks: {} }, 'catalog.json': '{broken' });
  const run = await tap(['--config', config(), '--discover', '--state', files['state.json'], '--catalog', files['catalog.json']]);
  t.equal(run.code, 0);
  discovered = JSON.parse(run.stdout) as typeof discovered; // throws unless stdout is exactly one JSON document
  t.ok(run.stdout.startsWith('{') && run.stdout.endsWith('}\n'), 'one document, nothing around it');
  // Meltano reads discovery output line by line under asyncio's default 64 KiB limit (meltano/meltano,
  // src/meltano/core/plugin/singer/tap.py `_stream_redirect`, at c139d24b): a longer line fails discovery.
  const longest = Math.max(...run.stdout.split('\n').map((l) => l.length));
  t.ok(longest < 64 * 1024, `no line over 64 KiB (longest ${longest})`);
  t.equal(discovered.streams.length, API_STREAMS.length, 'every API stream (no Spaces key: no Spaces streams)');
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, validateSchema: true });
  addFormats(ajv);
  for (const entry of discovered.streams) {
    const def = findStream(entry.tap_stream_id as string)!;
    t.ok(ajv.validateSchema(entry.schema as object), `${def.name}: the schema is a valid JSON Schema`);
    t.same(entry.key_properties, def.primaryKey, `${def.name}: the whole key`);
  }
  t.match(run.stderr, /^INFO /m, 'logs go to stderr');
});

t.test('stream connections (TapStreamConnectionTest): --check', async (t) => {
  const ok = await tap(['--config', config(), '--check']);
  t.equal(ok.code, 0);
  t.equal(ok.stdout, '', 'the report is on stderr only');
  t.match(ok.stderr, /INFO Check SUCCEEDED/);
  const over = await tap(['--config', config(DEFAULT_TOKENS.readOnlyWithCredentials), '--check']);
  t.equal(over.code, 1, 'a token that can read database passwords fails the least-privilege check');
  t.equal(over.stdout, '');
  t.match(over.stderr, /ERROR Check FAILED/);
  const broken = await tap(['--config', writeInputs({ 'c.json': { api_token: 'short' } })['c.json'], '--check']);
  t.equal(broken.code, 1);
  t.equal(broken.stdout, '');
});


function verifyStream(t: Test, messages: SingerMessage[]): Map<string, SingerMessage> {
  const schemas = new Map<string, SingerMessage>();
  const ajv = new Ajv({ strict: false, allowUnionTypes: true });
  addFormats(ajv);
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const keys = new Map<string, Set<string>>();
  let outOfOrder = 0;
  let invalid = 0;
  let outside = 0;
  let keyProblems = 0;
  let typeProblems = 0;
  for (const m of messages) {
    if (m.type === 'SCHEMA') {
      t.notOk(schemas.has(m.stream!), `${m.stream}: one SCHEMA`);
      schemas.set(m.stream!, m);
      validators.set(m.stream!, ajv.compile(m.schema!));
      keys.set(m.stream!, new Set());
      continue;
    }
    if (m.type !== 'RECORD') continue;
    const schema = schemas.get(m.stream!);
    if (!schema) {
      outOfOrder++;
      continue;
    }
    const record = m.record!;
    if (!validators.get(m.stream!)!(record)) invalid++;
    const properties = (schema.schema!.properties ?? {}) as Record<string, { type?: string | string[]; format?: string }>;
    if (Object.keys(record).some((k) => !(k in properties))) outside++;
    const pk = schema.key_properties!;
    if (pk.length > 0) {
      const values = pk.map((k) => record[k]);
      const id = JSON.stringify(values);
      if (values.some((v) => v === undefined || v === null) || keys.get(m.stream!)!.has(id)) keyProblems++;
      keys.get(m.stream!)!.add(id);
    }
    if (typeof m.time_extracted !== 'string' || Number.isNaN(Date.parse(m.time_extracted))) typeProblems++;
    // AttributeIsDateTimeTest, AttributeIsBooleanTest, AttributeIsIntegerTest, AttributeIsNumberTest, AttributeIsObjectTest
    for (const [name, p] of Object.entries(properties)) {
      const v = record[name];
      if (v === null || v === undefined) continue;
      const types = Array.isArray(p.type) ? p.type : [p.type];
      if (p.format === 'date-time' && typeof v === 'string' && Number.isNaN(Date.parse(v))) typeProblems++;
      if (types.length === 2 && types.includes('null')) {
        const only = types.find((x) => x !== 'null');
        if (only === 'boolean' && typeof v !== 'boolean') typeProblems++;
        if (only === 'integer' && !Number.isInteger(v)) typeProblems++;
        if (only === 'number' && typeof v !== 'number') typeProblems++;
        if (only === 'object' && (typeof v !== 'object' || Array.isArray(v))) typeProblems++;
      }
    }
  }
  t.equal(outOfOrder, 0, 'SCHEMA before every RECORD');
  t.equal(invalid, 0, 'records match their stream schema (StreamRecordMatchesStreamSchema)');
  t.equal(outside, 0, 'record keys within the schema (StreamRecordSchemaMatchesCatalogTest)');
  t.equal(keyProblems, 0, 'primary keys present, non-null and unique (StreamPrimaryKeysTest)');
  t.equal(typeProblems, 0, 'attribute types and time_extracted as declared (Attribute*Test)');
  return schemas;
}

let firstState: Record<string, unknown> | undefined;

t.test('a sync of every stream, no catalog: the standard stream tests, then an incremental second sync', async (t) => {
  const run = await tap(['--config', config()]);
  t.equal(run.code, 0, 'every stream read');
  t.same(run.bad, [], 'stdout carries only Singer messages');
  t.same(run.messages[0], { type: 'STATE', value: { bookmarks: {} } }, 'the input state first, before any record');
  const schemas = verifyStream(t, run.messages);
  t.equal(schemas.size, API_STREAMS.length, 'a SCHEMA for every stream, records or not');
  let composite = 0;
  for (const def of API_STREAMS) {
    const schema = schemas.get(def.name)!;
    t.same(schema.key_properties, def.primaryKey, `${def.name}: key_properties is the whole key`);
    if (def.primaryKey.length > 1) composite++;
    t.same(schema.bookmark_properties, cursorOf(def) ? [cursorOf(def)?.field] : undefined, `${def.name}: bookmark_properties`);
    // StreamReturnsRecordTest, made exact: every record the fake account has.
    t.equal(recordsOf(run.messages, def.name).length, api.account.count(def.name), `${def.name}: every record`);
  }
  t.comment(`${composite} streams with a composite key, each SCHEMA with all of it`);
  const final = lastState(run.messages) as { bookmarks: Record<string, unknown> };
  t.same(Object.keys(final.bookmarks).sort(), API_STREAMS.map((d) => d.name).sort(), 'TapValidFinalStateTest: the final state has every stream');
  t.notOk(JSON.stringify(final).includes('progress_markers'), 'no in-progress markers');
  for (const m of run.messages.filter((m) => m.type === 'STATE')) t.ok(m.value && 'bookmarks' in m.value, 'every STATE is a whole {"bookmarks": …}');
  t.same(run.stderr.split('\n').filter((l) => l !== '' && !/^(INFO|WARN|ERROR|DEBUG) /.test(l)), [], 'stderr lines are log lines');
  const unmapped = run.stderr.split('\n').filter((l) => /is not in the stream's schema/.test(l));
  t.equal(new Set(unmapped).size, unmapped.length, `a field the schema lacks is named once per stream (${unmapped.length} such fields)`);
  firstState = final;

  const files = writeInputs({ 'state.json': final });
  const second = await tap(['--config', config(), '--state', files['state.json']]);
  t.equal(second.code, 0);
  t.same(second.bad, []);
  t.same(second.messages[0], { type: 'STATE', value: final }, 'the input state is echoed first');
  const incremental = API_STREAMS.filter((d) => cursorOf(d));
  const again = incremental.filter((d) => recordsOf(second.messages, d.name).length > 0).map((d) => d.name);
  const inFirst = incremental.reduce((n, d) => n + recordsOf(run.messages, d.name).length, 0);
  const inSecond = incremental.reduce((n, d) => n + recordsOf(second.messages, d.name).length, 0);
  t.ok(inSecond < inFirst / 4, `incremental streams send far fewer records the second time (${inSecond} of ${inFirst}; again: ${again.join(', ') || 'none'})`);
  for (const d of API_STREAMS.filter((d) => !cursorOf(d))) t.equal(recordsOf(second.messages, d.name).length, api.account.count(d.name), `${d.name}: full table again`);
});

t.test('selection and deselection as Meltano writes it (golden catalog made by Meltano 4.2.2)', async (t) => {
  // test/singer/fixtures/meltano-select-catalog.json: see its _comment for the select rules and the commit.
  const golden = JSON.parse(readFileSync(new URL('./fixtures/meltano-select-catalog.json', import.meta.url), 'utf8')) as { streams: Record<string, unknown>[] };
  const files = writeInputs({ 'catalog.json': golden });
  const run = await tap(['--config', config(), '--catalog', files['catalog.json']]);
  t.equal(run.code, 0);
  t.same(run.bad, []);
  const schemas = verifyStream(t, run.messages);
  t.same([...schemas.keys()].sort(), ['droplet_backups', 'droplets', 'vpcs'], 'the selected streams only');
  t.match(run.stderr, /WARN The catalog names the stream 'retired_stream'/, 'an unknown stream is a warning');
  const droplets = schemas.get('droplets')!;
  // Properties added to the schema since the fixture was made have no metadata there: selected (as the SDK reads it).
  const goldenDroplets = golden.streams.find((s) => s.tap_stream_id === 'droplets') as { metadata: { breadcrumb: string[] }[] };
  const described = new Set(goldenDroplets.metadata.map((m) => m.breadcrumb[1]));
  const newer = Object.keys(loadSchema('droplets').properties ?? {}).filter((p) => !described.has(p));
  const kept = ['id', 'name', ...newer].sort();
  t.same(Object.keys(droplets.schema!.properties as object).sort(), kept, `droplets: only id (automatic) and name (selected)${newer.length ? `, and ${newer.join(', ')} (newer than the fixture)` : ''}`);
  for (const r of recordsOf(run.messages, 'droplets')) t.ok(Object.keys(r).every((k) => kept.includes(k)) && 'id' in r && 'name' in r, 'droplets record: the selected fields only');
  const vpcs = recordsOf(run.messages, 'vpcs');
  t.ok(vpcs.length > 0 && vpcs.every((r) => !('description' in r) && 'id' in r), 'vpcs: description deselected, the rest kept');
  t.ok(recordsOf(run.messages, 'droplet_backups').length > 0);
  // --properties is the same option
  const props = await tap(['--config', config(), '--properties', files['catalog.json']]);
  t.same(props.messages.filter((m) => m.type === 'RECORD').length, run.messages.filter((m) => m.type === 'RECORD').length, '--properties = --catalog');
});

t.test("Meltano's select '*.*' with exclusions and a replication-method override (golden catalog made by Meltano 4.2.2)", async (t) => {
  const files = writeInputs({ 'catalog.json': JSON.parse(readFileSync(new URL('./fixtures/meltano-select-all-catalog.json', import.meta.url), 'utf8')) as object });
  const run = await tap(['--config', config(), '--catalog', files['catalog.json']]);
  t.equal(run.code, 0);
  t.same(run.bad, []);
  const schemas = verifyStream(t, run.messages);
  t.same([...schemas.keys()].sort(), ['droplet_backups', 'droplets', 'vpcs'], 'firewalls excluded');
  t.notOk('backup_ids' in (schemas.get('droplets')!.schema!.properties as object), 'droplets.backup_ids excluded from SCHEMA');
  t.ok(recordsOf(run.messages, 'droplets').every((r) => !('backup_ids' in r) && 'name' in r), '… and from RECORD, the rest kept');
  t.equal(schemas.get('droplet_backups')!.bookmark_properties, undefined, 'droplet_backups read FULL_TABLE as the metadata says: no bookmark');
  t.same(schemas.get('droplet_backups')!.key_properties, ['droplet_id', 'id'], 'the whole key still');
  const final = lastState(run.messages) as { bookmarks: Record<string, unknown> };
  // A finished full table: {} once the tombstone of its mid-sync partitions_done is read back.
  t.same(Object.entries(final.bookmarks.droplet_backups as object).filter(([, v]) => v !== null), [], 'a finished full-table state');
});

t.test('ACTIVATE_VERSION for full tables when emit_activate_version_messages is on', async (t) => {
  const catalog = writeInputs({ 'c.json': selecting(discovered, ['droplets', 'droplet_backups']) })['c.json'];
  const off = await tap(['--config', config(), '--catalog', catalog]);
  t.notOk(off.messages.some((m) => m.type === 'ACTIVATE_VERSION' || m.version !== undefined), 'off by default');
  const on = await tap(['--config', config(DEFAULT_TOKENS.readOnly, { emit_activate_version_messages: true }), '--catalog', catalog]);
  t.equal(on.code, 0);
  const activations = on.messages.filter((m) => m.type === 'ACTIVATE_VERSION');
  t.same(activations.map((m) => m.stream), ['droplets'], 'the full table only (droplet_backups is incremental)');
  const lastDroplet = on.messages.findLastIndex((m) => m.type === 'RECORD' && m.stream === 'droplets');
  t.ok(on.messages.indexOf(activations[0]) > lastDroplet, 'after the records it covers');
  t.ok(recordsOf(on.messages, 'droplets').length > 0);
  t.ok(on.messages.filter((m) => m.type === 'RECORD' && m.stream === 'droplets').every((m) => m.version === activations[0].version), 'RECORD carries the version');
  t.ok(on.messages.filter((m) => m.type === 'RECORD' && m.stream === 'droplet_backups').every((m) => m.version === undefined));
});

t.test('--config ENV and repeated --config (later wins)', async (t) => {
  const catalog = writeInputs({ 'c.json': selecting(discovered, ['regions']) })['c.json'];
  const env = await tap(['--config', 'ENV', '--catalog', catalog], { env: { TAP_DIGITALOCEAN_API_TOKEN: DEFAULT_TOKENS.readOnly, TAP_DIGITALOCEAN_API_URL: api.url, TAP_DIGITALOCEAN_MAX_CONCURRENCY: '2' } });
  t.equal(env.code, 0);
  t.ok(recordsOf(env.messages, 'regions').length > 0, 'settings from TAP_DIGITALOCEAN_* variables');
  const wrong = config(DEFAULT_TOKENS.noScopes);
  const later = await tap(['--config', wrong, '--config', config(), '--catalog', catalog]);
  t.equal(later.code, 0, 'the second file overrides the first one');
});

t.test('stdout discipline on failures: nothing but Singer messages, errors on stderr, non-zero exit', async (t) => {
  const catalog = writeInputs({ 'c.json': selecting(discovered, ['droplets', 'vpcs']) })['c.json'];
  const cases: [string, string[], Parameters<typeof runTap>[1]?][] = [
    ['a rejected token', ['--config', writeInputs({ c: { api_token: 'x'.repeat(40), api_url: api.url } }).c, '--catalog', catalog]],
    ['a token without the scopes', ['--config', config(DEFAULT_TOKENS.noScopes), '--catalog', catalog]],
    ['no --config', ['--catalog', catalog]],
    ['a missing config file', ['--config', '/no/such/file.json']],
    ['an invalid config', ['--config', writeInputs({ c: { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 'lots' } }).c]],
    ['a catalog that is not JSON', ['--config', config(), '--catalog', writeInputs({ c: '{nope' }).c]],
    ['a state that is not JSON', ['--config', config(), '--catalog', catalog, '--state', writeInputs({ s: '{nope' }).s]],
    ['an unknown option', ['--config', config(), '--sync-everything']],
    ['discover with a rejected token', ['--config', writeInputs({ c: { api_token: 'y'.repeat(40), api_url: api.url } }).c, '--discover']],
    ['an unreachable API', ['--config', writeInputs({ c: { api_token: DEFAULT_TOKENS.readOnly, api_url: 'http://127.0.0.1:1' } }).c, '--catalog', catalog]],
  ];
  for (const [what, args] of cases) {
    const run = await tap(args);
    t.not(run.code, 0, `${what}: non-zero exit`);
    t.same(run.bad, [], `${what}: stdout has only Singer messages`);
    t.notOk(run.messages.some((m) => m.type === 'RECORD'), `${what}: no record`);
    t.match(run.stderr, /^ERROR /m, `${what}: the error is on stderr`);
  }
});

t.test('a failed stream fails the run, the others complete', async (t) => {
  api.setFaults({ rules: [{ fault: { kind: 'status', status: 500 }, pathPrefix: '/v2/vpcs' }] });
  t.teardown(() => api.setFaults({}));
  const run = await tap(['--config', config(), '--catalog', writeInputs({ c: selecting(discovered, ['droplets', 'vpcs']) }).c]);
  t.equal(run.code, 1);
  t.same(run.bad, []);
  t.ok(recordsOf(run.messages, 'droplets').length > 0, 'droplets read');
  t.match(run.stderr, /ERROR Stream 'vpcs' failed/);
  t.match(run.stderr, /WARN Stream 'vpcs': INCOMPLETE/);
  t.ok(firstState, 'the sync above ran');
});

t.test('a catalog that selects nothing: the state and a warning, exit 0', async (t) => {
  const run = await tap(['--config', config(), '--catalog', writeInputs({ c: selecting(discovered, []) }).c]);
  t.equal(run.code, 0);
  t.same(run.messages, [{ type: 'STATE', value: { bookmarks: {} } }], 'only the state');
  t.match(run.stderr, /WARN The catalog selects no stream/);
});

// Last: every run above, on every path (successes, failures, discover, check, about).
t.test('no secret on stdout or stderr of any run', async (t) => {
  t.ok(runs.length > 30, `${runs.length} runs`);
  const leaks = runs.filter((r) => SECRETS.some((s) => r.stdout.includes(s) || r.stderr.includes(s)));
  t.equal(leaks.length, 0, 'no token printed');
  t.ok(runs.some((r) => r.stderr.includes('**********') || r.stderr.length > 0), 'stderr was written (the check is not vacuous)');
});
