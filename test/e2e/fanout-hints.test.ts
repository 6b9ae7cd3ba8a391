import { readFileSync } from 'node:fs';
import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { STREAMS } from '../../src/streams/index.js';
import { readCli } from '../helpers/e2e.js';
import { json, startHostile } from '../helpers/hostile-server.js';
import { errorTraces, records, states } from '../helpers/protocol.js';

/**
 * ParentLink.hint skips per-parent calls that DigitalOcean's own data proves empty. The proof that it
 * loses nothing: the same account read with and without hints (exhaustive_fanout) emits the same
 * records, while the hinted read asks for far fewer parents' lists.
 */
const HINTED = STREAMS.filter((s) => s.parent?.hint).map((s) => s.name);
const PER_DROPLET = HINTED.filter((name) => name.startsWith('droplet_'));

t.test('the hinted rows: four per-Droplet lists and the volumes\' snapshots, each with a documented hint', async (t) => {
  t.same(HINTED.sort(), ['droplet_backups', 'droplet_firewalls', 'droplet_neighbors', 'droplet_snapshots', 'volume_snapshots']);
  // The fields a hint reads are fields DigitalOcean's records have (our schemas), and a change hint taken
  // from a list (ChangeHint.namedItems) sits on a row whose hint reads that list.
  const schemaFields = (stream: string): string[] => Object.keys((JSON.parse(readFileSync(new URL(`../../schemas/${stream}.json`, import.meta.url), 'utf8')) as { properties: object }).properties);
  for (const def of STREAMS.filter((s) => s.parent?.hint)) {
    const link = def.parent!;
    const hint = link.hint!;
    if ('nonEmpty' in hint) {
      t.ok(schemaFields(link.stream).includes(hint.nonEmpty), `${def.name}: ${link.stream}.${hint.nonEmpty} exists`);
      continue;
    }
    const listedFields = [...hint.namedBy.match.flatMap((m) => (m.listed ? [m.listed] : [])), ...(hint.namedBy.only ? [hint.namedBy.only.field] : [])];
    if (typeof link.changeHint === 'object') listedFields.push(link.changeHint.namedItems);
    for (const field of listedFields) t.ok(schemaFields(hint.namedBy.source.stream).includes(field), `${def.name}: ${hint.namedBy.source.stream}.${field} exists`);
    for (const m of hint.namedBy.match) t.ok(schemaFields(link.stream).includes(m.parentField), `${def.name}: ${link.stream}.${m.parentField} exists`);
  }
  for (const def of STREAMS.filter((s) => typeof s.parent?.changeHint === 'object')) {
    t.ok(def.parent?.hint && 'namedBy' in def.parent.hint, `${def.name}: its change hint names a namedBy list`);
  }
});

t.test('records are identical with and without hints; the hinted sync makes fewer requests', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 120, rateLimits: false, gpuDropletEvery: 10 });
  t.teardown(() => api.close());
  // Firewalls and snapshots are left out of the catalog on purpose: the hints must read them once, silently.
  const names = ['droplets', 'droplet_kernels', 'volumes', ...HINTED];
  const read = async (exhaustive: boolean) => {
    api.resetStats();
    const config = { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 4, exhaustive_fanout: exhaustive };
    const run = await readCli({ config, streams: names });
    t.equal(run.code, 0, `exit 0 (exhaustive_fanout ${exhaustive}; stderr: ${run.stderr.slice(0, 300)})`);
    t.same(errorTraces(run.messages), []);
    return { run, stats: api.stats(0) };
  };
  const full = await read(true);
  const hinted = await read(false);
  const sorted = (rows: Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
  for (const name of names) {
    const a = sorted(records(full.run.messages, name));
    const b = sorted(records(hinted.run.messages, name));
    t.same(b, a, `${name}: the same ${a.length} records`);
  }
  // The fake account models the documented sparsity: most Droplets have no snapshot, few neighbors.
  t.ok(records(full.run.messages, 'droplet_neighbors').length > 0, 'some Droplets have neighbors');
  t.ok(records(full.run.messages, 'droplet_snapshots').length > 0, 'some have snapshots');
  const droplets = records(full.run.messages, 'droplets').length;
  for (const name of PER_DROPLET) {
    const calls = (s: typeof full.stats): number => s.byStream[name] ?? 0;
    t.equal(calls(full.stats), droplets, `${name}: exhaustive asks every Droplet (${droplets})`);
    t.ok(calls(hinted.stats) < droplets, `${name}: hinted asks ${calls(hinted.stats)} of ${droplets}`);
  }
  t.equal(hinted.stats.byPath['/v2/reports/droplet_neighbors_ids'], 1, 'the neighbors report is read once');
  t.equal(full.stats.byPath['/v2/reports/droplet_neighbors_ids'] ?? 0, 0, 'and not at all without hints');
  t.equal(hinted.stats.byPath['/v2/firewalls'], 1, 'the firewalls list is read once though not selected');
  // volume_snapshots: exactly the volumes the account-wide snapshots list names are asked.
  const volumes = records(full.run.messages, 'volumes').length;
  const withSnapshots = new Set(records(full.run.messages, 'volume_snapshots').map((s) => s.volume_id)).size;
  t.ok(withSnapshots > 0 && withSnapshots < volumes / 2, `${withSnapshots} of ${volumes} volumes have snapshots`);
  t.equal(full.stats.byStream.volume_snapshots, volumes, 'exhaustive asks every volume');
  t.equal(hinted.stats.byStream.volume_snapshots, withSnapshots, 'hinted asks only those with snapshots');
  t.equal(hinted.stats.byPath['/v2/snapshots'], 1, 'the snapshots list is read once though not selected');
  t.equal(full.stats.byPath['/v2/snapshots'] ?? 0, 0, 'and not at all without hints');
  const notes = hinted.run.messages.filter((m) => m.log?.level === 'INFO' && /records requested; .* have none/.test(m.log.message));
  t.equal(notes.length, HINTED.length, 'one INFO line per hinted stream says how many parents were skipped');
});

