/**
 * Resuming tap-digitalocean the way Meltano does: from any STATE it printed, after a kill, and from
 * Meltano's deep merge of an interrupted run's state onto an older one (meltano/meltano,
 * src/meltano/core/job_state.py `from_job_history` and src/meltano/core/utils/__init__.py `merge`, at
 * c139d24b2ea4b711569483a93c2f321d05fd93b2); and from tap-airbyte-wrapper's state (MeltanoLabs/
 * tap-airbyte-wrapper, tap_airbyte/tap.py at e874473c2b0806bd6cc5b86d0001f041db7699da).
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi } from '../../fake-api/server.js';
import { findStream } from '../../src/streams/index.js';
import { cursorOf } from '../../src/streams/freshness.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { mapPool } from '../helpers/pool.js';
import { lastState, meltanoMerge, MAIN, recordsOf, runTap, type SingerMessage, type TapRun } from '../helpers/singer.js';

/** Parents and children of both kinds: full-table children (partitions_done), incremental children, a grandchild. */
const NAMES = [
  'droplets', 'droplet_backups', 'droplet_kernels', 'database_clusters', 'database_users', 'database_events',
  'registries', 'registry_repositories', 'registry_repository_tags', 'domains', 'domain_records',
];

let api: FakeApi;
let files: Record<string, string>;
t.before(async () => {
  api = await startFakeApi({ seed: 23, scale: 14, rateLimits: false });
  const catalog = {
    streams: NAMES.map((name) => ({ tap_stream_id: name, stream: name, schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true } }] })),
  };
  files = writeInputs({ 'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 3 }, 'catalog.json': catalog });
});
t.teardown(() => api.close());

function identity(m: SingerMessage): string {
  const def = findStream(m.stream!)!;
  const record = m.record!;
  return `${m.stream} ${def.primaryKey.length > 0 ? JSON.stringify(def.primaryKey.map((k) => record[k])) : JSON.stringify(record)}`;
}

const ids = (messages: SingerMessage[]): Set<string> => new Set(messages.filter((m) => m.type === 'RECORD').map(identity));

function sync(state: unknown, killAfterRecords?: number): Promise<TapRun> {
  const args = ['--config', files['config.json'], '--catalog', files['catalog.json']];
  if (state !== undefined) args.push('--state', writeInputs({ 'state.json': state })['state.json']);
  return runTap(args, { killAfterRecords });
}

let full: TapRun;
let expected: Set<string>;

t.test('a first sync reads every record of the selected streams', async (t) => {
  full = await sync(undefined);
  t.equal(full.code, 0);
  t.same(full.bad, []);
  expected = ids(full.messages);
  for (const name of NAMES) t.equal(recordsOf(full.messages, name).length, api.account.count(name), `${name}: all of it`);
});

t.test('resumed from every STATE it printed, nothing is lost', async (t) => {
  const positions = full.messages.flatMap((m, i) => (m.type === 'STATE' ? [i] : []));
  t.ok(positions.length > 20, `${positions.length} states`);
  const results = await mapPool(positions, 2, async (i) => {
    const before = ids(full.messages.slice(0, i));
    const resumed = await sync(full.messages[i].value);
    const seen = new Set([...before, ...ids(resumed.messages)]);
    return { i, code: resumed.code, bad: resumed.bad.length, lost: [...expected].filter((id) => !seen.has(id)) };
  });
  const lost = results.flatMap((r) => r.lost.map((id) => `state #${r.i}: ${id}`));
  t.same(lost.slice(0, 10), [], 'no record lost from any state');
  t.same(results.filter((r) => r.code !== 0 || r.bad > 0).map((r) => r.i), [], 'every resumed run completes with clean stdout');
  t.comment(`resumed from ${positions.length} states, ${lost.length} records lost`);
});

