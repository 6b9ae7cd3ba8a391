import t from 'tap';
import { intKey, nameKey, uuidKey } from '../../fake-api/data/keys.js';
import { Rng, seedOf } from '../../fake-api/data/random.js';
import type { JsonObject } from '../../fake-api/server.js';
import { get, serve } from './fixtures/http.js';

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

t.test('key codecs: the index comes back from the key', async (t) => {
  const codecs = { int: intKey(300_000_000), perParent: intKey(10, true), uuid: uuidKey, name: nameKey((i, rng) => `${rng.pick(['a', 'b'])}-${i}.com`) };
  const rng = new Rng(1);
  for (const [label, codec] of Object.entries(codecs)) {
    for (let k = 0; k < 200; k++) {
      const index = k < 100 ? k : rng.int(0, 2_000_000);
      const salt = seedOf(label, k);
      t.equal(codec.decode(String(codec.encode(index, salt)), salt), index, `${label} ${index}`);
    }
  }
  t.equal(uuidKey.decode('not-a-uuid', 1), undefined);
  t.equal(intKey(100).decode('12', 1), undefined, 'below the base');
  t.equal(intKey(100).decode('1e3', 1), undefined);
  t.equal(nameKey((i) => `x-${i}`).decode('no-digits', 1), undefined);
  t.match(String(uuidKey.encode(5, 9)), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

t.test('Rng helpers stay in range', async (t) => {
  const rng = new Rng([1, 2]);
  for (let k = 0; k < 1000; k++) {
    const n = rng.int(3, 5);
    if (n < 3 || n > 5) t.fail(`int out of range: ${n}`);
    const f = rng.float(1, 2, 3);
    if (f < 1 || f > 2) t.fail(`float out of range: ${f}`);
  }
  t.same(rng.some(['a', 'b', 'c'], 5), ['a', 'b', 'c']);
  t.equal(rng.alnum(12).length, 12);
  t.equal(Buffer.from(rng.base64(30), 'base64').length, 30);
});

t.test('the account is coherent: references point at records the API serves', async (t) => {
  const api = await serve(t, { scale: 60 });
  const all = (stream: string): JsonObject[] => [...api.account.expectedRecords(stream, { raw: true })];
  const droplets = all('droplets');
  const dropletIds = new Set(droplets.map((d) => d.id));
  const volumes = all('volumes');
  const vpcIds = new Set(all('vpcs').map((v) => v.id));
  const projectIds = new Set(all('projects').map((p) => p.id));
  const clusters = all('database_clusters');

  for (const d of droplets) {
    t.ok(Number.isInteger(d.id) && Number.isInteger(d.memory), 'integers are integers');
    t.match(d.created_at, ISO_Z);
    t.ok(vpcIds.has(d.vpc_uuid), 'droplet.vpc_uuid is a VPC');
    for (const v of d.volume_ids as string[]) t.ok(volumes.find((vol) => vol.id === v && (vol.droplet_ids as number[]).includes(Number(d.id))), 'volume ↔ droplet');
  }
  for (const v of volumes) for (const id of v.droplet_ids as number[]) t.ok(dropletIds.has(id));
  for (const f of all('firewalls')) for (const id of f.droplet_ids as number[]) t.ok(dropletIds.has(id), 'firewall droplets exist');
  for (const lb of all('load_balancers')) {
    for (const id of lb.droplet_ids as number[]) t.ok(dropletIds.has(id));
    t.ok(projectIds.has(lb.project_id));
  }
  for (const pool of all('kubernetes_node_pools')) for (const n of pool.nodes as JsonObject[]) t.ok(dropletIds.has(Number(n.droplet_id)), 'nodes are droplets');

  t.same(new Set(clusters.map((c) => c.engine)), new Set(['pg', 'mysql', 'redis', 'valkey', 'kafka', 'opensearch', 'mongodb']));
  for (const c of clusters) {
    t.ok(vpcIds.has(c.private_network_uuid));
    t.ok(projectIds.has(c.project_id));
  }
  for (const rule of api.account.expectedRecords('database_firewall_rules')) t.equal(rule.cluster_uuid, rule.database_cluster_id);
  t.ok([...api.account.expectedRecords('database_connection_pools')].length > 0);

  const backupsByCluster = new Map<string, string[]>();
  for (const b of api.account.expectedRecords('database_backups')) {
    t.match(b.created_at, ISO_Z);
    const list = backupsByCluster.get(String(b.database_cluster_id)) ?? [];
    list.push(String(b.created_at));
    backupsByCluster.set(String(b.database_cluster_id), list);
  }
  for (const list of backupsByCluster.values()) t.same(list, [...list].sort(), 'backups oldest first');

  // Every assignable record sits in exactly one project, and every urn names a real record.
  const urns = [...api.account.expectedRecords('project_resources')].map((r) => String(r.urn));
  t.equal(new Set(urns).size, urns.length);
  const known = new Set([
    ...droplets.map((d) => `do:droplet:${String(d.id)}`),
    ...volumes.map((v) => `do:volume:${String(v.id)}`),
    ...all('kubernetes_clusters').map((k) => `do:kubernetes:${String(k.id)}`),
    ...clusters.map((c) => `do:dbaas:${String(c.id)}`),
    ...all('domains').map((d) => `do:domain:${String(d.name)}`),
    ...all('load_balancers').map((l) => `do:loadbalancer:${String(l.id)}`),
  ]);
  t.same(new Set(urns), known);
  for (const r of api.account.expectedRecords('project_resources')) {
    if (String(r.urn).startsWith('do:dbaas:')) {
      t.equal(clusters.find((c) => `do:dbaas:${String(c.id)}` === r.urn)?.project_id, r.project_id, 'a cluster\'s project_id names the project listing it');
    }
  }

  // A volume's snapshots are also in the account-wide list, as resource_type volume with resource_id the
  // volume's id, and nothing else there is a volume's (the volume_snapshots hint rests on it; OpenAPI
  // snapshots_list, godo snapshots.go ListVolume). Most volumes have none.
  const byId = (a: JsonObject, b: JsonObject): number => String(a.id).localeCompare(String(b.id));
  const perVolume = [...api.account.expectedRecords('volume_snapshots')];
  t.ok(perVolume.every((s) => s.resource_id === s.volume_id), 'a volume snapshot names its volume in resource_id');
  const served = perVolume.map(({ volume_id: _volume, ...rest }) => rest).sort(byId);
  const accountWide = all('snapshots');
  t.same(accountWide.filter((s) => s.resource_type === 'volume').sort(byId), served, 'the account-wide list has exactly the volumes\' snapshots');
  const withSnapshots = new Set(perVolume.map((s) => s.volume_id));
  t.ok(withSnapshots.size > 0 && withSnapshots.size < volumes.length / 3, `${withSnapshots.size} of ${volumes.length} volumes have snapshots`);
  for (const s of accountWide.filter((s) => s.resource_type !== 'volume')) t.ok(s.resource_type === 'droplet' && dropletIds.has(Number(s.resource_id)), 'the others are Droplets\'');

  const account = all('account')[0];
  t.match(account, { uuid: /^[0-9a-f]{40}$/, team: { uuid: /^[0-9a-f]{40}$/ } });
  t.equal(all('projects')[0].owner_uuid, account.uuid);
});

t.test('counts can be overridden per stream; a tiny account still has one of each', async (t) => {
  const api = await serve(t, { scale: 1, counts: { domains: 2, domain_records: 3 } });
  t.equal(api.account.count('droplets'), 1);
  t.equal(api.account.count('domains'), 2);
  t.equal(api.account.count('domain_records'), 6, '3 per domain');
  t.equal(api.account.count('database_clusters'), 7);
  t.throws(() => api.account.count('nope'));
  t.throws(() => [...api.account.expectedRecords('nope')]);
});

t.test('a million droplets: any page, any child, without generating the rest', async (t) => {
  const api = await serve(t, { scale: 1_000_000, rateLimits: false });
  const last = await get(api, '/v2/droplets?page=5000&per_page=200');
  t.equal(last.status, 200);
  const page = last.json.droplets as JsonObject[];
  t.equal(page.length, 200);
  t.equal(page[199].id, api.account.key('droplets', 999_999));
  t.same(last.json.meta, { total: 1_000_000 });
  t.notOk(((last.json.links as JsonObject).pages as JsonObject).next);

  const project = String(api.account.key('projects', 9_999));
  const resources = await get(api, `/v2/projects/${project}/resources?per_page=200`);
  t.equal(resources.status, 200);
  t.ok(Number((resources.json.meta as JsonObject).total) > 100);
  const volume = await get(api, `/v2/volumes?page=2500&per_page=200`);
  t.equal((volume.json.volumes as JsonObject[]).length, 200);
  const cluster = String(api.account.key('database_clusters', 499));
  t.equal((await get(api, `/v2/databases/${cluster}/users`)).status, 200);
  t.ok(process.memoryUsage().heapUsed < 1024 * 1024 * 1024, 'nothing close to a million records in memory');
});
