import t, { type Test } from 'tap';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi } from '../../fake-api/server.js';
import { readCli } from '../helpers/e2e.js';
import { errorTraces, records, states } from '../helpers/protocol.js';

/** The e2e helper compresses time 1,000-fold: an hour of the plan's clock lasts 3.6 s. */
const HOUR_MS = 3_600;
const BASE = 1_800_000_000_000;
const at = (hour: number): Record<string, string> => ({ SOURCE_DIGITALOCEAN_CLOCK_START: String(BASE + hour * HOUR_MS) });

const STREAMS = ['droplets', 'firewalls', 'database_clusters', 'droplet_kernels', 'droplet_firewalls', 'database_firewall_rules'];
const CHILDREN = ['droplet_kernels', 'droplet_firewalls', 'database_firewall_rules'];

type Message = Parameters<typeof states>[0][number];

/** Runs incremental syncs one after another, each from the previous one's final states. */
function syncer(t: Test, api: FakeApi, config: Record<string, unknown> = {}) {
  let saved: Message[] | undefined;
  return async (hour: number) => {
    api.resetStats();
    const run = await readCli({ config: { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, ...config }, streams: STREAMS, mode: 'incremental', state: saved?.map((m) => m.state) }, { env: at(hour) });
    t.equal(run.code, 0, `hour ${hour}: exit 0 (${run.stderr.slice(0, 200)})`);
    t.same(errorTraces(run.messages), [], `hour ${hour}: no error`);
    saved = STREAMS.map((s) => run.messages.filter((m) => m.type === 'STATE' && m.state?.stream?.stream_descriptor.name === s).at(-1)!).filter(Boolean);
    return { run, stats: api.stats() };
  };
}

const key = (r: Record<string, unknown>): string => JSON.stringify([r.droplet_id ?? r.database_cluster_id, r.id ?? r.uuid ?? r.cluster_uuid ?? r.ip_addresses ?? r.type]);
const withoutListedAt = ({ _parent_listed_at: _, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
const logs = (run: { messages: Message[] }): string[] => run.messages.flatMap((m) => (m.type === 'LOG' ? [m.log!.message] : []));

t.test('a first sync larger than the budget stops at it, and the next ones finish, losing nothing', async (t) => {
  const api = await startFakeApi({ seed: 8, scale: 120, rateLimits: false });
  t.teardown(() => api.close());
  const budget = 60;
  const sync = syncer(t, api, { request_budget: budget });
  const seen = new Map(CHILDREN.map((s) => [s, new Map<string, Record<string, unknown>>()]));
  let syncs = 0;
  for (let hour = 0; hour < 12; hour++) {
    const { run, stats } = await sync(hour);
    syncs++;
    t.ok(stats.requests <= budget, `hour ${hour}: ${stats.requests} requests, within the budget of ${budget}`);
    t.ok(logs(run).some((m) => /^Plan: a budget of 60 requests \(the config's request_budget\)/.test(m)), 'the plan is said up front');
    for (const s of CHILDREN) for (const r of records(run.messages, s)) seen.get(s)!.set(key(r), withoutListedAt(r));
    if (!logs(run).some((m) => /left due|stay due/.test(m))) break;
  }
  t.ok(syncs > 1 && syncs < 12, `the picture is complete after ${syncs} syncs`);
  for (const s of CHILDREN) {
    const expected = new Map([...api.account.expectedRecords(s)].map((r) => [key(r), r]));
    t.equal(seen.get(s)!.size, expected.size, `${s}: every record arrived (${expected.size})`);
    t.same([...seen.get(s)!.keys()].sort(), [...expected.keys()].sort(), `${s}: the same records`);
  }
});

t.test('rotation: each parent within its bound, kernels weekly, database firewall rules every sync', async (t) => {
  const api = await startFakeApi({ seed: 8, scale: 40, rateLimits: false });
  t.teardown(() => api.close());
  const sync = syncer(t, api);
  const first = await sync(0);
  const droplets = api.account.count('droplets');
  const clusters = api.account.count('database_clusters');
  t.equal(first.stats.byStream.droplet_kernels, droplets, 'the first sync reads every Droplet');
  const listed = records(first.run.messages, 'droplet_kernels').map((r) => r._parent_listed_at);
  t.ok(listed.length > 0 && listed.every((v) => v === new Date(BASE).toISOString()), 'each record says when its parent list was read');
  const kernelState = states(first.run.messages, 'droplet_kernels').at(-1)!.stream.stream_state as { parent_reads: Record<string, string>; state: Record<string, string> };
  t.equal(Object.keys(kernelState.parent_reads).length, droplets, 'one slot per Droplet');
  t.same(kernelState.state, { _parent_listed_at: new Date(BASE).toISOString() }, 'and the listing time as the global cursor');

  let kernels = 0;
  for (let hour = 1; hour <= 168; hour += hour < 3 ? 1 : 55) {
    const { stats } = await sync(hour);
    t.equal(stats.byStream.database_firewall_rules, clusters, `hour ${hour}: every cluster's firewall rules`);
    kernels += stats.byStream.droplet_kernels ?? 0;
    if (hour === 1) t.ok((stats.byStream.droplet_kernels ?? 0) < droplets / 10, `hour 1: few kernel lists (${stats.byStream.droplet_kernels ?? 0})`);
  }
  t.ok(kernels >= droplets, `every Droplet's kernels read again within 168 hours (${kernels} reads)`);
});

t.test('the config scales or sets the bounds', async (t) => {
  const api = await startFakeApi({ seed: 8, scale: 30, rateLimits: false });
  t.teardown(() => api.close());
  const sync = syncer(t, api, { freshness_hours: [{ stream: 'droplet_kernels', hours: 1 }] });
  await sync(0);
  const next = await sync(1);
  t.equal(next.stats.byStream.droplet_kernels, api.account.count('droplets'), 'a bound of 1 h reads every parent every hour');
  t.ok(logs(next.run).some((m) => /Stream 'droplet_kernels': 30 of 30 parents read .*bound of 1 h/.test(m)), 'the LOG states the bound');
});
