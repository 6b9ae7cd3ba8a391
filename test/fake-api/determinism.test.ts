import t from 'tap';
import { crawl, get, serve } from './fixtures/http.js';

const PATHS = ['/v2/droplets?per_page=7&page=2', '/v2/databases', '/v2/account', '/v2/domains', '/v2/projects', '/v2/kubernetes/clusters'];

t.test('same seed and scale: byte-identical answers, across servers', async (t) => {
  const a = await serve(t, { seed: 11, scale: 40 });
  const b = await serve(t, { seed: 11, scale: 40 });
  for (const path of PATHS) {
    const [x, y] = [await get(a, path), await get(b, path)];
    t.equal(x.status, 200, path);
    // The links carry each server's port; everything else must match byte for byte.
    t.equal(x.text.replaceAll(a.url, 'ORIGIN'), y.text.replaceAll(b.url, 'ORIGIN'), path);
  }
  // Child paths too: the same ids exist on both.
  const id = String(a.account.key('database_clusters', 2));
  const users = `/v2/databases/${id}/users`;
  t.equal((await get(a, users)).text, (await get(b, users)).text);
});

t.test('a different seed gives a different account', async (t) => {
  const a = await serve(t, { seed: 1 });
  const b = await serve(t, { seed: 2 });
  t.not((await get(a, '/v2/droplets')).text, (await get(b, '/v2/droplets')).text);
});

t.test('record i is the same whichever page it is read from', async (t) => {
  const api = await serve(t, { scale: 45 });
  const small = await crawl(api, '/v2/droplets?per_page=4', 'droplets');
  const large = await crawl(api, '/v2/droplets?per_page=200', 'droplets');
  t.equal(small.pages, 12);
  t.equal(large.pages, 1);
  t.same(small.records, large.records);
  t.same(large.records, [...api.account.expectedRecords('droplets', { raw: true })]);
});

t.test('cached and fresh renderings are identical', async (t) => {
  const cached = await serve(t);
  const uncached = await serve(t, { cacheChars: 0 });
  const first = await get(cached, '/v2/volumes?per_page=5');
  const again = await get(cached, '/v2/volumes?per_page=5');
  const fresh = await get(uncached, '/v2/volumes?per_page=5');
  t.equal(first.text, again.text);
  t.equal(first.text.replaceAll(cached.url, ''), fresh.text.replaceAll(uncached.url, ''));
  t.equal(cached.stats().cache.hits, 1);
  t.equal(uncached.stats().cache.entries, 0);
});
