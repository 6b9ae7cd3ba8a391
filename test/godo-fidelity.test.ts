import nock from 'nock';
import t from 'tap';
import { Ajv } from 'ajv';
import f from 'ajv-formats';
import { generate, TYPE_WIDENINGS } from '../scripts/generate-schemas.js';
import { childPartitions, requestSeries } from '../src/engine/partitions.js';
import { loadSchema } from '../src/streams/schemas.js';
import { findStream } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';
import { catalogFor, writeInputs } from './helpers/files.js';
import { records, runInProcess, statuses, type CliResult } from './helpers/protocol.js';
import { ORIGIN, TOKEN } from './helpers/sample-api.js';

/**
 * Each shape or parameter on which DigitalOcean's Go client godo (github.com/digitalocean/godo, read
 * from /work/.mirror/digitalocean+godo) or doctl contradicts our first reading of the OpenAPI: the API
 * is served as godo reads it, and the stream must come out right. Each test fails on the old row/engine.
 */

nock.disableNetConnect();
t.afterEach(() => nock.cleanAll());
t.teardown(() => nock.enableNetConnect());

const config = { api_token: TOKEN, api_url: ORIGIN, max_concurrency: 2 };

async function read(streams: string[]): Promise<CliResult> {
  const files = writeInputs({ 'config.json': config, 'catalog.json': catalogFor(streams) });
  return runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
}

const logs = (result: CliResult) => result.messages.filter((m) => m.type === 'LOG').map((m) => m.log!.message);
const row = (name: string) => findStream(name) as StreamDef;
const CLUSTERS = { databases: [{ id: 'db-1', engine: 'pg' }, { id: 'db-2', engine: 'mysql' }] };

t.test('nfs_shares: one request series per region (de-duplicated), region in the query, paged at 200', async (t) => {
  // godo nfs.go List sends region (nfsOptions) and ListOptions; nfsListRoot carries links and meta.
  const scope = nock(ORIGIN)
    .get('/v2/regions').query({ per_page: '200' })
    .reply(200, { regions: [{ slug: 'atl1' }, { slug: 'nyc1' }, { slug: 'atl1' }], links: {}, meta: { total: 3 } })
    .get('/v2/nfs').query({ region: 'atl1', per_page: '200' })
    .reply(200, { shares: [{ id: 's1', region: 'atl1' }], links: { pages: { next: `${ORIGIN}/v2/nfs?page=2&per_page=200&region=atl1` } }, meta: { total: 201 } })
    .get('/v2/nfs').query({ region: 'atl1', per_page: '200', page: '2' })
    .reply(200, { shares: [{ id: 's2', region: 'atl1' }], links: {}, meta: { total: 201 } })
    .get('/v2/nfs').query({ region: 'nyc1', per_page: '200' })
    .reply(200, { shares: [{ id: 's3', region: 'nyc1' }], links: {}, meta: { total: 1 } });
  const result = await read(['nfs_shares']);
  t.equal(result.code, 0);
  t.ok(scope.isDone(), `every request made once: ${scope.pendingMocks().join(', ')}`);
  t.same(records(result.messages, 'nfs_shares').map((r) => [r.id, r.region]).sort(), [['s1', 'atl1'], ['s2', 'atl1'], ['s3', 'nyc1']]);
  t.same(statuses(result.messages, 'nfs_shares'), ['STARTED', 'RUNNING', 'COMPLETE']);
});

t.test('nfs_snapshots: per region too (godo nfs.go ListSnapshots)', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/regions').query({ per_page: '200' })
    .reply(200, { regions: [{ slug: 'ams3' }], links: {}, meta: { total: 1 } })
    .get('/v2/nfs/snapshots').query({ region: 'ams3', per_page: '200' })
    .reply(200, { snapshots: [{ id: 'n1', share_id: 's1', region: 'ams3', created_at: '2025-01-01T00:00:00Z' }], links: {}, meta: { total: 1 } });
  const result = await read(['nfs_snapshots']);
  t.equal(result.code, 0);
  t.ok(scope.isDone());
  t.same(records(result.messages, 'nfs_snapshots').map((r) => r.id), ['n1']);
});

