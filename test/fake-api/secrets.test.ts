import t from 'tap';
import type { JsonObject } from '../../fake-api/server.js';
import { API_READ, READ_ONLY, WITH_CREDENTIALS, get, serve } from './fixtures/http.js';

type Obj = JsonObject;
const SECRET_KEYS = /"(password|access_key|access_cert)"/;

t.test('database passwords are served only to tokens holding database:view_credentials', async (t) => {
  const api = await serve(t, { scale: 70 });
  const clusters = (await get(api, '/v2/databases', WITH_CREDENTIALS)).json.databases as Obj[];
  const pg = clusters.find((c) => c.engine === 'pg' && Number(c.num_nodes) > 1) ?? clusters[0];
  const kafka = clusters.find((c) => c.engine === 'kafka');
  const conn = pg.connection as Obj;
  t.match(conn.password, /^AVNS_/);
  t.equal(conn.uri, `postgresql://doadmin:${String(conn.password)}@${String(conn.host)}:25060/defaultdb?sslmode=require`);
  t.equal((pg.private_connection as Obj).password, conn.password);
  t.equal(((pg.users as Obj[])[0]).password, conn.password, 'the admin user repeats the cluster password');
  t.ok((kafka?.users as Obj[]).some((u) => typeof u.access_key === 'string' && typeof u.access_cert === 'string'), 'kafka users carry keys');

  const id = String(pg.id);
  const paths = [`/v2/databases/${id}/users`, `/v2/databases/${id}/pools`, `/v2/databases/${id}/replicas`, '/v2/databases', `/v2/databases/${String(kafka?.id)}/users`];
  for (const path of paths) {
    const open = await get(api, path, WITH_CREDENTIALS);
    const hidden = await get(api, path, READ_ONLY);
    const preset = await get(api, path, API_READ);
    t.equal(hidden.status, 200, path);
    if (path.endsWith('/replicas') && (open.json.replicas as Obj[]).length === 0) continue;
    t.match(open.text, SECRET_KEYS, `${path}: secrets with database:view_credentials`);
    t.equal(preset.text, open.text, `${path}: api:read includes the credential scope`);
    t.notMatch(hidden.text, SECRET_KEYS, `${path}: no secret field without it`);
    t.notMatch(hidden.text, /:\/\/[^/@"]*:[^/@"]*@/, `${path}: no credentials inside URIs`);
  }
  const replicas = (await get(api, `/v2/databases/${id}/replicas`, WITH_CREDENTIALS)).json.replicas as Obj[];
  for (const r of replicas) t.equal((r.connection as Obj).password, conn.password, 'replicas share the cluster password');
  const pools = (await get(api, `/v2/databases/${id}/pools`, WITH_CREDENTIALS)).json.pools as Obj[];
  t.ok(pools.length > 0);
  for (const p of pools) t.equal((p.connection as Obj).password, conn.password);
});

t.test('the embedded users equal the users path', async (t) => {
  const api = await serve(t);
  for (const cluster of api.account.expectedRecords('database_clusters', { withSecrets: true, raw: true })) {
    const users = (await get(api, `/v2/databases/${String(cluster.id)}/users`, WITH_CREDENTIALS)).json.users;
    t.same(users, cluster.users, String(cluster.engine));
  }
});

t.test('expectedRecords follows the token\'s scopes', async (t) => {
  const api = await serve(t);
  const open = [...api.account.expectedRecords('database_users', { token: WITH_CREDENTIALS })];
  const hidden = [...api.account.expectedRecords('database_users', { token: READ_ONLY })];
  t.equal(open.length, hidden.length);
  t.ok(open.some((u) => 'password' in u));
  t.notOk(hidden.some((u) => 'password' in u));
  t.ok(hidden.every((u) => typeof u.database_cluster_id === 'string'), 'parent key injected by default');
  t.throws(() => api.account.expectedRecords('database_users', { token: 'nope' }));
});
