import t from 'tap';
import type { FaultRule } from '../../fake-api/server.js';
import { DROPLETS_ONLY, READ_ONLY, get, serve, until } from './fixtures/http.js';

t.test('latency: global and per rule, through the injected sleep', async (t) => {
  const slept: number[] = [];
  const api = await serve(t, {
    sleep: async (ms) => {
      slept.push(ms);
    },
    faults: { latencyMs: 5, rules: [{ pathPrefix: '/v2/droplets', fault: { kind: 'latency', ms: 100 } }] },
  });
  t.equal((await get(api, '/v2/droplets')).status, 200, 'latency alone still answers');
  await get(api, '/v2/account');
  t.same(slept, [105, 5]);
});

t.test('a burst of n failures of status X, then success', async (t) => {
  const api = await serve(t, { faults: { rules: [{ pathPrefix: '/v2/droplets', times: 2, fault: { kind: 'status', status: 503 } }] } });
  const first = await get(api, '/v2/droplets');
  t.equal(first.status, 503);
  t.same(first.json, { id: 'service_unavailable', message: 'Service Unavailable' });
  t.ok(first.headers.get('ratelimit-remaining'), 'still carries the rate headers');
  t.equal((await get(api, '/v2/droplets')).status, 503);
  t.equal((await get(api, '/v2/droplets')).status, 200);
  t.equal((await get(api, '/v2/account')).status, 200, 'other paths untouched');
  t.same(api.stats().log.map((e) => e.fault), ['status:503', 'status:503', null, null]);
});

t.test('429 bursts: with retry-after, with only ratelimit-reset, with no headers', async (t) => {
  const api = await serve(t, { now: () => 1_700_000_000_000 });
  api.setFaults({ rules: [{ times: 1, fault: { kind: 'rate_limited', retryAfterSeconds: 7 } }] });
  const full = await get(api, '/v2/droplets');
  t.equal(full.status, 429);
  t.same(full.json, { id: 'too_many_requests', message: 'API Rate limit exceeded.' });
  t.equal(full.headers.get('retry-after'), '7');
  t.equal(full.headers.get('ratelimit-remaining'), '0');
  t.equal(full.headers.get('ratelimit-reset'), String(1_700_000_000 + 7));

  api.setFaults({ rules: [{ times: 1, fault: { kind: 'rate_limited', headers: 'reset-only', retryAfterSeconds: 3 } }] });
  const resetOnly = await get(api, '/v2/droplets');
  t.equal(resetOnly.status, 429);
  t.equal(resetOnly.headers.get('retry-after'), null);
  t.equal(resetOnly.headers.get('ratelimit-reset'), String(1_700_000_000 + 3));

  api.setFaults({ rules: [{ times: 1, fault: { kind: 'rate_limited', headers: 'none' } }] });
  const bare = await get(api, '/v2/droplets');
  t.equal(bare.status, 429);
  t.equal(bare.headers.get('retry-after'), null);
  t.equal(bare.headers.get('ratelimit-reset'), null);
  t.equal(bare.headers.get('ratelimit-limit'), null);
  t.equal((await get(api, '/v2/droplets')).status, 200);
});

t.test('connection reset mid-body and before the headers', async (t) => {
  const api = await serve(t);
  api.setFaults({ rules: [{ times: 1, pathPrefix: '/v2/droplets', fault: { kind: 'reset' } }] });
  const res = await fetch(`${api.url}/v2/droplets`, { headers: { authorization: `Bearer ${READ_ONLY}` } });
  t.equal(res.status, 200, 'the headers arrived');
  await t.rejects(res.text(), 'the body never completes');

  api.setFaults({ rules: [{ times: 1, fault: { kind: 'reset', when: 'before-headers' } }] });
  await t.rejects(fetch(`${api.url}/v2/droplets`, { headers: { authorization: `Bearer ${READ_ONLY}` } }));
  t.equal((await get(api, '/v2/droplets')).status, 200, 'the next request is fine');
  t.same(api.stats().log.map((e) => [e.status, e.fault]), [[200, 'reset'], [0, 'reset'], [200, null]]);
});

t.test('timeout: never answers until the client gives up', async (t) => {
  const api = await serve(t, { faults: { rules: [{ times: 1, fault: { kind: 'timeout' } }] } });
  const abort = new AbortController();
  const pending = fetch(`${api.url}/v2/droplets`, { headers: { authorization: `Bearer ${READ_ONLY}` }, signal: abort.signal });
  await until(() => api.stats().log.some((e) => e.fault === 'timeout'));
  abort.abort();
  await t.rejects(pending, { name: 'AbortError' });
  t.equal((await get(api, '/v2/droplets')).status, 200);
});

t.test('a held request does not keep close() waiting', async (t) => {
  const api = await serve(t, { faults: { rules: [{ fault: { kind: 'timeout' } }] } });
  const pending = fetch(`${api.url}/v2/droplets`, { headers: { authorization: `Bearer ${READ_ONLY}` } }).catch((err: unknown) => err);
  await until(() => api.stats().requests === 1);
  await api.close();
  t.type(await pending, Error);
});

t.test('truncated JSON body with a matching Content-Length', async (t) => {
  const api = await serve(t);
  const whole = await get(api, '/v2/droplets');
  api.setFaults({ rules: [{ times: 1, fault: { kind: 'truncated' } }] });
  const cut = await get(api, '/v2/droplets');
  t.equal(cut.status, 200);
  t.equal(cut.text.length, Math.floor(whole.text.length / 2));
  t.equal(cut.text, whole.text.slice(0, cut.text.length));
  t.throws(() => JSON.parse(cut.text));
});

