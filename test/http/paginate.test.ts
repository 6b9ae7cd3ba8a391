import nock from 'nock';
import t from 'tap';
import type { Clock } from '../../src/http/clock.js';
import { DigitalOceanClient } from '../../src/http/client.js';
import { ApiError } from '../../src/http/errors.js';
import { RateLimiter } from '../../src/http/limiter.js';
import { DEFAULT_MAX_PAGES, paginate, PER_PAGE, type ListGuards, type Page, type PageStyle } from '../../src/http/paginate.js';

const ORIGIN = 'https://api.do.test';

const clock: Clock = { now: () => 0, sleep: async () => undefined };

function client(): DigitalOceanClient {
  return new DigitalOceanClient({
    baseUrl: ORIGIN,
    token: 'dop_v1_paginate_token',
    limiter: new RateLimiter({ windows: [{ limit: 10_000, windowMs: 1000 }], clock, maxPauseMs: 0 }),
    clock,
    maxConcurrency: 1,
    timeoutMs: 1000,
    // No retries: a request to an unknown host fails at once instead of being retried.
    maxRetries: 0,
    backoffBaseMs: 1,
    backoffMaxMs: 1,
    maxRetryAfterMs: 1,
    timeScale: 1,
    userAgent: 'test',
  });
}

async function collect(path: string, style: PageStyle, query: Record<string, string> = {}, guards: ListGuards = {}): Promise<{ pages: Page[]; error?: unknown }> {
  const pages: Page[] = [];
  try {
    for await (const page of paginate(client(), path, style, query, { label: 'test' }, 1, guards)) pages.push(page);
    return { pages };
  } catch (error) {
    return { pages, error };
  }
}

const ids = (pages: Page[]) => pages.flatMap((p) => (p.body.droplets as { id: number }[]).map((d) => d.id));

nock.disableNetConnect();
t.afterEach(() => nock.cleanAll());
t.teardown(() => nock.enableNetConnect());

t.test('sends per_page=200 and follows links.pages.next by its page number only', async (t) => {
  t.equal(PER_PAGE, 200);
  const scope = nock(ORIGIN)
    .get('/v2/droplets')
    .query({ per_page: '200', tag_name: 'x' })
    .reply(200, {
      droplets: [{ id: 1 }],
      // The link names another host and path and carries extra parameters: only `page` is taken.
      links: { pages: { next: 'https://evil.example/v2/other?page=2&per_page=20&tag_name=y&secret=1', last: 'x' } },
      meta: { total: 401 },
    })
    .get('/v2/droplets')
    .query({ per_page: '200', tag_name: 'x', page: '2' })
    .reply(200, { droplets: [{ id: 2 }], links: { pages: { next: '/v2/droplets?page=3' } }, meta: { total: 401 } })
    .get('/v2/droplets')
    .query({ per_page: '200', tag_name: 'x', page: '3' })
    .reply(200, { droplets: [{ id: 3 }], links: { pages: { prev: 'p', first: 'f' } }, meta: { total: 401 } });
  const { pages, error } = await collect('/v2/droplets', 'page', { tag_name: 'x' });
  t.equal(error, undefined);
  t.same(ids(pages), [1, 2, 3]);
  t.same(
    pages.map((p) => p.total),
    [401, 401, 401],
  );
  t.ok(scope.isDone());
});

t.test('a next link to another host is never requested', async (t) => {
  const evil = nock('https://evil.example').get(/.*/).reply(200, { droplets: [] });
  nock(ORIGIN)
    .get('/v2/droplets')
    .query(true)
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: 'https://evil.example/v2/droplets?page=2' } } })
    .get('/v2/droplets')
    .query({ per_page: '200', page: '2' })
    .reply(200, { droplets: [{ id: 2 }], links: {} });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.equal(error, undefined);
  t.same(ids(pages), [1, 2]);
  t.notOk(evil.isDone(), 'evil.example received nothing');
});

