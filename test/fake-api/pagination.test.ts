import t from 'tap';
import type { JsonObject } from '../../fake-api/server.js';
import { crawl, get, serve } from './fixtures/http.js';
import { WITH_FUTURE_ROWS } from './fixtures/rows.js';

const pagesOf = (body: JsonObject): JsonObject | undefined => (body.links as JsonObject).pages as JsonObject | undefined;

t.test('page / per_page: absolute links, meta.total, DigitalOcean defaults', async (t) => {
  const api = await serve(t, { scale: 45 });
  const first = await get(api, '/v2/droplets');
  t.equal((first.json.droplets as JsonObject[]).length, 20, 'per_page defaults to 20');
  t.same(first.json.meta, { total: 45 });
  t.same(pagesOf(first.json), { next: `${api.url}/v2/droplets?page=2&per_page=20`, last: `${api.url}/v2/droplets?page=3&per_page=20` });

  const middle = await get(api, '/v2/droplets?page=2&per_page=20');
  t.same(pagesOf(middle.json), {
    first: `${api.url}/v2/droplets?page=1&per_page=20`,
    prev: `${api.url}/v2/droplets?page=1&per_page=20`,
    next: `${api.url}/v2/droplets?page=3&per_page=20`,
    last: `${api.url}/v2/droplets?page=3&per_page=20`,
  });
  const last = await get(api, '/v2/droplets?page=3&per_page=20');
  t.equal((last.json.droplets as JsonObject[]).length, 5);
  t.notOk(pagesOf(last.json)?.next, 'no next on the last page');

  const beyond = await get(api, '/v2/droplets?page=9');
  t.same(beyond.json.droplets, [], 'a page past the end is empty, not an error');

  const all = await get(api, '/v2/droplets?per_page=200');
  t.same(all.json.links, {}, 'links is {} when everything fits on one page');
  t.equal((all.json.droplets as JsonObject[]).length, 45);
});

t.test('other query parameters are kept in the links', async (t) => {
  const api = await serve(t, { scale: 45 });
  const answer = await get(api, '/v2/droplets?tag_name=web&per_page=10');
  t.equal(pagesOf(answer.json)?.next, `${api.url}/v2/droplets?page=2&per_page=10&tag_name=web`);
});

t.test('bad per_page or page: 422 with DigitalOcean\'s body', async (t) => {
  const api = await serve(t);
  for (const query of ['per_page=201', 'per_page=0', 'per_page=-1', 'per_page=abc', 'per_page=2.5', 'per_page=', 'page=0', 'page=x']) {
    const answer = await get(api, `/v2/droplets?${query}`);
    t.equal(answer.status, 422, query);
    t.equal(answer.json.id, 'unprocessable_entity');
    t.type(answer.json.message, 'string');
    t.match(answer.json.request_id, /^[0-9a-f-]{36}$/);
  }
  t.equal((await get(api, '/v2/droplets?per_page=200')).status, 200, '200 is allowed');
  t.equal((await get(api, '/v2/databases?per_page=500')).status, 200, 'rows without paging ignore the parameters');
});

t.test('rows with pagination none return everything, without links or meta', async (t) => {
  const api = await serve(t, { scale: 200 });
  const answer = await get(api, '/v2/databases');
  t.equal((answer.json.databases as JsonObject[]).length, 20);
  t.notOk('links' in answer.json);
  t.notOk('meta' in answer.json);
});

t.test('child lists page too', async (t) => {
  const api = await serve(t, { scale: 60 });
  const domain = String(api.account.key('domains', 0));
  const { records, pages } = await crawl(api, `/v2/domains/${domain}/records`, 'domain_records');
  t.equal(records.length, 60, 'the first domain has `scale` records');
  t.equal(pages, 3);
  t.same(records.map((r) => r.id), [...api.account.expectedRecords('domain_records', { raw: true })].slice(0, 60).map((r) => r.id));
});