t.test('HTML error page from a proxy', async (t) => {
  const api = await serve(t, { faults: { rules: [{ times: 1, fault: { kind: 'html' } }, { times: 1, fault: { kind: 'html', status: 504 } }] } });
  const page = await get(api, '/v2/droplets');
  t.equal(page.status, 502);
  t.match(page.headers.get('content-type'), /^text\/html/);
  t.match(page.text, /<title>502 Bad Gateway<\/title>/);
  t.equal(page.headers.get('ratelimit-limit'), null, 'a proxy does not add the API\'s headers');
  const second = await get(api, '/v2/droplets');
  t.equal(second.status, 504, 'the first rule was spent, so the second fires');
});

t.test('401 after N requests: the token is revoked mid-sync', async (t) => {
  const api = await serve(t, { faults: { rules: [{ after: 3, tokenName: 'read-only', fault: { kind: 'status', status: 401 } }] } });
  const statuses: number[] = [];
  for (let k = 0; k < 5; k++) statuses.push((await get(api, '/v2/droplets')).status);
  t.same(statuses, [200, 200, 200, 401, 401]);
  t.same((await get(api, '/v2/droplets')).json, { id: 'Unauthorized', message: 'Unable to authenticate you' });
  t.equal((await get(api, '/v2/droplets', DROPLETS_ONLY)).status, 200, 'another token still works');
});

t.test('403, 404 and 412 on chosen paths (string prefix or regex)', async (t) => {
  const api = await serve(t);
  const domain = String(api.account.key('domains', 1));
  api.setFaults({
    rules: [
      { pathPrefix: '/v2/vpcs', fault: { kind: 'status', status: 403 } },
      { pathRegex: `^/v2/domains/${domain.replace(/\./g, '\\.')}/records`, fault: { kind: 'status', status: 404 } },
      { pathRegex: /^\/v2\/volumes\?/, fault: { kind: 'status', status: 412, message: 'precondition failed here' } },
      { method: 'GET', pathPrefix: '/v2/firewalls', fault: { kind: 'status', status: 500 } },
    ],
  });
  t.same((await get(api, '/v2/vpcs')).json, { id: 'Forbidden', message: 'You are not authorized to perform this operation' });
  t.equal((await get(api, `/v2/domains/${domain}/records`)).status, 404, 'parent deleted mid-sync');
  t.equal((await get(api, `/v2/domains/${String(api.account.key('domains', 0))}/records`)).status, 200, 'its siblings are fine');
  t.equal((await get(api, '/v2/volumes')).status, 200, 'regex needs the query');
  const precondition = await get(api, '/v2/volumes?per_page=5');
  t.same(precondition.json, { id: 'precondition_failed', message: 'precondition failed here' });
  t.same((await get(api, '/v2/firewalls')).json, { id: 'server_error', message: 'Unexpected server-side error' });
});

t.test('faults at a rate are reproducible with the seed', async (t) => {
  const rules: FaultRule[] = [{ rate: 0.3, fault: { kind: 'status', status: 500 } }];
  const run = async (seed: number): Promise<number[]> => {
    const api = await serve(t, { seed, faults: { rules } });
    const out: number[] = [];
    for (let k = 0; k < 40; k++) out.push((await get(api, '/v2/account')).status);
    return out;
  };
  const a = await run(3);
  const b = await run(3);
  const c = await run(4);
  t.same(a, b, 'same seed, same failures');
  t.not(a.join(), c.join(), 'another seed, other failures');
  const failures = a.filter((s) => s === 500).length;
  t.ok(failures > 3 && failures < 25, `about 30% fail (${failures}/40)`);
});

t.test('the HTTP control endpoints', async (t) => {
  const api = await serve(t);
  const post = (path: string, body?: string): Promise<Response> => fetch(api.url + path, { method: 'POST', body });
  t.equal((await post('/__fake/faults', JSON.stringify({ rules: [{ times: 1, pathPrefix: '/v2/droplets', fault: { kind: 'status', status: 502 } }] }))).status, 200);
  t.equal((await get(api, '/v2/droplets')).status, 502);
  t.equal((await get(api, '/v2/droplets')).status, 200);
  const stats = (await (await fetch(`${api.url}/__fake/stats?log=1`)).json()) as { requests: number; log: unknown[]; byStatus: Record<string, number> };
  t.equal(stats.requests, 2, 'control calls are not counted');
  t.equal(stats.log.length, 1);
  t.same(stats.byStatus, { 200: 1, 502: 1 });
  t.equal((await post('/__fake/faults', '{not json')).status, 400);
  t.equal((await post('/__fake/reset-stats')).status, 200);
  t.equal(api.stats().requests, 0);
  t.equal((await post('/__fake/reset-rate-limits')).status, 200);
  t.equal((await fetch(`${api.url}/__fake/nothing`)).status, 404);

  const lines = (await (await fetch(`${api.url}/__fake/expected/database_users?secrets=1`)).text()).trim().split('\n');
  const expected = [...api.account.expectedRecords('database_users', { withSecrets: true })];
  t.same(lines.map((l) => JSON.parse(l) as unknown), expected);
  t.equal((await fetch(`${api.url}/__fake/expected/no_such_stream`)).status, 404);
});