t.test('one page when links has no pages (or no links at all)', async (t) => {
  for (const body of [{ droplets: [{ id: 1 }], links: {} }, { droplets: [{ id: 1 }] }, { droplets: [{ id: 1 }], links: { pages: {} } }, { droplets: [{ id: 1 }], links: { pages: { next: '' } } }]) {
    nock.cleanAll();
    const scope = nock(ORIGIN).get('/v2/droplets').query({ per_page: '200' }).reply(200, body);
    const { pages, error } = await collect('/v2/droplets', 'page');
    t.equal(error, undefined);
    t.equal(pages.length, 1, JSON.stringify(body));
    t.ok(scope.isDone());
  }
});

t.test('page_token style: the token (and page) are taken from the next link', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/registry/r/repositoriesV2')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: 'https://api.digitalocean.com/v2/registry/r/repositoriesV2?page=2&page_token=tok%2F1&per_page=1' } } })
    .get('/v2/registry/r/repositoriesV2')
    .query({ per_page: '200', page: '2', page_token: 'tok/1' })
    .reply(200, { droplets: [{ id: 2 }], links: { pages: { next: 'https://api.digitalocean.com/whatever?page_token=tok2' } } })
    .get('/v2/registry/r/repositoriesV2')
    .query({ per_page: '200', page_token: 'tok2' })
    .reply(200, { droplets: [{ id: 3 }] });
  const { pages, error } = await collect('/v2/registry/r/repositoriesV2', 'token');
  t.equal(error, undefined);
  t.same(ids(pages), [1, 2, 3]);
  t.ok(scope.isDone());
});

t.test('page_token style: a next link without a token is a pagination error', async (t) => {
  nock(ORIGIN).get('/v2/r').query(true).reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/r?page=2' } } });
  const { pages, error } = await collect('/v2/r', 'token');
  t.equal(pages.length, 1);
  t.type(error, ApiError);
  t.equal((error as ApiError).kind, 'pagination');
});

t.test('a repeated page token is a pagination error, not a loop', async (t) => {
  nock(ORIGIN)
    .get('/v2/r')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/r?page_token=same' } } })
    .get('/v2/r')
    .query({ per_page: '200', page_token: 'same' })
    .reply(200, { droplets: [{ id: 2 }], links: { pages: { next: '/v2/r?page_token=same' } } });
  const { pages, error } = await collect('/v2/r', 'token');
  t.same(ids(pages), [1, 2], 'each page yielded once');
  t.equal((error as ApiError).kind, 'pagination');
  t.match((error as ApiError).message, /twice/);
  t.equal((error as ApiError).failureType, 'system_error');
});

t.test('a repeated page number is a pagination error; no page is yielded twice', async (t) => {
  nock(ORIGIN)
    .get('/v2/droplets')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/droplets?page=2' } } })
    .get('/v2/droplets')
    .query({ per_page: '200', page: '2' })
    .reply(200, { droplets: [{ id: 2 }], links: { pages: { next: '/v2/droplets?page=2' } } });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.same(ids(pages), [1, 2]);
  t.type(error, ApiError);
  t.equal((error as ApiError).kind, 'pagination');
  t.equal((error as ApiError).path, '/v2/droplets');
});

t.test('page 1 announcing page=1 as next is caught before re-reading it', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/droplets')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/droplets?page=1' } } });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.same(ids(pages), [1], 'page 1 is not yielded a second time');
  t.equal((error as ApiError).kind, 'pagination');
  t.ok(scope.isDone());
});

t.test('a next link that skips pages is a pagination error (records would be missed)', async (t) => {
  nock(ORIGIN)
    .get('/v2/droplets')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/droplets?page=3' } } });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.equal(pages.length, 1);
  t.equal((error as ApiError).kind, 'pagination');
});

