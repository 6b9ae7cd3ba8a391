import t from 'tap';
import type { Test } from 'tap';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { STREAMS as TABLE } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';
import { SECRET_MARK, plantSecret } from '../../fake-api/data/generic.js';
import { injectedValue } from '../../fake-api/data/parent-keys.js';
import { Rng } from '../../fake-api/data/random.js';
import { defaultSchemasDir } from '../../fake-api/options.js';
import type { FakeApi, JsonObject } from '../../fake-api/server.js';
import { crawl, crawlCounted, get, serve } from './fixtures/http.js';
import { WITH_FUTURE_ROWS } from './fixtures/rows.js';

/** The API v2 rows; the S3 rows (Spaces buckets) are served by fake-api/s3.ts and tested in test/spaces/. */
const STREAMS = TABLE.filter((def) => !def.transport);

const DAY_MS = 86_400_000;

/**
 * The child path for one parent record (as a connector emits it, parent keys injected): a dotted
 * parent field reaches into the record, a format writes the value; other placeholders (a date range)
 * come from `extra`.
 */
function pathFor(def: StreamDef, parent: JsonObject | undefined, extra: Record<string, string> = {}): string {
  return def.path.replace(/\{(\w+)\}/g, (_, placeholder: string) => {
    if (placeholder in extra) return encodeURIComponent(extra[placeholder]);
    const value = def.parent && parent && placeholder in def.parent.keys ? injectedValue(def.parent, placeholder, parent) : parent?.[placeholder];
    return encodeURIComponent(String(value));
  });
}

/** The date windows a connector walks for a row that takes a range: `maxDays` at a time up to today. */
function windowsOf(def: StreamDef, today: string): Array<Record<string, string>> {
  const spec = def.dateWindows;
  if (!spec) return [{}];
  const end = Date.parse(today);
  const out: Array<Record<string, string>> = [];
  for (let start = end - spec.lookbackDays * DAY_MS; start <= end; start += spec.maxDays * DAY_MS) {
    const last = Math.min(end, start + (spec.maxDays - 1) * DAY_MS);
    out.push({ [spec.start]: new Date(start).toISOString().slice(0, 10), [spec.end]: new Date(last).toISOString().slice(0, 10) });
  }
  return out;
}

function parentsOf(api: FakeApi, def: StreamDef): Array<JsonObject | undefined> {
  if (!def.parent) return [undefined];
  const filter = def.parent.filter;
  return [...api.account.expectedRecords(def.parent.stream)].filter((p) => !filter || filter.values.includes(String(p[filter.field])));
}

/** Reads a stream over HTTP the way a connector does: every parent, every page. */
async function readOverHttp(t: Test, api: FakeApi, def: StreamDef): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for (const parent of parentsOf(api, def)) {
    if (def.dateWindows) {
      for (const window of windowsOf(def, api.account.today)) {
        const path = pathFor(def, parent, window);
        out.push(...(await crawlCounted(api, `${path}?per_page=7`, def.recordsKey ?? def.name)).records);
      }
      continue;
    }
    const path = pathFor(def, parent);
    if (def.shape === 'object') {
      const answer = await get(api, path);
      if (answer.status === 404 && def.parent?.notFound === 'empty') continue;
      t.equal(answer.status, 200, path);
      // A row with bareRecordFields is served without its wrapper on every other parent (render.ts).
      const wrapped = def.recordsKey === null || def.recordsKey in answer.json;
      if (!wrapped) t.ok(def.bareRecordFields?.some((f) => f in answer.json), `${path}: a bare body has one of the row's bare fields`);
      const record = def.recordsKey === null || !wrapped ? answer.json : answer.json[def.recordsKey];
      t.type(record, 'object', `${path}: the record is under ${String(def.recordsKey)}`);
      out.push(record as JsonObject);
      continue;
    }
    const key = def.recordsKey ?? def.name;
    // Parent keys that travel in the query (NFS's region) are part of every request, links included.
    const keyQuery = Object.keys(def.parent?.queryKeys ?? {}).map((f) => `${f}=${encodeURIComponent(String(parent?.[def.parent!.keys[f]]))}`);
    const first = await get(api, keyQuery.length > 0 ? `${path}?${keyQuery.join('&')}` : path);
    t.equal(first.status, 200, path);
    t.ok(key.split('.')[0] in first.json, `${path}: records under "${key}"`);
    const query = [...keyQuery, ...(def.pagination === 'none' ? [] : ['per_page=7'])];
    out.push(...(await crawl(api, query.length > 0 ? `${path}?${query.join('&')}` : path, key)).records);
  }
  return out;
}