t.test('volume_snapshots with the snapshots stream selected too: the list is read once, for both', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 120, rateLimits: false });
  t.teardown(() => api.close());
  const run = await readCli({ config: { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 4 }, streams: ['snapshots', 'volume_snapshots'] });
  t.equal(run.code, 0);
  t.same(errorTraces(run.messages), []);
  const stats = api.stats(0);
  t.equal(stats.byPath['/v2/snapshots'], 1, 'one request of the snapshots list');
  t.equal(records(run.messages, 'snapshots').length, api.account.count('snapshots'), 'and every snapshot emitted');
  const expected = [...api.account.expectedRecords('volume_snapshots')];
  t.same(records(run.messages, 'volume_snapshots').length, expected.length, 'every volume snapshot emitted');
  t.equal(stats.byStream.volume_snapshots, new Set(expected.map((s) => s.volume_id)).size, 'asking only the volumes that have some');
});

t.test('volume_snapshots: a token refused the snapshots list (403) still reads every volume', async (t) => {
  const allScopes = [...new Set(STREAMS.map((s) => s.scope).filter((s): s is string => s !== null))];
  const token = 'fake-token-without-snapshot-read';
  const api = await startFakeApi({ seed: 11, scale: 60, rateLimits: false, tokens: { [token]: allScopes.filter((s) => s !== 'snapshot:read') } });
  t.teardown(() => api.close());
  const read = async (state?: unknown[]) => {
    api.resetStats();
    const run = await readCli({ config: { api_token: token, api_url: api.url }, streams: ['volume_snapshots'], mode: 'incremental', state });
    t.equal(run.code, 0, `exit 0 (${run.stderr.slice(0, 200)})`);
    t.same(errorTraces(run.messages), [], 'the silent list failing is no error of the stream');
    return { run, stats: api.stats(0) };
  };
  const first = await read();
  const volumes = api.account.count('volumes');
  t.equal(first.stats.byPath['/v2/snapshots'], 1, 'the list was asked, and refused');
  t.equal(first.stats.byStream.volume_snapshots, volumes, 'every volume is asked');
  t.equal(records(first.run.messages, 'volume_snapshots').length, [...api.account.expectedRecords('volume_snapshots')].length, 'every record emitted');
  t.ok(first.run.messages.some((m) => m.log?.level === 'INFO' && /every 'volumes' record is requested.*could not be read/.test(m.log.message)), 'an INFO line says why');
  const second = await read(states(first.run.messages, 'volume_snapshots').slice(-1));
  t.equal(second.stats.byStream.volume_snapshots, volumes, 'nor does an incremental sync skip a volume on no evidence');
});