t.test('killed again and again, each run resuming from Meltano\'s deep merge of the states so far', async (t) => {
  for (const kills of [[3, 3, 3, 3, 3, 3, 3, 3], [1, 20, 60], [Math.floor(expected.size / 2)]]) {
    let merged: Record<string, unknown> = {};
    const seen = new Set<string>();
    let runs = 0;
    for (;;) {
      const run = await sync(merged, kills[runs]);
      runs++;
      for (const id of ids(run.messages)) seen.add(id);
      const state = lastState(run.messages);
      // An interrupted job's state is merged onto the ones before it; the complete one ends the chain.
      if (state) merged = meltanoMerge(structuredClone(state), merged);
      if (run.signal === null) {
        t.equal(run.code, 0, `kills at ${kills.join(',')}: the last run completes`);
        break;
      }
      if (runs > 40) throw new Error('no progress');
    }
    t.same([...expected].filter((id) => !seen.has(id)).slice(0, 5), [], `kills at ${kills.join(',')}: nothing lost over ${runs} runs`);
  }
});

t.test('an interrupted full table, finished later, merged by Meltano onto the interrupted state: the next sync reads it whole', async (t) => {
  const index = full.messages.findIndex((m) => m.type === 'STATE' && Object.values(m.value?.bookmarks ?? {}).some((s) => Array.isArray((s as { partitions_done?: unknown }).partitions_done) && ((s as { partitions_done: unknown[] }).partitions_done.length > 0)));
  t.ok(index > 0, 'a state in the middle of a full-table child');
  const interrupted = full.messages[index].value as Record<string, unknown>;
  const finished = lastState((await sync(interrupted)).messages) as Record<string, unknown>;
  const merged = meltanoMerge(structuredClone(finished), structuredClone(interrupted)) as { bookmarks: Record<string, Record<string, unknown>> };
  for (const [name, state] of Object.entries((interrupted as { bookmarks: Record<string, Record<string, unknown>> }).bookmarks)) {
    if (Array.isArray(state.partitions_done)) t.equal(merged.bookmarks[name].partitions_done, null, `${name}: the merge keeps the tombstone, not the old list`);
  }
  const fromMerged = await sync(merged);
  const fromFinished = await sync(finished);
  t.equal(fromMerged.code, 0);
  for (const name of NAMES) {
    t.equal(recordsOf(fromMerged.messages, name).length, recordsOf(fromFinished.messages, name).length, `${name}: the merged state reads as the finished one`);
  }
  for (const name of NAMES.filter((n) => !cursorOf(findStream(n)!))) t.equal(recordsOf(fromMerged.messages, name).length, api.account.count(name), `${name}: full table read whole`);
});

function airbyteRead(): Promise<string> {
  const inputs = writeInputs({ 'catalog.json': catalogFor(NAMES, 'incremental') });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'read', '--config', files['config.json'], '--catalog', inputs['catalog.json']], {
      env: { PATH: process.env.PATH ?? '', SOURCE_DIGITALOCEAN_TIME_SCALE: '0.001' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

t.test("tap-airbyte-wrapper's state is accepted: a user switching keeps the bookmarks", async (t) => {
  const latest = new Map<string, { stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } }>();
  for (const line of (await airbyteRead()).split('\n')) {
    if (!line.startsWith('{"type":"STATE"')) continue;
    const message = JSON.parse(line) as { state: { type: string; stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } } };
    latest.set(message.state.stream.stream_descriptor.name, message.state);
  }
  t.same([...latest.keys()].sort(), [...NAMES].sort(), 'the Airbyte read gave a state per stream');
  const last = [...latest.values()].at(-1)!;
  // The wrapper's form: the last stream message unpacked at the top, every stream under airbyte_state.
  const wrapper = { ...last.stream, airbyte_state: [...latest.values()] };
  const bookmarks = { bookmarks: Object.fromEntries([...latest].map(([name, s]) => [name, s.stream.stream_state])) };
  const fromWrapper = await sync(wrapper);
  const fromBookmarks = await sync(bookmarks);
  t.equal(fromWrapper.code, 0);
  t.same(fromWrapper.messages[0], { type: 'STATE', value: bookmarks }, 'echoed in the Singer form');
  for (const name of NAMES) t.equal(recordsOf(fromWrapper.messages, name).length, recordsOf(fromBookmarks.messages, name).length, `${name}: as from the same bookmarks`);
  const incremental = NAMES.filter((n) => cursorOf(findStream(n)!));
  const again = incremental.reduce((n, name) => n + recordsOf(fromWrapper.messages, name).length, 0);
  const first = incremental.reduce((n, name) => n + recordsOf(full.messages, name).length, 0);
  t.ok(again < first, `incremental streams resume (${again} records again of ${first})`);
});