t.test('every row of the table is served, and HTTP gives exactly the expected records', async (t) => {
  const api = await serve(t, { scale: 12, rateLimits: false });
  t.ok(STREAMS.length >= 20);
  for (const def of STREAMS) {
    const got = await readOverHttp(t, api, def);
    const expected = [...api.account.expectedRecords(def.name, { raw: true })];
    t.same(got, expected, `${def.name}: ${expected.length} records`);
    // Neighbor groups are rare by design (fake-api/data/links.ts); test/e2e/fanout-hints.test.ts has some.
    if (!def.parent && def.shape !== 'object' && def.name !== 'droplet_neighbor_reports') t.ok(expected.length > 0, `${def.name} is not empty`);
  }
});

t.test('records have their primary key, unique, and validate against schemas/<stream>.json', async (t) => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats.default(ajv);
  const dir = defaultSchemasDir();
  const api = await serve(t, { scale: 25 });
  for (const def of STREAMS) {
    const records = [...api.account.expectedRecords(def.name)];
    const keys = records.map((r) => JSON.stringify(def.primaryKey.map((k) => r[k])));
    t.notOk(records.some((r) => def.primaryKey.some((k) => r[k] === undefined || r[k] === null)), `${def.name}: primary key present`);
    // Rows without a key (billing history, monitoring sinks) have nothing to be unique.
    if (def.primaryKey.length > 0) t.equal(new Set(keys).size, keys.length, `${def.name}: primary key unique`);
    const file = dir && join(dir, `${def.name}.json`);
    if (!file || !existsSync(file)) continue;
    const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
    const invalid = records.filter((r) => !validate(r));
    t.equal(invalid.length, 0, `${def.name}: valid against its schema ${invalid.length ? JSON.stringify(validate.errors) : ''}`);
  }
});

t.test('every row with strip paths is served with secrets there to strip', async (t) => {
  const api = await serve(t, { scale: 12 });
  for (const def of STREAMS.filter((d) => d.strip.length > 0)) {
    const text = JSON.stringify([...api.account.expectedRecords(def.name, { withSecrets: true, raw: true })]);
    t.match(text, new RegExp(`${SECRET_MARK}|"password":"|"secret_key":"`), def.name);
  }
  // What godo shows and the OpenAPI omits: App log-destination headers and endpoint, the BGP auth key.
  const apps = [...api.account.expectedRecords('apps', { withSecrets: true, raw: true })];
  t.ok(apps.length > 0);
  const destinations = (node: unknown): JsonObject[] =>
    !node || typeof node !== 'object'
      ? []
      : Array.isArray(node)
        ? node.flatMap(destinations)
        : Object.entries(node).flatMap(([k, v]) => (k === 'log_destinations' && Array.isArray(v) ? (v as JsonObject[]) : destinations(v)));
  for (const app of apps) {
    const found = destinations(app.spec);
    t.ok(found.some((d) => /^https:\/\/[^/]+\/v1\/input\/fake-secret-/.test(String(d.endpoint))), 'apps: a log destination endpoint');
    t.ok(found.some((d) => (d.headers as JsonObject[] | undefined)?.some((h) => h.key === 'Authorization' && /^Bearer fake-secret-/.test(String(h.value)))), 'apps: an Authorization header');
  }
  for (const attachment of api.account.expectedRecords('partner_network_connect_attachments', { withSecrets: true, raw: true })) {
    t.match(attachment, { bgp: { auth_key: /^fake-secret-/ } }, 'partner attachments: bgp.auth_key');
  }
  const record: JsonObject = { spec: { services: [{ envs: [{ key: 'A', value: 'plain' }] }] }, nested: [{ deep: {} }] };
  const rng = new Rng(1);
  plantSecret(record, '..spec..envs[].value', rng);
  plantSecret(record, 'alerts.slack[].url', rng);
  plantSecret(record, 'nested[]..token', rng);
  plantSecret(record, 'top', rng);
  t.match(record, {
    spec: { services: [{ envs: [{ key: 'A', value: /^fake-secret-/ }] }] },
    alerts: { slack: [{ url: /^fake-secret-/ }] },
    nested: [{ deep: { token: /^fake-secret-/ } }],
    top: /^fake-secret-/,
  });
});