t.test('query keys and de-duplication in the partition planner (rows built here)', async (t) => {
  const shares = row('nfs_shares');
  t.same(childPartitions(shares, [{ slug: 'a' }, { slug: 'b' }, { slug: 'a' }, { slug: '' }]), { partitions: [{ region: 'a' }, { region: 'b' }], keyless: 1 });
  t.same(requestSeries(shares, { region: 'a' }, undefined, 0), [{ path: '/v2/nfs', query: { region: 'a' } }]);
  // A future child of a share (streams.tsv nfs_access_points; godo nfs.go ListAccessPoints) is an
  // ordinary path child: the share's own region key does not leak into its requests.
  const accessPoints: StreamDef = {
    name: 'nfs_access_points', resource: 'NFS Access Points', path: '/v2/nfs/shares/{share_id}/access_points', recordsKey: 'access_points',
    shape: 'list', scope: 'nfs:list', primaryKey: ['share_id', 'id'], parent: { stream: 'nfs_shares', keys: { share_id: 'id' } }, pagination: 'none', strip: [],
  };
  const { partitions } = childPartitions(accessPoints, [{ id: 's1', region: 'a' }]);
  t.same(requestSeries(accessPoints, partitions[0], undefined, 0), [{ path: '/v2/nfs/shares/s1/access_points', query: {} }]);
  t.throws(() => [...requestSeries(shares, {}, undefined, 0)], /no value for query parameter region/);
});

t.test('database_autoscale: godo\'s bare {"storage": …} and the OpenAPI\'s {"autoscale": {"storage": …}}', async (t) => {
  // godo databases.go databaseStorageAutoscaleRoot { StorageAutoscale `json:"storage"` }.
  const storage = { enabled: true, threshold_percent: 80, increment_gib: 10 };
  const scope = nock(ORIGIN)
    .get('/v2/databases').reply(200, CLUSTERS)
    .get('/v2/databases/db-1/autoscale').reply(200, { storage })
    .get('/v2/databases/db-2/autoscale').reply(200, { autoscale: { storage } });
  const result = await read(['database_autoscale']);
  t.equal(result.code, 0);
  t.ok(scope.isDone());
  t.same(records(result.messages, 'database_autoscale').map((r) => [r.database_cluster_id, r.storage]).sort(), [['db-1', storage], ['db-2', storage]]);
  t.same(statuses(result.messages, 'database_autoscale'), ['STARTED', 'RUNNING', 'COMPLETE']);
});

t.test('app_health: the OpenAPI example\'s top-level components and the app_health wrapper (godo apps.go appHealthRoot)', async (t) => {
  const components = [{ name: 'web', state: 'RUNNING' }];
  const scope = nock(ORIGIN)
    .get('/v2/apps').query({ per_page: '200', with_projects: 'true' })
    .reply(200, { apps: [{ id: 'a1' }, { id: 'a2' }], links: {}, meta: { total: 2 } })
    .get('/v2/apps/a1/health').reply(200, { components })
    .get('/v2/apps/a2/health').reply(200, { app_health: { components } });
  const result = await read(['app_health']);
  t.equal(result.code, 0);
  t.ok(scope.isDone());
  t.same(records(result.messages, 'app_health').map((r) => [r.app_id, r.components]).sort(), [['a1', components], ['a2', components]]);
});

t.test('apps: asked with with_projects=true, else project_id stays empty (OpenAPI GET /v2/apps)', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/apps').query({ per_page: '200', with_projects: 'true' })
    .reply(200, { apps: [{ id: 'a1', project_id: 'p1' }], links: {}, meta: { total: 1 } });
  const result = await read(['apps']);
  t.equal(result.code, 0);
  t.ok(scope.isDone(), 'the request carried with_projects=true');
  t.equal(records(result.messages, 'apps')[0].project_id, 'p1');
});

