import { Writable } from 'node:stream';
import t from 'tap';
import { SingerWriter, type SingerStreamPlan } from '../../src/protocol/singer-writer.js';
import { selectFromCatalog, singerCatalog, singerEntry } from '../../src/singer/catalog.js';
import { configFromEnv, loadSingerConfig } from '../../src/singer/config.js';
import { parseSingerState, SingerBookmarks, tombstoned, withoutNulls } from '../../src/singer/state.js';
import { airbyteStream } from '../../src/commands/catalog.js';
import { cursorOf } from '../../src/streams/freshness.js';
import { STREAMS, findStream } from '../../src/streams/index.js';
import { writeInputs } from '../helpers/files.js';
import { meltanoMerge } from '../helpers/singer.js';

function sink(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  return { out: new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), text: () => chunks.join('') };
}

const logs: string[] = [];
const log = (level: string, message: string): void => void logs.push(`${level} ${message}`);

t.test('every stream maps to a Singer entry with its whole key and the breadcrumbs the SDK writes', async (t) => {
  const catalog = singerCatalog(STREAMS.map(airbyteStream));
  t.equal(catalog.streams.length, STREAMS.length);
  let composite = 0;
  for (const entry of catalog.streams) {
    const def = findStream(entry.tap_stream_id)!;
    t.equal(entry.stream, entry.tap_stream_id);
    if (def.primaryKey.length > 1) composite++;
    t.same(entry.key_properties, def.primaryKey, `${def.name}: key_properties is the whole key`);
    const root = entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    t.same(root['table-key-properties'], def.primaryKey);
    t.equal(root['selected-by-default'], true);
    // Child streams with a freshness class are incremental on _parent_listed_at (cursorOf).
    const cursor = cursorOf(def);
    if (cursor) {
      t.same(root['valid-replication-keys'], [cursor.field]);
      t.equal(entry.replication_key, cursor.field);
      t.equal(entry.replication_method, 'INCREMENTAL');
    } else {
      t.equal(root['forced-replication-method'], 'FULL_TABLE');
      t.equal(entry.replication_method, 'FULL_TABLE');
    }
    const props = Object.keys(entry.schema.properties ?? {});
    t.equal(entry.metadata.length, props.length + 1, `${def.name}: one metadata entry per top-level property`);
    for (const m of entry.metadata.slice(1)) {
      const name = m.breadcrumb[1];
      const automatic = def.primaryKey.includes(name) || cursor?.field === name;
      t.equal(m.metadata.inclusion, automatic ? 'automatic' : 'available');
    }
  }
  t.ok(composite >= 50, `${composite} streams have a composite key, all of it kept`);
  t.comment(`${composite} of ${STREAMS.length} streams have a composite key`);
});

t.test('selection as Meltano writes it: root selected, then top-level selected, then selected-by-default', async (t) => {
  const entry = (name: string, extra: Record<string, unknown>, root: Record<string, unknown>) => {
    const e = singerEntry(airbyteStream(findStream(name)!)) as unknown as Record<string, unknown> & { metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] };
    e.metadata[0].metadata = { ...e.metadata[0].metadata, ...root };
    return { ...e, ...extra };
  };
  logs.length = 0;
  const picked = selectFromCatalog(
    {
      streams: [
        entry('droplets', { selected: false }, { selected: true }), // root wins
        entry('droplet_backups', { selected: true }, {}), // top-level
        entry('firewalls', {}, { 'selected-by-default': false }), // default false
        entry('vpcs', {}, {}), // default true
        entry('regions', {}, { selected: false }),
        { tap_stream_id: 'no_such_stream', metadata: [] },
        entry('droplets', {}, { selected: true }),
      ],
    },
    log,
  );
  t.same(picked.map((s) => s.def.name), ['droplets', 'droplet_backups', 'vpcs']);
  t.ok(logs.some((l) => /^WARN .*no_such_stream.*skipped/.test(l)), 'an unknown stream is a warning');
  t.ok(logs.some((l) => /^WARN .*'droplets' more than once/.test(l)), 'a duplicate is a warning');
  t.throws(() => selectFromCatalog({ nope: 1 }, log), /'streams' list/);
});

t.test('replication method: root metadata, else top-level; INCREMENTAL without a cursor is a full table', async (t) => {
  const e = (name: string, top?: string, root?: string) => {
    const entry = singerEntry(airbyteStream(findStream(name)!)) as unknown as Record<string, unknown> & { metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] };
    if (root) entry.metadata[0].metadata['replication-method'] = root;
    if (top) entry.replication_method = top;
    else delete entry.replication_method;
    return entry;
  };
  const picked = selectFromCatalog({ streams: [e('droplet_backups', 'INCREMENTAL', 'FULL_TABLE'), e('droplet_snapshots', 'FULL_TABLE'), e('droplets', 'INCREMENTAL'), e('actions')] }, log);
  const modes = Object.fromEntries(picked.map((s) => [s.def.name, s.mode]));
  t.same(modes, { droplet_backups: 'full_refresh', droplet_snapshots: 'full_refresh', droplets: 'full_refresh', actions: cursorOf(findStream('actions')!) ? 'incremental' : 'full_refresh' });
});

