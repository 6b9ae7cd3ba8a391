import t from 'tap';
import { extractRecords, RecordShaper } from '../../src/records/shape.js';
import type { StreamDef } from '../../src/streams/types.js';

function def(overrides: Partial<StreamDef>): StreamDef {
  return {
    name: 'things',
    resource: 'Things',
    path: '/v2/things',
    recordsKey: 'things',
    shape: 'list',
    scope: null,
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
    ...overrides,
  };
}

t.test('list: the objects of body[recordsKey]', async (t) => {
  const list = def({});
  t.same(extractRecords(list, { things: [{ id: 1 }, { id: 2 }], links: {}, meta: { total: 2 } }), [{ id: 1 }, { id: 2 }]);
  t.same(extractRecords(list, { things: [] }), []);
  t.same(extractRecords(list, { things: [{ id: 1 }, null, 3, 'x', [4]] }), [{ id: 1 }], 'non-objects are dropped');
  const dropped: number[] = [];
  t.same(extractRecords(list, { things: [{ id: 1 }, null, 3, 'x', [4]] }, (n) => dropped.push(n)), [{ id: 1 }]);
  t.same(dropped, [4], 'and counted, for the caller to report');
  extractRecords(list, { things: [{ id: 1 }] }, (n) => dropped.push(n));
  t.same(dropped, [4], 'nothing to count when every item is an object');
});

t.test('list: a missing or wrong-typed key throws rather than reading as empty', async (t) => {
  const list = def({});
  t.throws(() => extractRecords(list, { other: [] }), /\/v2\/things has no 'things' list/);
  t.throws(() => extractRecords(list, { things: null }), /has no 'things' list/);
  t.throws(() => extractRecords(list, { things: { id: 1 } }), /'things' in \/v2\/things is not a list/);
  t.throws(() => extractRecords(list, { things: 'x' }), /is not a list/);
});

t.test('object: body[recordsKey], or the whole body when recordsKey is null', async (t) => {
  t.same(extractRecords(def({ shape: 'object', recordsKey: 'account' }), { account: { uuid: 'u' } }), [{ uuid: 'u' }]);
  const body = { month_to_date_balance: '1.00', generated_at: 'x' };
  t.same(extractRecords(def({ shape: 'object', recordsKey: null }), body), [body]);
  t.throws(() => extractRecords(def({ shape: 'object', recordsKey: 'account' }), {}), /has no 'account' object/);
  t.throws(() => extractRecords(def({ shape: 'object', recordsKey: 'account' }), { account: [{}] }), /has no 'account' object/);
  t.throws(() => extractRecords(def({ shape: 'object', recordsKey: 'account' }), { account: null }), /has no 'account' object/);
});

t.test('map: one record per entry, the key stored in mapKeyField (an integer when it is one)', async (t) => {
  const map = def({ shape: 'map', recordsKey: 'options', mapKeyField: 'engine' });
  t.same(extractRecords(map, { options: { pg: { versions: ['16'] }, mysql: { versions: ['8'] } } }), [
    { versions: ['16'], engine: 'pg' },
    { versions: ['8'], engine: 'mysql' },
  ]);
  const ids = def({ shape: 'map', recordsKey: 'byId', mapKeyField: 'id' });
  t.same(
    extractRecords(ids, { byId: { '12': { name: 'a' }, '0': { name: 'b' }, '-3': { name: 'c' } } }).map((r) => r.id).sort(),
    [-3, 0, 12].sort(),
  );
  t.same(
    extractRecords(ids, { byId: { '007': {}, '1e3': {}, '0x1F': {}, ' 5': {}, '5 ': {}, '': {}, '1.5': {}, '12345678901234567890': {} } }).map((r) => r.id),
    ['007', '1e3', '0x1F', ' 5', '5 ', '', '1.5', '12345678901234567890'],
    'keys that are not plain, exact integers stay strings',
  );
});

t.test('map: a non-object value is kept under `value`; the key field defaults to `key`', async (t) => {
  const map = def({ shape: 'map', recordsKey: 'limits' });
  t.same(extractRecords(map, { limits: { droplets: 25, volumes: null } }), [
    { value: 25, key: 'droplets' },
    { value: null, key: 'volumes' },
  ]);
});