t.test('volume_snapshots: a snapshots list naming no volume is not trusted; every volume is asked', async (t) => {
  // A token whose account-wide list shows Droplet snapshots only, while the volumes' own lists are not empty.
  const volumeIds = ['0b0c8a6e-0001-4000-8000-000000000001', '0b0c8a6e-0002-4000-8000-000000000002', '0b0c8a6e-0003-4000-8000-000000000003'];
  const snapshot = (id: string, resourceId: string, type: string) => ({ id, name: id, regions: ['nyc1'], created_at: '2024-01-01T00:00:00Z', resource_id: resourceId, resource_type: type, min_disk_size: 10, size_gigabytes: 1, tags: null });
  const server = await startHostile((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v2/volumes') return json(res, { volumes: volumeIds.map((id) => ({ id, name: id })), links: {}, meta: { total: 3 } });
    if (path === '/v2/snapshots') return json(res, { snapshots: [snapshot('777', '300000001', 'droplet')], links: {}, meta: { total: 1 } });
    const own = /^\/v2\/volumes\/([^/]+)\/snapshots$/.exec(path);
    if (own) return json(res, { snapshots: own[1] === volumeIds[1] ? [snapshot('f00d', own[1], 'volume')] : [], links: {}, meta: { total: 1 } });
    return json(res, { id: 'not_found', message: 'not found' }, 404);
  });
  t.teardown(() => server.close());
  const read = async (state?: unknown[]) => {
    server.requests.length = 0;
    const config = { api_token: 'dop_v1_fanout_hint_test_0123456789abcdef', api_url: server.url };
    const run = await readCli({ config, streams: ['volume_snapshots'], mode: 'incremental', state });
    t.equal(run.code, 0, `exit 0 (${run.stderr.slice(0, 200)})`);
    t.same(errorTraces(run.messages), []);
    return { run, asked: server.requests.filter((r) => /^\/v2\/volumes\/[^/]+\/snapshots/.test(r.path)).length };
  };
  const first = await read();
  t.equal(first.asked, 3, 'every volume is asked');
  t.same(records(first.run.messages, 'volume_snapshots').map((r) => r.id), ['f00d'], 'and the snapshot the list did not show is emitted');
  t.ok(first.run.messages.some((m) => m.log?.level === 'INFO' && /every 'volumes' record is requested.*names none of them/.test(m.log.message)), 'an INFO line says why');
  const second = await read(states(first.run.messages, 'volume_snapshots').slice(-1));
  t.equal(second.asked, 3, 'an incremental sync does not take the empty sets for a change hint either');
});

t.test('a hint the token may not see is not trusted: no Droplet with any snapshot id means every Droplet is asked', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 3, rateLimits: false });
  t.teardown(() => api.close());
  const droplets = [...api.account.expectedRecords('droplets')];
  const run = await readCli({ config: { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url }, streams: ['droplet_snapshots'] });
  t.equal(run.code, 0);
  const anySnapshot = droplets.some((d) => Array.isArray(d.snapshot_ids) && d.snapshot_ids.length > 0);
  const calls = api.stats(0).byStream.droplet_snapshots ?? 0;
  if (anySnapshot) t.ok(calls < droplets.length, 'some Droplet has a snapshot: the empty ones are skipped');
  else t.equal(calls, droplets.length, 'none has one: every Droplet is asked');
});

t.test('the neighbors report: one record per group of Droplets on one host, agreeing with droplet_neighbors', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 120, rateLimits: false });
  t.teardown(() => api.close());
  const run = await readCli({ config: { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 4 }, streams: ['droplet_neighbor_reports', 'droplet_neighbors'] });
  t.equal(run.code, 0);
  t.same(errorTraces(run.messages), []);
  const groups = records(run.messages, 'droplet_neighbor_reports');
  t.ok(groups.length > 0, 'the account has neighbor groups');
  t.same(groups, [...api.account.expectedRecords('droplet_neighbor_reports')], 'each group of the report (an array of ids in the body) is one record');
  t.equal(api.stats(0).byPath['/v2/reports/droplet_neighbors_ids'], 1, 'the report is read once, for the stream and the neighbors hint alike');
  const pairs = new Set(records(run.messages, 'droplet_neighbors').map((n) => `${n.droplet_id}:${n.id}`));
  for (const { droplet_ids: ids } of groups as { droplet_ids: number[] }[]) {
    for (const a of ids) for (const b of ids) if (a !== b) t.ok(pairs.has(`${a}:${b}`), `${a} lists ${b} as a neighbor`);
  }
});