t.test('page_token paging (registry repositories V2)', async (t) => {
  const api = await serve(t, { streams: WITH_FUTURE_ROWS, counts: { registry_repositories: 45 } });
  const registry = String(api.account.key('registries', 0));
  const path = `/v2/registries/${registry}/repositoriesV2`;
  const first = await get(api, `${path}?per_page=20`);
  t.equal(first.status, 200);
  t.same(first.json.meta, { total: 45 });
  const next = String(pagesOf(first.json)?.next);
  t.match(next, new RegExp(`^${api.url}${path}\\?page=2&page_token=[\\w-]+&per_page=20$`));
  const { records, pages } = await crawl(api, `${path}?per_page=20`, 'repositories');
  t.equal(pages, 3);
  t.equal(records.length, 45);
  t.equal(new Set(records.map((r) => r.name)).size, 45, 'no record twice');
  t.equal((await get(api, `${path}?page_token=forged`)).status, 400, 'a token we did not issue is refused');
  t.equal((await get(api, `${path}?page=3&per_page=20`)).status, 200, 'page alone still works');
});

t.test('map-shaped rows page as objects keyed by id', async (t) => {
  const api = await serve(t, { streams: WITH_FUTURE_ROWS, scale: 30 });
  const answer = await get(api, '/v2/droplets/backups/policies?per_page=10');
  const policies = answer.json.policies as JsonObject;
  t.equal(Object.keys(policies).length, 10);
  for (const [key, value] of Object.entries(policies)) t.equal(String((value as JsonObject).droplet_id), key);
  t.same(Object.keys(policies), Array.from({ length: 10 }, (_, i) => String(api.account.key('droplets', i))), 'keyed by real droplet ids');
  t.same(answer.json.meta, { total: 30 });
});

t.test('link quirks: foreign host and path, a repeated page, a lying total', async (t) => {
  const api = await serve(t, { scale: 45 });
  api.setFaults({ links: { foreignLinks: { origin: 'https://elsewhere.example', path: '/v9/nothing' } } });
  t.equal(pagesOf((await get(api, '/v2/droplets')).json)?.next, 'https://elsewhere.example/v9/nothing?page=2&per_page=20');
  const crawled = await crawl(api, '/v2/droplets', 'droplets');
  t.equal(crawled.records.length, 45, 'a client that keeps only the query still reads everything');

  api.setFaults({ links: { repeatNext: { page: 2, pathPrefix: '/v2/droplets' } } });
  t.equal(pagesOf((await get(api, '/v2/droplets?page=2')).json)?.next, `${api.url}/v2/droplets?page=2&per_page=20`);
  t.equal(pagesOf((await get(api, '/v2/droplets?page=1')).json)?.next, `${api.url}/v2/droplets?page=2&per_page=20`, 'other pages unaffected');
  const looping = await crawl(api, '/v2/droplets', 'droplets', undefined, 5);
  t.equal(looping.pages, 5, 'a naive client loops');

  api.setFaults({ links: { repeatNext: { page: 3, target: 1 } } });
  t.equal(pagesOf((await get(api, '/v2/droplets?page=3&per_page=10')).json)?.next, `${api.url}/v2/droplets?page=1&per_page=10`);

  api.setFaults({ links: { totalDelta: 1000, totalPathPrefix: '/v2/droplets' } });
  t.same((await get(api, '/v2/droplets')).json.meta, { total: 1045 });
  t.same((await get(api, '/v2/volumes')).json.meta, { total: 23 }, 'only the chosen path lies');
  api.setFaults({ links: { totalDelta: -1000 } });
  t.same((await get(api, '/v2/droplets')).json.meta, { total: 0 });
  api.setFaults({});
  t.same((await get(api, '/v2/droplets')).json.meta, { total: 45 }, 'quirks cleared (cache dropped)');
});

t.test('token paging honours the repeat quirk', async (t) => {
  const api = await serve(t, { streams: WITH_FUTURE_ROWS, counts: { registry_repositories: 45 } });
  const path = `/v2/registries/${String(api.account.key('registries', 0))}/repositoriesV2`;
  api.setFaults({ links: { repeatNext: { page: 1 } } });
  const first = await get(api, `${path}?per_page=20`);
  const again = await get(api, String(pagesOf(first.json)?.next));
  t.same(again.json.repositories, first.json.repositories, 'the next token leads back to the same page');
});
