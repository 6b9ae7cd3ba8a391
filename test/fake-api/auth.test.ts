import t from 'tap';
import { holds } from '../../fake-api/auth.js';
import { API_READ, DROPLETS_ONLY, NO_SCOPES, READ_ONLY, get, serve } from './fixtures/http.js';

const UNAUTHORIZED = { id: 'Unauthorized', message: 'Unable to authenticate you' };
const FORBIDDEN = { id: 'Forbidden', message: 'You are not authorized to perform this operation' };
const NOT_FOUND = { id: 'not_found', message: 'The resource you were accessing could not be found.' };
const MADE_UP = '00000000-0000-4000-8000-000000000000';

t.test('401 without a token or with an unknown one', async (t) => {
  const api = await serve(t);
  for (const token of [null, 'not-a-token']) {
    const answer = await get(api, '/v2/droplets', token);
    t.equal(answer.status, 401);
    t.same(answer.json, UNAUTHORIZED);
  }
  const basic = await get(api, '/v2/droplets', null, { headers: { authorization: `Basic ${READ_ONLY}` } });
  t.equal(basic.status, 401, 'only Bearer authenticates');
  t.equal((await get(api, '/v2/nowhere', null)).status, 401, 'authentication comes before routing');
});

t.test('403 without the operation\'s scope', async (t) => {
  const api = await serve(t);
  const answer = await get(api, '/v2/databases', DROPLETS_ONLY);
  t.equal(answer.status, 403);
  t.same(answer.json, FORBIDDEN);
  t.equal((await get(api, '/v2/droplets', DROPLETS_ONLY)).status, 200);
  t.equal((await get(api, '/v2/account', NO_SCOPES)).status, 403);
});

t.test('scope is decided before the lookup (403 for a made-up id), 404 with the scope', async (t) => {
  const api = await serve(t);
  t.same((await get(api, `/v2/databases/${MADE_UP}/users`, DROPLETS_ONLY)).json, FORBIDDEN);
  const withScope = await get(api, `/v2/databases/${MADE_UP}/users`, READ_ONLY);
  t.equal(withScope.status, 404);
  t.same(withScope.json, NOT_FOUND);
  const real = String(api.account.key('database_clusters', 0));
  t.equal((await get(api, `/v2/databases/${real}/users`, DROPLETS_ONLY)).status, 403);
  t.equal((await get(api, `/v2/databases/${real}/users`, READ_ONLY)).status, 200);
});

t.test('lookupBeforeScope flips the order', async (t) => {
  const api = await serve(t, { lookupBeforeScope: true });
  t.equal((await get(api, `/v2/databases/${MADE_UP}/users`, DROPLETS_ONLY)).status, 404, 'made-up id: 404 even without the scope');
  const real = String(api.account.key('database_clusters', 0));
  t.equal((await get(api, `/v2/databases/${real}/users`, DROPLETS_ONLY)).status, 403, 'real id without the scope: still 403');
  t.equal((await get(api, '/v2/databases', DROPLETS_ONLY)).status, 403, 'top-level paths have nothing to look up');
});

t.test('api:read grants every *:read scope and the credential scopes', async (t) => {
  t.ok(holds(['api:read'], 'droplet:read'));
  t.ok(holds(['api:read'], 'database:view_credentials'));
  t.ok(holds(['api:read'], 'kubernetes:access_cluster'));
  t.notOk(holds(['api:read'], 'droplet:create'));
  t.notOk(holds(['droplet:read'], 'database:read'));
  const api = await serve(t);
  for (const path of ['/v2/droplets', '/v2/databases', '/v2/account', '/v2/vpcs']) t.equal((await get(api, path, API_READ)).status, 200, path);
});

t.test('custom tokens: scopes, names in the log, defaults can be dropped', async (t) => {
  const api = await serve(t, { tokens: { 'my-token': ['droplet:read'], 'named-token': { name: 'auditor', scopes: ['vpc:read'] } }, defaultTokens: false });
  t.equal((await get(api, '/v2/droplets', 'my-token')).status, 200);
  t.equal((await get(api, '/v2/vpcs', 'named-token')).status, 200);
  t.equal((await get(api, '/v2/droplets', 'named-token')).status, 403);
  t.equal((await get(api, '/v2/droplets', READ_ONLY)).status, 401, 'defaults dropped');
  t.same(api.stats().log.map((e) => e.token), ['token-1', 'auditor', 'auditor', null]);
  t.notMatch(JSON.stringify(api.stats()), /my-token|named-token/, 'tokens never appear in stats');
});

t.test('the default read-only token holds every row scope but no credential scope', async (t) => {
  const api = await serve(t);
  const scopes = api.tokens[READ_ONLY].scopes;
  t.ok(scopes.includes('database:read'));
  t.notOk(scopes.includes('database:view_credentials'));
  t.notOk(scopes.includes('kubernetes:access_cluster'));
});

t.test('DigitalOcean\'s answers to bad requests', async (t) => {
  const api = await serve(t);
  const unknown = await get(api, '/v2/no-such-thing');
  t.equal(unknown.status, 404);
  t.same(unknown.json, NOT_FOUND);
  const post = await get(api, '/v2/droplets', READ_ONLY, { method: 'POST', body: '{}' });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET');
  t.equal((await get(api, '/v2/droplets', READ_ONLY, { method: 'DELETE' })).status, 405);
  t.equal((await get(api, '/v2/domains/not-a-domain/records')).status, 404, 'child of a missing parent');
  t.equal((await get(api, '/v2/domains/%E0%A4%A/records')).status, 404, 'undecodable segment');
  t.equal((await get(api, '/v2/projects/12345/resources')).status, 404);
});

t.test('a child that exists only for some parents: pools of a non-PostgreSQL cluster are 404', async (t) => {
  const api = await serve(t);
  const clusters = [...api.account.expectedRecords('database_clusters', { raw: true })];
  const pg = clusters.find((c) => c.engine === 'pg');
  const mysql = clusters.find((c) => c.engine === 'mysql');
  t.equal((await get(api, `/v2/databases/${String(pg?.id)}/pools`)).status, 200);
  t.equal((await get(api, `/v2/databases/${String(mysql?.id)}/pools`)).status, 404);
});