t.test('deselected top-level properties are dropped; automatic ones and deep breadcrumbs are not', async (t) => {
  const entry = singerEntry(airbyteStream(findStream('droplet_backups')!)) as unknown as { metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] };
  for (const m of entry.metadata) m.metadata.selected = false; // Meltano's `!*.*` first
  entry.metadata[0].metadata.selected = true;
  entry.metadata.find((m) => m.breadcrumb[1] === 'name')!.metadata.selected = true;
  entry.metadata.push({ breadcrumb: ['properties', 'regions', 'items'], metadata: { selected: false } });
  const [picked] = selectFromCatalog({ streams: [entry] }, log);
  t.notOk(picked.dropped.has('droplet_id') || picked.dropped.has('id') || picked.dropped.has('created_at'), 'key and cursor stay');
  t.notOk(picked.dropped.has('name'), 'a selected property stays');
  t.ok(picked.dropped.has('regions') && picked.dropped.has('size_gigabytes'), 'deselected ones go');
});

t.test('state: tombstones survive a deep merge; nulls are read as absent', async (t) => {
  const interrupted = { bookmarks: { child: { partitions_done: ['1', '2'] }, inc: { created_at: '2024-01-01T00:00:00Z' } } };
  const input = parseSingerState(JSON.stringify(interrupted), log);
  const bookmarks = new SingerBookmarks(input.streams, input.raw);
  const finished = bookmarks.update('child', {});
  t.same(finished, { bookmarks: { child: { partitions_done: null }, inc: { created_at: '2024-01-01T00:00:00Z' } } }, 'the finished full table says partitions_done is gone');
  const merged = meltanoMerge(structuredClone(finished), structuredClone(interrupted));
  const again = parseSingerState(JSON.stringify(merged), log);
  t.same(again.streams.get('child'), {}, 'after the merge the child is not resumed mid-way');
  // nested objects too (parent_digests)
  t.same(tombstoned({ a: { x: 1 } }, { a: { x: 0, y: 2 }, b: 3 }), { a: { x: 1, y: null }, b: null });
  t.same(withoutNulls({ a: { x: 1, y: null }, b: null, c: [null] }), { a: { x: 1 }, c: [null] });
  // steady state: no tombstones when nothing disappears
  const steady = new SingerBookmarks(new Map([['inc', { created_at: 'a' }]]));
  t.same(steady.update('inc', { created_at: 'b' }), { bookmarks: { inc: { created_at: 'b' } } });
});

t.test('state input forms: empty, {}, bookmarks, the wrapper (airbyte_state), both', async (t) => {
  t.equal(parseSingerState(undefined, log).streams.size, 0);
  t.equal(parseSingerState('', log).streams.size, 0);
  t.equal(parseSingerState('{}', log).streams.size, 0);
  t.equal(parseSingerState('null', log).streams.size, 0);
  t.throws(() => parseSingerState('[1]', log), /JSON object/);
  t.throws(() => parseSingerState('{', log), /not valid JSON/);
  t.throws(() => parseSingerState('{"bookmarks": 3}', log), /bookmarks/);
  // MeltanoLabs/tap-airbyte-wrapper, tap_airbyte/tap.py at e874473c: the last stream message unpacked, plus airbyte_state
  const wrapper = {
    stream_descriptor: { name: 'droplet_backups' },
    stream_state: { state: { created_at: 'x' } },
    airbyte_state: [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'droplets' }, stream_state: {} } },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'droplet_backups' }, stream_state: { state: { created_at: '2024-01-01T00:00:00Z' } } } },
      { type: 'GLOBAL', global: {} },
    ],
  };
  const w = parseSingerState(JSON.stringify(wrapper), log);
  t.same([...w.streams.keys()].sort(), ['droplet_backups', 'droplets']);
  t.same(w.streams.get('droplet_backups'), { state: { created_at: '2024-01-01T00:00:00Z' } });
  const both = parseSingerState(JSON.stringify({ ...wrapper, bookmarks: { droplet_backups: { state: { created_at: '2025-01-01T00:00:00Z' } } } }), log);
  t.same(both.streams.get('droplet_backups'), { state: { created_at: '2025-01-01T00:00:00Z' } }, 'bookmarks win');
  t.same(both.streams.get('droplets'), {}, 'the wrapper fills the rest');
});