t.test('more pages than meta.total allows is a pagination error', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/droplets')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/droplets?page=2' } }, meta: { total: 200 } })
    .get('/v2/droplets')
    .query({ per_page: '200', page: '2' })
    .reply(200, { droplets: [{ id: 2 }], links: { pages: { next: '/v2/droplets?page=3' } }, meta: { total: 200 } });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.same(ids(pages), [1], 'the page past meta.total is not yielded');
  t.equal((error as ApiError).kind, 'pagination');
  t.match((error as ApiError).message, /meta\.total=200/);
  t.ok(scope.isDone());
});

t.test('meta.total=201 allows exactly two pages', async (t) => {
  nock(ORIGIN)
    .get('/v2/droplets')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/droplets?page=2' } }, meta: { total: 201 } })
    .get('/v2/droplets')
    .query({ per_page: '200', page: '2' })
    .reply(200, { droplets: [{ id: 2 }], links: {}, meta: { total: 201 } });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.equal(error, undefined);
  t.same(ids(pages), [1, 2]);
});

t.test('meta.total=0 still allows the one page', async (t) => {
  nock(ORIGIN).get('/v2/droplets').query(true).reply(200, { droplets: [], links: {}, meta: { total: 0 } });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.equal(error, undefined);
  t.equal(pages.length, 1);
  t.equal(pages[0].total, 0);
});

t.test("style 'none' sends no per_page, but follows a next page if one is announced", async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/sizes')
    .query((q) => !('per_page' in q) && !('page' in q))
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/sizes?page=2' } }, meta: { total: 25 } })
    .get('/v2/sizes')
    .query((q) => !('per_page' in q) && q.page === '2')
    .reply(200, { droplets: [{ id: 2 }], meta: { total: 25 } });
  const { pages, error } = await collect('/v2/sizes', 'none');
  t.equal(error, undefined);
  t.same(ids(pages), [1, 2], '25 records at the default 20 per page: two pages');
  t.ok(scope.isDone());
});

t.test('a next link without a usable page number is a pagination error', async (t) => {
  for (const next of ['/v2/droplets', '/v2/droplets?page=0', '/v2/droplets?page=abc', '/v2/droplets?page=1.5', 'http://[bad']) {
    nock.cleanAll();
    nock(ORIGIN).get('/v2/droplets').query(true).reply(200, { droplets: [{ id: 1 }], links: { pages: { next } } });
    const { pages, error } = await collect('/v2/droplets', 'page');
    t.equal(pages.length, 1, next);
    t.equal((error as ApiError).kind, 'pagination', next);
  }
});