t.test('rows the server has no generator for are generated from their schema', async (t) => {
  const dir = t.testdir({});
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'widgets.json'), JSON.stringify({
    type: 'object',
    properties: {
      uuid: { type: ['string', 'null'] },
      size: { type: ['integer', 'null'] },
      ratio: { type: 'number' },
      enabled: { type: ['boolean', 'null'] },
      kind: { type: 'string', enum: ['small', 'large'] },
      created_at: { type: ['string', 'null'], format: 'date-time' },
      owner: { type: ['object', 'null'], properties: { email: { type: 'string', format: 'email' }, id: { type: 'integer' } } },
      ports: { type: ['array', 'null'], items: { type: 'object', properties: { port: { type: 'integer' }, url: { type: 'string', format: 'uri' } } } },
      anything: {},
    },
  }));
  writeFileSync(join(dir, 'widget_parts.json'), JSON.stringify({ type: 'object', properties: { widget_uuid: { type: 'string' }, id: { type: 'integer' }, region: { type: 'string' } } }));
  writeFileSync(join(dir, 'broken.json'), '{ not json');
  const rows: StreamDef[] = [
    { name: 'widgets', resource: 'Widgets', path: '/v2/widgets', recordsKey: 'widgets', shape: 'list', scope: 'widget:read', primaryKey: ['uuid'], pagination: 'page', strip: [] },
    {
      name: 'widget_parts', resource: 'Parts', path: '/v2/widgets/{widget_uuid}/parts', recordsKey: 'parts', shape: 'list', scope: null,
      primaryKey: ['widget_uuid', 'id'], parent: { stream: 'widgets', keys: { widget_uuid: 'uuid' } }, pagination: 'none', strip: [],
    },
    { name: 'broken', resource: 'Broken', path: '/v2/broken', recordsKey: 'items', shape: 'list', scope: null, primaryKey: ['name'], pagination: 'none', strip: [] },
  ];
  const api = await serve(t, { streams: rows, schemasDir: dir, tokens: { w: ['widget:read'] } });
  const widgets = (await crawl(api, '/v2/widgets', 'widgets', 'w')).records;
  t.equal(widgets.length, 6, 'scale 30 → 6 records for a paged top-level row');
  for (const w of widgets) {
    t.match(w, { uuid: /^[0-9a-f-]{36}$/, size: Number, ratio: Number, enabled: Boolean, created_at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, owner: { email: /@example\.com$/ }, ports: Array });
    t.ok(Number.isInteger(w.size));
    t.ok(['small', 'large'].includes(String(w.kind)));
    t.equal(w.anything, null, 'a property without a type is null');
  }
  const parts = await get(api, `/v2/widgets/${String(widgets[3].uuid)}/parts`, 'w');
  t.equal(parts.status, 200, 'found by a decoded key');
  for (const p of parts.json.parts as JsonObject[]) t.equal(p.widget_uuid, widgets[3].uuid, 'an injected key the schema declares carries the parent\'s value');
  const broken = await get(api, '/v2/broken', 'w');
  t.ok((broken.json.items as JsonObject[]).every((r) => typeof r.name === 'string' && typeof r.created_at === 'string'), 'no usable schema: a minimal record');
});

t.test('the future-shaped rows are served with no server code of their own', async (t) => {
  const api = await serve(t, { streams: WITH_FUTURE_ROWS, scale: 12, rateLimits: false });
  for (const name of ['registry_repository_tags', 'balance', 'kubernetes_options', 'one_click_apps']) {
    const def = WITH_FUTURE_ROWS.find((r) => r.name === name) as StreamDef;
    t.same(await readOverHttp(t, api, def), [...api.account.expectedRecords(name, { raw: true })], name);
  }
  const repo = [...api.account.expectedRecords('registry_repositories')][0];
  t.equal((await get(api, `/v2/registries/${String(repo.registry_name)}/repositories/nope-404/tags`)).status, 404);
  t.equal((await get(api, `/v2/registries/no-registry/repositories/${String(repo.name)}/tags`)).status, 404);
});

