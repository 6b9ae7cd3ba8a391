import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { STREAMS } from '../../src/streams/index.js';
import { spawnCli } from '../helpers/e2e.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { errorTraces, records } from '../helpers/protocol.js';

/**
 * ParentLink.hint skips per-Droplet calls that DigitalOcean's own data proves empty. The proof that it
 * loses nothing: the same account read with and without hints (exhaustive_fanout) emits the same
 * records, while the hinted read asks for far fewer Droplets' lists.
 */
const HINTED = STREAMS.filter((s) => s.parent?.hint).map((s) => s.name);

t.test('the hinted rows are the four per-Droplet lists DigitalOcean documents a hint for', async (t) => {
  t.same(HINTED.sort(), ['droplet_backups', 'droplet_firewalls', 'droplet_neighbors', 'droplet_snapshots']);
});

t.test('records are identical with and without hints; the hinted sync makes fewer requests', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 120, rateLimits: false, gpuDropletEvery: 10 });
  t.teardown(() => api.close());
  // Firewalls is left out of the catalog on purpose: the hint must read it once, silently.
  const names = ['droplets', 'droplet_kernels', ...HINTED];
  const read = async (exhaustive: boolean) => {
    api.resetStats();
    const files = writeInputs({
      'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 4, exhaustive_fanout: exhaustive },
      'catalog.json': catalogFor(names),
    });
    const run = await spawnCli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
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
  for (const name of HINTED) {
    const calls = (s: typeof full.stats): number => s.byStream[name] ?? 0;
    t.equal(calls(full.stats), droplets, `${name}: exhaustive asks every Droplet (${droplets})`);
    t.ok(calls(hinted.stats) < droplets, `${name}: hinted asks ${calls(hinted.stats)} of ${droplets}`);
  }
  t.equal(hinted.stats.byPath['/v2/reports/droplet_neighbors_ids'], 1, 'the neighbors report is read once');
  t.equal(full.stats.byPath['/v2/reports/droplet_neighbors_ids'] ?? 0, 0, 'and not at all without hints');
  t.equal(hinted.stats.byPath['/v2/firewalls'], 1, 'the firewalls list is read once though not selected');
  const notes = hinted.run.messages.filter((m) => m.log?.level === 'INFO' && /records requested; .* have none/.test(m.log.message));
  t.equal(notes.length, 4, 'one INFO line per hinted stream says how many parents were skipped');
});

t.test('a hint the token may not see is not trusted: no Droplet with any snapshot id means every Droplet is asked', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 3, rateLimits: false });
  t.teardown(() => api.close());
  const droplets = [...api.account.expectedRecords('droplets')];
  const files = writeInputs({
    'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url },
    'catalog.json': catalogFor(['droplet_snapshots']),
  });
  const run = await spawnCli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  t.equal(run.code, 0);
  const anySnapshot = droplets.some((d) => Array.isArray(d.snapshot_ids) && d.snapshot_ids.length > 0);
  const calls = api.stats(0).byStream.droplet_snapshots ?? 0;
  if (anySnapshot) t.ok(calls < droplets.length, 'some Droplet has a snapshot: the empty ones are skipped');
  else t.equal(calls, droplets.length, 'none has one: every Droplet is asked');
});

t.test('the neighbors report: one record per group of Droplets on one host, agreeing with droplet_neighbors', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 120, rateLimits: false });
  t.teardown(() => api.close());
  const files = writeInputs({
    'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 4 },
    'catalog.json': catalogFor(['droplet_neighbor_reports', 'droplet_neighbors']),
  });
  const run = await spawnCli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
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
