import t from 'tap';
import { API_READ, READ_ONLY, WITH_CREDENTIALS, get, serve } from './fixtures/http.js';

t.test('request log and per-path counters; resetStats', async (t) => {
  const api = await serve(t, { now: () => 1_000 });
  await get(api, '/v2/droplets?per_page=5');
  await get(api, '/v2/droplets?page=2&per_page=5');
  await get(api, '/v2/account', null);
  await get(api, '/v2/nowhere');
  const stats = api.stats();
  t.equal(stats.requests, 4);
  t.same(stats.byPath, { '/v2/droplets': 2, '/v2/account': 1, '/v2/nowhere': 1 });
  t.same(stats.byStream, { droplets: 2, account: 1 });
  t.same(stats.byStatus, { 200: 2, 401: 1, 404: 1 });
  t.same(stats.log[1], { seq: 2, at: 1_000, method: 'GET', url: '/v2/droplets?page=2&per_page=5', status: 200, token: 'read-only', stream: 'droplets', fault: null });
  t.equal(stats.log[2].token, null);
  t.notMatch(JSON.stringify(stats), new RegExp(READ_ONLY), 'never the token itself');
  t.equal(api.stats(1).log.length, 1, 'log tail');
  api.resetStats();
  t.same(api.stats().byPath, {});
  t.equal(api.stats().requests, 0);
});

t.test('the log is bounded', async (t) => {
  const api = await serve(t, { logLimit: 10 });
  for (let k = 0; k < 25; k++) await get(api, '/v2/account');
  const stats = api.stats();
  t.equal(stats.requests, 25);
  t.ok(stats.log.length <= 10);
  t.equal(stats.log.at(-1)?.seq, 25, 'the newest entries are kept');
});

t.test('credential endpoints exist, need their scopes, and count every call', async (t) => {
  const api = await serve(t);
  const cluster = String(api.account.key('kubernetes_clusters', 0));
  const kubeconfig = `/v2/kubernetes/clusters/${cluster}/kubeconfig`;
  const credentials = `/v2/kubernetes/clusters/${cluster}/credentials`;

  t.equal((await get(api, kubeconfig, READ_ONLY)).status, 403, 'read-only lacks kubernetes:access_cluster');
  const yaml = await get(api, kubeconfig, API_READ);
  t.equal(yaml.status, 200);
  t.equal(yaml.headers.get('content-type'), 'application/yaml');
  t.match(yaml.text, /token: dop_v1_[0-9a-f]{64}/);
  const creds = await get(api, credentials, API_READ);
  t.match(creds.json, { server: `https://${cluster}.k8s.ondigitalocean.com`, token: /^dop_v1_/ });
  const madeUp = '/v2/kubernetes/clusters/00000000-0000-4000-8000-000000000000/kubeconfig';
  t.equal((await get(api, madeUp, READ_ONLY)).status, 403, 'scope first');
  t.equal((await get(api, madeUp, API_READ)).status, 404, 'then the lookup');

  t.equal((await get(api, '/v2/databases/metrics/credentials', READ_ONLY)).status, 403);
  t.match((await get(api, '/v2/databases/metrics/credentials', WITH_CREDENTIALS)).json, { credentials: { basic_auth_password: String } });
  t.equal((await get(api, '/v2/vector-databases/vdb-1/credentials', WITH_CREDENTIALS)).status, 200);
  await get(api, kubeconfig, null);

  t.same(api.stats().credentialCalls, {
    [kubeconfig]: 3,
    [credentials]: 1,
    '/v2/kubernetes/clusters/00000000-0000-4000-8000-000000000000/kubeconfig': 2,
    '/v2/databases/metrics/credentials': 2,
    '/v2/vector-databases/vdb-1/credentials': 1,
  }, 'counted whatever the answer, even a 401');
});

t.test('reading every list leaves the credential counters at zero', async (t) => {
  const api = await serve(t);
  for (const cluster of api.account.expectedRecords('kubernetes_clusters', { raw: true })) {
    await get(api, `/v2/kubernetes/clusters/${String(cluster.id)}/node_pools`, API_READ);
  }
  await get(api, '/v2/databases', API_READ);
  t.same(api.stats().credentialCalls, {});
});