t.test('a body that is not a JSON object is a bad_body error', async (t) => {
  for (const body of [[1, 2], 'null', '"text"', '42']) {
    nock.cleanAll();
    nock(ORIGIN).get('/v2/droplets').query(true).reply(200, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json' });
    const { pages, error } = await collect('/v2/droplets', 'page');
    t.equal(pages.length, 0);
    t.equal((error as ApiError).kind, 'bad_body', JSON.stringify(body));
    t.notMatch((error as ApiError).message, /retries|attempts/, 'one request: no claim of retries');
  }
  nock(ORIGIN).get('/v2/droplets').query(true).reply(200, [1, 2, 3]);
  const { error } = await collect('/v2/droplets', 'page');
  t.match((error as ApiError).message, 'GET /v2/droplets returned a JSON array (3 items) instead of a JSON object.');
});

const droplets = (body: Record<string, unknown>) => (Array.isArray(body.droplets) ? body.droplets.length : undefined);

t.test('an empty page that still links to a next one is a pagination error: the list must end', async (t) => {
  for (const style of ['page', 'token'] as const) {
    nock.cleanAll();
    // No meta.total, a fresh next link every time: without the guard this would go on for ever.
    let n = 0;
    const scope = nock(ORIGIN)
      .get('/v2/droplets')
      .query(true)
      .times(50)
      .reply(200, () => {
        n++;
        const next = style === 'page' ? `/v2/droplets?page=${n + 1}` : `/v2/droplets?page_token=fresh-${n}`;
        return { droplets: [], links: { pages: { next } } };
      });
    const { pages, error } = await collect('/v2/droplets', style, {}, { itemsIn: droplets });
    t.equal(pages.length, 1, `${style}: the empty page is yielded once`);
    t.equal((error as ApiError).kind, 'pagination');
    t.match((error as ApiError).message, 'page 1 holds no items yet links to a next page');
    t.equal(n, 1, `${style}: one request`);
    scope.persist(false);
  }
  nock.cleanAll();
  nock(ORIGIN).get('/v2/droplets').query(true).reply(200, { droplets: [] });
  t.same((await collect('/v2/droplets', 'page', {}, { itemsIn: droplets })).error, undefined, 'an empty last page is fine');
});

t.test('a list longer than maxPages is stopped as endless (default: one hourly quota)', async (t) => {
  t.equal(DEFAULT_MAX_PAGES, 5_000);
  let n = 0;
  nock(ORIGIN)
    .get('/v2/droplets')
    .query(true)
    .times(20)
    .reply(200, () => {
      n++;
      return { droplets: [{ id: n }], links: { pages: { next: `/v2/droplets?page_token=fresh-${n}` } } };
    });
  const { pages, error } = await collect('/v2/droplets', 'token', {}, { maxPages: 3, itemsIn: droplets });
  t.equal(pages.length, 3);
  t.equal(n, 3, 'no request past the cap');
  t.equal((error as ApiError).kind, 'pagination');
  t.match((error as ApiError).message, 'more than 3 pages (max_pages_per_list)');
});

t.test('an API error on a later page propagates after the earlier pages', async (t) => {
  nock(ORIGIN)
    .get('/v2/droplets')
    .query({ per_page: '200' })
    .reply(200, { droplets: [{ id: 1 }], links: { pages: { next: '/v2/droplets?page=2' } } })
    .get('/v2/droplets')
    .query({ per_page: '200', page: '2' })
    .reply(403, { message: 'forbidden' });
  const { pages, error } = await collect('/v2/droplets', 'page');
  t.same(ids(pages), [1]);
  t.equal((error as ApiError).kind, 'forbidden');
});

t.test('total_pages: pages by the counts in the body; a page without them is the only page, with a note', async (t) => {
  nock(ORIGIN)
    .get('/v2/billing/x/insights')
    .query({ per_page: '200' })
    .reply(200, { data_points: [{ n: 1 }], total_items: 201, total_pages: 2, current_page: 1 })
    .get('/v2/billing/x/insights')
    .query({ per_page: '200', page: '2' })
    .reply(200, { data_points: [{ n: 2 }], total_items: 201, total_pages: 2, current_page: 2 });
  const counted = await collect('/v2/billing/x/insights', 'total_pages');
  t.equal(counted.error, undefined);
  t.same(counted.pages.map((p) => p.body.data_points), [[{ n: 1 }], [{ n: 2 }]]);
  t.same(counted.pages.map((p) => p.note), [undefined, undefined], 'no note when the counts are there');

  // The OpenAPI's billing_data_points schema requires neither current_page nor total_pages.
  nock(ORIGIN).get('/v2/billing/y/insights').query({ per_page: '200' }).reply(200, { data_points: [{ n: 3 }] });
  const bare = await collect('/v2/billing/y/insights', 'total_pages');
  t.equal(bare.error, undefined, 'not an error');
  t.equal(bare.pages.length, 1);
  t.match(bare.pages[0].note, /no current_page \/ total_pages; read as the only page/);

  nock(ORIGIN).get('/v2/billing/z/insights').query({ per_page: '200' }).reply(200, { data_points: [], current_page: 1 });
  const half = await collect('/v2/billing/z/insights', 'total_pages');
  t.equal(half.pages.length, 1, 'one count missing: also the only page');
  t.ok(half.pages[0].note);
  t.ok(nock.isDone());
});