t.test('the fake answers as godo shows, not as we first read the OpenAPI', async (t) => {
  const api = await serve(t, { scale: 12, rateLimits: false });
  // godo nfs.go List/ListSnapshots always send region (nfsOptions); doctl makes --region required.
  for (const path of ['/v2/nfs', '/v2/nfs/snapshots', '/v2/nfs?per_page=20', '/v2/nfs?region=']) {
    const answer = await get(api, path);
    t.equal(answer.status, 422, `${path}: 422 without a region`);
    t.match(answer.json.message, /region is required/);
  }
  const region = String([...api.account.expectedRecords('regions')][0].slug);
  t.equal((await get(api, `/v2/nfs?region=${region}`)).status, 200, 'with a region: 200');

  // godo databases.go databaseStorageAutoscaleRoot reads {"storage": …}; the OpenAPI wraps it in "autoscale".
  const shapes = new Set<string>();
  for (const cluster of [...api.account.expectedRecords('database_clusters')].slice(0, 4)) {
    const body = (await get(api, `/v2/databases/${String(cluster.id)}/autoscale`)).json;
    shapes.add('autoscale' in body ? 'wrapped' : 'storage' in body ? 'bare' : 'neither');
  }
  t.same([...shapes].sort(), ['bare', 'wrapped'], 'autoscale: both shapes are served');

  // An empty database child list is null (godo databases_test.go: "users": null).
  const nulls: string[] = [];
  for (const cluster of api.account.expectedRecords('database_clusters')) {
    const body = (await get(api, `/v2/databases/${String(cluster.id)}/replicas`)).json;
    t.ok('replicas' in body, 'the key is always there');
    if (body.replicas === null) nulls.push(String(cluster.id));
  }
  t.ok(nulls.length > 0, `some cluster has no replicas, served as null (${nulls.length})`);

  // billing_history and node pools page (godo BillingHistory and kubernetesNodePoolsRoot carry links).
  const history = await get(api, '/v2/customers/my/billing_history?per_page=1');
  t.type((history.json.meta as JsonObject | undefined)?.total, 'number', 'billing history: meta.total');
  const cluster = [...api.account.expectedRecords('kubernetes_clusters')][0];
  const pools = await get(api, `/v2/kubernetes/clusters/${String(cluster.id)}/node_pools?per_page=1`);
  t.type((pools.json.meta as JsonObject | undefined)?.total, 'number', 'node pools: meta.total');
  t.ok((pools.json.node_pools as unknown[]).length <= 1, 'node pools: per_page honoured');
});

t.test('a child of a share listed by region (nfs_access_points, streams.tsv) is found by the share id alone', async (t) => {
  // godo nfs.go ListAccessPoints: GET /v2/nfs/shares/{share_id}/access_points, no region.
  const accessPoints: StreamDef = {
    name: 'nfs_access_points', resource: 'NFS Access Points', path: '/v2/nfs/shares/{share_id}/access_points', recordsKey: 'access_points',
    shape: 'list', scope: 'nfs:list', primaryKey: ['share_id', 'id'], parent: { stream: 'nfs_shares', keys: { share_id: 'id' } }, pagination: 'none', strip: [],
  };
  const api = await serve(t, { streams: [...STREAMS, accessPoints], scale: 12, rateLimits: false, counts: { nfs_shares: 2 } });
  const shares = [...api.account.expectedRecords('nfs_shares')];
  t.ok(shares.length > 2, `shares in several regions (${shares.length})`);
  t.same(await readOverHttp(t, api, accessPoints), [...api.account.expectedRecords('nfs_access_points', { raw: true })], 'every share answers');
  t.equal((await get(api, '/v2/nfs/shares/no-such-share/access_points')).status, 404, 'an unknown share: 404');
});