t.test('database child lists: per_page=200 as doctl sends, null read as empty, a missing key still fails', async (t) => {
  // doctl do/pagination.go perPage = 200; godo databases_test.go serves `"users": null`.
  const scope = nock(ORIGIN)
    .get('/v2/databases').reply(200, CLUSTERS)
    .get('/v2/databases/db-1/users').query({ per_page: '200' }).reply(200, { users: null })
    .get('/v2/databases/db-2/users').query({ per_page: '200' }).reply(200, { users: [{ name: 'doadmin' }] })
    .get('/v2/databases/db-1/firewall').reply(200, { rules: null })
    .get('/v2/databases/db-2/firewall').reply(200, { rules: [{ uuid: 'r1' }] });
  const result = await read(['database_users', 'database_firewall_rules']);
  t.equal(result.code, 0);
  t.ok(scope.isDone(), `per_page=200 sent: ${scope.pendingMocks().join(', ')}`);
  t.same(records(result.messages, 'database_users').map((r) => [r.database_cluster_id, r.name]), [['db-2', 'doadmin']]);
  t.same(records(result.messages, 'database_firewall_rules').map((r) => r.uuid), ['r1']);
  t.same(statuses(result.messages, 'database_users'), ['STARTED', 'RUNNING', 'COMPLETE']);

  nock(ORIGIN)
    .get('/v2/databases').reply(200, { databases: [{ id: 'db-1', engine: 'pg' }] })
    .get('/v2/databases/db-1/users').query({ per_page: '200' }).reply(200, { something_else: [] });
  const missing = await read(['database_users']);
  t.same(statuses(missing.messages, 'database_users').at(-1), 'INCOMPLETE', 'a body without the key is not "no users"');
  t.same(records(missing.messages, 'database_users'), []);
});

for (const [name, parentMock] of [
  // godo billing_history.go BillingHistory carries links and meta; doctl do/billing_history.go pages it.
  ['billing_history', undefined],
  // godo kubernetes.go kubernetesNodePoolsRoot carries links; doctl do/kubernetes.go pages it.
  ['kubernetes_node_pools', { path: '/v2/kubernetes/clusters', body: { kubernetes_clusters: [{ id: 'k1' }], links: {}, meta: { total: 1 } } }],
] as const) {
  t.test(`${name}: paged at 200, the second page read`, async (t) => {
    const def = row(name);
    const path = def.path.replace('{cluster_id}', 'k1');
    const scope = nock(ORIGIN);
    if (parentMock) scope.get(parentMock.path).query({ per_page: '200' }).reply(200, parentMock.body);
    const record = (i: number) => ({ id: `r${i}`, date: `2025-01-0${i}T00:00:00Z` });
    scope
      .get(path).query({ per_page: '200' })
      .reply(200, { [def.recordsKey!]: [record(1)], links: { pages: { next: `${ORIGIN}${path}?page=2&per_page=200` } }, meta: { total: 201 } })
      .get(path).query({ per_page: '200', page: '2' })
      .reply(200, { [def.recordsKey!]: [record(2)], links: {}, meta: { total: 201 } });
    const result = await read([name]);
    t.equal(result.code, 0);
    t.ok(scope.isDone(), `both pages asked for with per_page=200: ${scope.pendingMocks().join(', ')}`);
    t.same(records(result.messages, name).map((r) => r.id), ['r1', 'r2']);
  });
}

t.test('droplet_backup_policies: the entry\'s own droplet_id is kept (godo droplets.go DropletBackupPolicy)', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/droplets/backups/policies').query({ per_page: '200' })
    .reply(200, { policies: { '101': { droplet_id: 9101, backup_enabled: true }, '102': { backup_enabled: false } }, links: {}, meta: { total: 2 } });
  const result = await read(['droplet_backup_policies']);
  t.equal(result.code, 0);
  t.ok(scope.isDone());
  t.same(records(result.messages, 'droplet_backup_policies').map((r) => r.droplet_id).sort(), [102, 9101]);
});