t.test('map: the entry\'s own field is kept; the key fills it only when absent', async (t) => {
  // godo droplets.go DropletBackupPolicy carries `droplet_id` inside each entry of the `policies` map
  // (dropletBackupPoliciesRoot): the API's own value must not be replaced by the map key.
  const map = def({ shape: 'map', recordsKey: 'policies', mapKeyField: 'droplet_id' });
  t.same(extractRecords(map, { policies: { '7': { droplet_id: 70, x: 1 } } }), [{ droplet_id: 70, x: 1 }]);
  t.same(extractRecords(map, { policies: { '7': { x: 1 } } }), [{ x: 1, droplet_id: 7 }], 'absent: the key');
  t.same(extractRecords(map, { policies: { '7': { droplet_id: null } } }), [{ droplet_id: 7 }], 'null: the key');
});

t.test('list with nullListIsEmpty: null is no records, a missing key still throws', async (t) => {
  // godo databases_test.go serves `"users": null` for a cluster without users: Go encodes an empty list as null.
  const list = def({ recordsKey: 'users', nullListIsEmpty: true });
  t.same(extractRecords(list, { users: null }), []);
  t.same(extractRecords(list, { users: [{ name: 'a' }] }), [{ name: 'a' }]);
  t.throws(() => extractRecords(list, {}), /has no 'users' list/);
  t.throws(() => extractRecords(list, { users: {} }), /is not a list/);
});

t.test('object with bareRecordFields: the wrapper or the bare body', async (t) => {
  // godo databases.go databaseStorageAutoscaleRoot reads `{"storage": …}`; the OpenAPI wraps it in `autoscale`.
  const autoscale = def({ shape: 'object', recordsKey: 'autoscale', bareRecordFields: ['storage'] });
  const storage = { enabled: true, threshold_percent: 80, increment_gib: 10 };
  t.same(extractRecords(autoscale, { autoscale: { storage } }), [{ storage }], 'OpenAPI schema shape');
  t.same(extractRecords(autoscale, { storage }), [{ storage }], 'godo shape');
  t.throws(() => extractRecords(autoscale, { other: 1 }), /has no 'autoscale' object/, 'neither: still an error');
  t.throws(() => extractRecords(autoscale, { autoscale: null, storage }), /has no 'autoscale' object/, 'a null wrapper is not a bare body');
  const strict = def({ shape: 'object', recordsKey: 'autoscale' });
  t.throws(() => extractRecords(strict, { storage }), /has no 'autoscale' object/, 'without the option the bare body is an error');
});

t.test('map: a missing map is no records; a wrong type throws', async (t) => {
  const map = def({ shape: 'map', recordsKey: 'm' });
  t.same(extractRecords(map, {}), []);
  t.same(extractRecords(map, { m: null }), []);
  t.throws(() => extractRecords(map, { m: [1] }), /'m' in \/v2\/things is not an object/);
  t.throws(() => extractRecords(map, { m: 'x' }), /is not an object/);
});

t.test('RecordShaper strips secrets then writes the parent keys', async (t) => {
  const shaper = new RecordShaper(def({ strip: ['password', 'connection.uri'] }));
  const record = { name: 'u', password: 'p', connection: { uri: 'postgres://u:p@h', host: 'h' } };
  const shaped = shaper.shape(record, { database_cluster_id: 'db-1' });
  t.equal(shaped, record, 'in place');
  t.same(shaped, { name: 'u', connection: { host: 'h' }, database_cluster_id: 'db-1' });
  t.same(shaper.shape({ id: 1 }, undefined), { id: 1 }, 'no parent keys');
  t.same(shaper.shape({ id: 1, cluster_id: 'api value' }, { cluster_id: 'parent' }), { id: 1, cluster_id: 'parent' }, 'the parent key wins');
});

t.test('a dotted recordsKey reaches into a wrapper object (GET /v2/security/scans/{id}: scan.findings)', async (t) => {
  const findings = def({ recordsKey: 'scan.findings' });
  t.same(extractRecords(findings, { scan: { id: 's', status: 'COMPLETED', findings: [{ rule_uuid: 'r1' }, { rule_uuid: 'r2' }] } }), [{ rule_uuid: 'r1' }, { rule_uuid: 'r2' }]);
  t.same(extractRecords(findings, { scan: { id: 's', findings: [] } }), []);
  t.throws(() => extractRecords(findings, { scan: { id: 's' } }), /has no 'scan\.findings' list/, 'a scan without findings is an API change');
  t.throws(() => extractRecords(findings, { scan: 'x' }), /has no 'scan\.findings' list/);
  t.throws(() => extractRecords(findings, {}), /has no 'scan\.findings' list/);
});