t.test('config: files in order (later wins), ENV cast by spec types, Singer-only settings taken out', async (t) => {
  const files = writeInputs({ 'a.json': { api_token: 'a'.repeat(20), requests_per_minute: 10 }, 'b.json': { requests_per_minute: 20, emit_activate_version_messages: true } });
  const { raw, options } = await loadSingerConfig([files['a.json'], files['b.json']], {});
  t.same(raw, { api_token: 'a'.repeat(20), requests_per_minute: 20 });
  t.equal(options.activateVersion, true);
  const env = configFromEnv({
    TAP_DIGITALOCEAN_API_TOKEN: 't'.repeat(20),
    TAP_DIGITALOCEAN_MAX_CONCURRENCY: '3',
    TAP_DIGITALOCEAN_EXHAUSTIVE_FANOUT: 'true',
    TAP_DIGITALOCEAN_SPACES_REGIONS: 'nyc3,ams3',
    TAP_DIGITALOCEAN_EMIT_ACTIVATE_VERSION_MESSAGES: '0',
    TAP_DIGITALOCEAN_UNKNOWN: 'x',
  });
  t.same(env, { api_token: 't'.repeat(20), max_concurrency: 3, exhaustive_fanout: true, spaces_regions: ['nyc3', 'ams3'], emit_activate_version_messages: false });
  t.same(configFromEnv({ TAP_DIGITALOCEAN_SPACES_REGIONS: '["fra1"]' }), { spaces_regions: ['fra1'] });
  t.throws(() => configFromEnv({ TAP_DIGITALOCEAN_MAX_CONCURRENCY: 'many' }), /TAP_DIGITALOCEAN_MAX_CONCURRENCY must be an integer/);
  t.throws(() => configFromEnv({ TAP_DIGITALOCEAN_EXHAUSTIVE_FANOUT: 'perhaps' }), /true or false/);
  const mixed = await loadSingerConfig([files['a.json'], 'ENV'], { TAP_DIGITALOCEAN_REQUESTS_PER_MINUTE: '7' });
  t.equal(mixed.raw.requests_per_minute, 7, 'ENV after a file wins');
});

t.test('the writer: SCHEMA before RECORD, deselected fields gone, time_extracted, whole STATE, stderr for the rest, secrets redacted', async (t) => {
  const out = sink();
  const err = sink();
  const plan: SingerStreamPlan = { schema: { type: 'object', properties: { id: {}, droplet_id: {} } }, keyProperties: ['droplet_id', 'id'], bookmarkProperties: ['created_at'], dropped: new Set(['secret_field']) };
  const bookmarks = new SingerBookmarks(new Map([['other', { a: 1 }]]));
  const writer = new SingerWriter({ plan: (s) => (s === 'b' ? plan : s === 'v' ? { ...plan, bookmarkProperties: undefined, version: 42 } : undefined), state: (s, st) => bookmarks.update(s, st), catalog: () => ({ streams: [] }) }, out.out, err.out);
  writer.addSecret('super-secret-token-value');
  await writer.record('b', { id: 1, droplet_id: 2, secret_field: 'x', field_added_by_the_api: 1 }, Date.UTC(2024, 0, 1));
  await writer.record('b', { id: 4, droplet_id: 2, field_added_by_the_api: 2 }, Date.UTC(2024, 0, 1));
  await writer.status('b', 'STARTED');
  await writer.emit({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'b' }, stream_state: { created_at: 'z' } }, sourceStats: { recordCount: 1 } } });
  await writer.log('WARN', 'token super-secret-token-value\nsecond line');
  await writer.error('failed with super-secret-token-value', 'system_error', { stack: 'Error: x\n  at y' });
  await writer.estimate();
  await writer.status('v', 'STARTED');
  await writer.record('v', { id: 3 }, 5);
  await writer.status('v', 'COMPLETE');
  await writer.record('nope', { id: 1 }, 5);
  await writer.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: 'no' } });
  await writer.emit({ type: 'SPEC', spec: {} });
  await writer.flush();
  const lines = out.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(lines.map((l) => l.type), ['SCHEMA', 'RECORD', 'RECORD', 'STATE', 'SCHEMA', 'RECORD', 'ACTIVATE_VERSION']);
  t.same(lines[2].record, { id: 4, droplet_id: 2 }, 'a field the schema lacks is left out');
  lines.splice(2, 1);
  t.same(lines[0], { type: 'SCHEMA', stream: 'b', schema: plan.schema, key_properties: ['droplet_id', 'id'], bookmark_properties: ['created_at'] });
  t.same(lines[1], { type: 'RECORD', stream: 'b', record: { id: 1, droplet_id: 2 }, time_extracted: '2024-01-01T00:00:00.000Z' });
  t.same(lines[2], { type: 'STATE', value: { bookmarks: { other: { a: 1 }, b: { created_at: 'z' } } } });
  t.equal(lines[4].version, 42);
  t.same(lines[5], { type: 'ACTIVATE_VERSION', stream: 'v', version: 42 });
  const stderr = err.text();
  t.notMatch(stderr, /super-secret-token-value/, 'no secret on stderr');
  t.match(stderr, /WARN token \*+ \| second line/);
  t.match(stderr, /ERROR failed with \*+ \(system_error\)/);
  t.match(stderr, /INFO Stream 'b': STARTED/);
  t.match(stderr, /WARN A record of stream 'nope'/);
  t.equal(stderr.match(/the field 'field_added_by_the_api' is not in the stream's schema/g)?.length, 1, 'named once');
  t.notMatch(stderr, /secret_field/, 'a deselected field is not warned about');
  t.equal(writer.verdict, 'FAILED');
  t.ok(stderr.split('\n').filter(Boolean).every((l) => /^(INFO|WARN|ERROR|DEBUG) /.test(l)), 'every stderr line is a leveled log line');
});