t.test('billing_insights: a page without current_page / total_pages is the only page, with a LOG line', async (t) => {
  // The OpenAPI's billing_data_points schema does not require the counts.
  const scope = nock(ORIGIN)
    .get('/v2/account').reply(200, { account: { uuid: 'u1', team: { uuid: 't1' } } })
    .get(/\/v2\/billing\/do:team:t1\/insights\/\d{4}-\d\d-\d\d\/\d{4}-\d\d-\d\d/).query({ per_page: '200' })
    .times(4)
    .reply(200, () => ({ data_points: [{ start_date: '2025-01-01', sku: 'x', total_amount: '1.00' }] }));
  const files = writeInputs({ 'config.json': { ...config, start_date: new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z' }, 'catalog.json': catalogFor(['billing_insights']) });
  const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  t.equal(result.code, 0);
  t.same(statuses(result.messages, 'billing_insights'), ['STARTED', 'RUNNING', 'COMPLETE']);
  const windows = records(result.messages, 'billing_insights').length;
  t.ok(windows >= 2, `one record per window (${windows})`);
  t.equal(logs(result).filter((m) => /billing_insights.*no current_page \/ total_pages; read as the only page/.test(m)).length, windows, 'a LOG line per such page');
});

t.test('types godo and the OpenAPI disagree on are widened to both, in the generator and in schemas/', async (t) => {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true });
  f.default(ajv);
  // godo apps.gen.go AppIngressSpecRuleRoutingComponent.PreservePathPrefix is bool; the OpenAPI says string.
  const godoApp = { id: 'a1', spec: { name: 'x', ingress: { rules: [{ component: { name: 'web', preserve_path_prefix: true } }] } } };
  const openApiApp = { id: 'a1', spec: { name: 'x', ingress: { rules: [{ component: { name: 'web', preserve_path_prefix: 'true' } }] } } };
  const apps = ajv.compile(loadSchema('apps'));
  t.ok(apps(godoApp), `godo's boolean validates: ${JSON.stringify(apps.errors)}`);
  t.ok(apps(openApiApp), 'the OpenAPI\'s string validates');
  // godo gradientai.go EvaluationTestCase.CreatedByUserID is uint64, but the OpenAPI (apiEvaluationTestCase,
  // string, format uint64, example "12345") and the values seen are strings: one type, string, so that a
  // typed destination does not pick an integer column for ids it cannot hold.
  const cases = ajv.compile(loadSchema('genai_evaluation_test_cases'));
  t.ok(cases({ test_case_uuid: 'c1', created_by_user_id: '5f1b0a8e-0000-4000-8000-000000000001', updated_by_user_id: '12345' }), JSON.stringify(cases.errors));
  t.same(loadSchema('genai_evaluation_test_cases').properties?.created_by_user_id?.type, ['string', 'null'], 'created_by_user_id: string only');
  t.same(loadSchema('genai_evaluation_test_cases').properties?.updated_by_user_id?.type, ['string', 'null'], 'updated_by_user_id: string only');

  // The generator itself, on a spec of one path whose component is in the list.
  const rule = TYPE_WIDENINGS[0];
  const spec = {
    paths: { '/v2/things': { get: { responses: { '200': { content: { 'application/json': { schema: { properties: { things: { type: 'array', items: { $ref: `#/components/schemas/${rule.component}` } } } } } } } } } } },
    components: { schemas: { [rule.component]: { type: 'object', properties: { [rule.property]: { type: 'string' }, other: { type: 'string' } } } } },
  };
  const row: StreamDef = { name: 'things', resource: 'T', path: '/v2/things', recordsKey: 'things', shape: 'list', scope: null, primaryKey: [], pagination: 'none', strip: [] };
  const out = generate(spec, [row]);
  t.same(out.errors, []);
  t.same(out.schemas.get('things')?.properties?.[rule.property]?.type, ['string', ...rule.add, 'null'], 'widened');
  t.same(out.schemas.get('things')?.properties?.other?.type, ['string', 'null'], 'other properties untouched');
});
