import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BILLING_DAYS } from '../../fake-api/data/kinds/billing.js';
import { fieldAt, injectedValue, parentFieldValue } from '../../fake-api/data/parent-keys.js';
import { parseDay } from '../../fake-api/windows.js';
import type { FakeApi, JsonObject } from '../../fake-api/server.js';
import { dateWindows } from '../../src/engine/partitions.js';
import { findStream } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';
import { API_READ, DROPLETS_ONLY, FakeClock, NO_SCOPES, READ_ONLY, crawlCounted, get, serve } from './fixtures/http.js';

/**
 * Billing insights: the account's URN in the path (`do:team:<team.uuid>`), a date range of at most
 * 31 days, and paging told in the body (`total_items`, `total_pages`, `current_page`).
 */

const DAY_MS = 86_400_000;
/** 15:00 UTC, so that "today" is plainly the day of the clock, not of its midnight. */
const NOW = Date.UTC(2026, 8, 29, 15);
const TODAY = '2026-09-29';
const DEF = findStream('billing_insights') as StreamDef;
const FORBIDDEN = { id: 'Forbidden', message: 'You are not authorized to perform this operation' };
const NOT_FOUND = { id: 'not_found', message: 'The resource you were accessing could not be found.' };

const day = (offset: number, from = TODAY): string => new Date(Date.parse(from) + offset * DAY_MS).toISOString().slice(0, 10);

function teamUuid(api: FakeApi): string {
  const account = [...api.account.expectedRecords('account')][0];
  return String((account.team as JsonObject).uuid);
}

function insights(urn: string, from: string, to: string, query = ''): string {
  return `/v2/billing/${encodeURIComponent(urn)}/insights/${from}/${to}${query}`;
}

const within = (records: JsonObject[], from: string, to: string): JsonObject[] =>
  records.filter((r) => String(r.start_date) >= from && String(r.start_date) <= to);

t.test('data points: the 60 days before the clock\'s day, in date order, amounts as strings', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW });
  t.equal(api.account.today, TODAY, 'today is the UTC day of the injected clock');
  const raw = [...api.account.expectedRecords('billing_insights', { raw: true })];
  t.equal(api.account.count('billing_insights'), raw.length, 'count agrees');
  t.ok(raw.length >= 3 * BILLING_DAYS, `a few line items a day (${raw.length})`);
  const days = raw.map((r) => String(r.start_date));
  t.same([...days].sort(), days, 'in date order');
  t.equal(days[0], day(-BILLING_DAYS), 'from 60 days ago');
  t.equal(days.at(-1), day(-1), 'to yesterday: nothing for today yet (nightly estimates)');
  t.equal(new Set(days).size, BILLING_DAYS, 'every day has data points');
  const team = `do:team:${teamUuid(api)}`;
  for (const r of raw) {
    t.same(Object.keys(r), ['usage_team_urn', 'start_date', 'total_amount', 'region', 'sku', 'description', 'group_description']);
    if (r.usage_team_urn !== team) t.fail(`usage_team_urn ${String(r.usage_team_urn)}`);
    if (!/^\d+\.\d\d$/.test(String(r.total_amount)) || Number(r.total_amount) <= 0) t.fail(`total_amount ${String(r.total_amount)}`);
    if (!/^1-[A-Z]{2}-[A-Z0-9]+-\d{4,5}$/.test(String(r.sku))) t.fail(`sku ${String(r.sku)}`);
    if (!/^[a-z]{3}\d$/.test(String(r.region))) t.fail(`region ${String(r.region)}`);
  }
  t.ok(raw.some((r) => r.group_description !== ''), 'some line items belong to a group (a cluster\'s nodes)');
  const emitted = [...api.account.expectedRecords('billing_insights')];
  t.same(emitted.map((r) => Object.keys(r).at(-1)), emitted.map(() => 'account_urn'), 'the injected key comes last, as the connector writes it');
  t.ok(emitted.every((r) => r.account_urn === team), 'account_urn is the formatted URN, do:team:<team.uuid>');

  const bigger = await serve(t, { scale: 1_000_000, now: () => NOW });
  t.ok(bigger.account.count('billing_insights') <= 40 * BILLING_DAYS, 'a huge account still bills a bounded number of line items');
});

t.test('the account follows the clock; the same clock gives the same bytes', async (t) => {
  const a = await serve(t, { scale: 12, now: () => NOW });
  const b = await serve(t, { scale: 12, now: () => NOW + 3 * 3_600_000 });
  const c = await serve(t, { scale: 12, now: () => NOW + DAY_MS });
  const path = insights(`do:team:${teamUuid(a)}`, day(-30), day(0));
  t.equal((await get(a, path)).text, (await get(b, path)).text, 'same day, same answer');
  const ra = [...a.account.expectedRecords('billing_insights')];
  const rc = [...c.account.expectedRecords('billing_insights')];
  t.equal(c.account.today, day(1));
  t.same(rc.map((r) => ({ ...r, start_date: day(-1, String(r.start_date)) })), ra, 'a day later: the same points, one day later');
  const clock = new FakeClock(NOW);
  const moving = await serve(t, { scale: 12, now: clock.now });
  const before = (await get(moving, path)).text;
  clock.advance(2 * DAY_MS);
  t.equal((await get(moving, path)).text, before, 'fixed at start: a server running across midnight serves the same account');
});

t.test('today can be pinned, whatever the clock says', async (t) => {
  const pinned = await serve(t, { scale: 12, now: () => NOW, today: '2025-06-01' });
  t.equal(pinned.account.today, '2025-06-01');
  const raw = [...pinned.account.expectedRecords('billing_insights', { raw: true })];
  t.equal(raw[0].start_date, day(-BILLING_DAYS, '2025-06-01'));
  t.equal(raw.at(-1)?.start_date, '2025-05-31');
  const instant = await serve(t, { scale: 12, today: Date.UTC(2025, 5, 1, 23, 59) });
  t.equal(instant.account.today, '2025-06-01', 'an instant counts by its UTC day');
  t.same([...instant.account.expectedRecords('billing_insights', { raw: true })], raw, 'the same account, whenever it is served');
  await t.rejects(serve(t, { today: 'someday' }), /today: not a date: someday/);
});

t.test('a range returns the points of its days, both ends included', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW, rateLimits: false });
  const urn = `do:team:${teamUuid(api)}`;
  const raw = [...api.account.expectedRecords('billing_insights', { raw: true })];
  const ranges: Array<[string, string]> = [
    [day(-30), day(0)], [day(-60), day(-30)], [day(-90), day(-60)], [day(-45), day(-45)], [day(-1), day(29)],
    [day(-120), day(-90)], [day(0), day(0)], [day(5), day(20)],
  ];
  for (const [from, to] of ranges) {
    const got = await crawlCounted(api, insights(urn, from, to, '?per_page=200'), 'data_points');
    t.same(got.records, within(raw, from, to), `${from}..${to}: ${within(raw, from, to).length} points`);
  }
  const one = await get(api, insights(urn, day(-45), day(-45)));
  t.ok((one.json.data_points as JsonObject[]).length > 0 && (one.json.data_points as JsonObject[]).every((r) => r.start_date === day(-45)), 'a one-day range');
  const raw200 = await get(api, `/v2/billing/${urn}/insights/${day(-30)}/${day(0)}?per_page=200`);
  t.equal(raw200.status, 200, 'the URN unencoded (colons) is the same path');
});

t.test('the windows the connector computes at the same moment cover every point exactly once', async (t) => {
  const api = await serve(t, { scale: 15, now: () => NOW, rateLimits: false });
  const urn = `do:team:${teamUuid(api)}`;
  const windows = [...dateWindows(DEF, undefined, NOW)];
  t.ok(windows.length >= 3, `${windows.length} windows over the lookback`);
  const read: JsonObject[] = [];
  let pages = 0;
  for (const w of windows) {
    const got = await crawlCounted(api, insights(urn, w.start_date, w.end_date, '?per_page=200'), 'data_points');
    read.push(...got.records);
    pages += got.pages;
  }
  t.ok(pages > windows.length, `some window takes more than one page of 200 (${pages} pages)`);
  t.same(read, [...api.account.expectedRecords('billing_insights', { raw: true })], 'window by window, in order: exactly the expected records');
});

t.test('total_pages paging: the counts in the body, no links or meta', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW, rateLimits: false });
  const urn = `do:team:${teamUuid(api)}`;
  const from = day(-30);
  const to = day(0);
  const all = within([...api.account.expectedRecords('billing_insights', { raw: true })], from, to);
  const first = await get(api, insights(urn, from, to));
  t.same(Object.keys(first.json), ['data_points', 'total_items', 'total_pages', 'current_page'], 'the documented body, nothing else');
  t.match(first.json, { total_items: all.length, total_pages: Math.ceil(all.length / 20), current_page: 1 }, 'default per_page 20');
  t.equal((first.json.data_points as JsonObject[]).length, 20);
  const perPage = 7;
  const lastPage = Math.ceil(all.length / perPage);
  const last = await get(api, insights(urn, from, to, `?per_page=${perPage}&page=${lastPage}`));
  t.match(last.json, { total_items: all.length, total_pages: lastPage, current_page: lastPage });
  t.same(last.json.data_points, all.slice((lastPage - 1) * perPage), 'the last page holds the rest');
  const beyond = await get(api, insights(urn, from, to, `?per_page=${perPage}&page=${lastPage + 1}`));
  t.same(beyond.json, { data_points: [], total_items: all.length, total_pages: lastPage, current_page: lastPage + 1 }, 'past the end: empty');
  const crawled = await crawlCounted(api, insights(urn, from, to, `?per_page=${perPage}`), 'data_points');
  t.equal(crawled.pages, lastPage);
  t.same(crawled.records, all);
  const empty = await get(api, insights(urn, day(1), day(20)));
  t.same(empty.json, { data_points: [], total_items: 0, total_pages: 1, current_page: 1 }, 'an empty range still has one page');
  for (const bad of ['?per_page=201', '?per_page=0', '?page=0', '?page=x']) {
    t.equal((await get(api, insights(urn, from, to, bad))).status, 422, `${bad}: 422`);
  }
});

t.test('total_pages lists honour the link quirks', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW });
  const urn = `do:team:${teamUuid(api)}`;
  const path = insights(urn, day(-30), day(0), '?per_page=10');
  const truth = (await get(api, path)).json;
  api.setFaults({ links: { repeatNext: { page: 1, pathPrefix: '/v2/billing' } } });
  t.equal((await get(api, path)).json.current_page, 0, 'page 1 says it is page 0: the next one asked for is page 1 again');
  api.setFaults({ links: { repeatNext: { page: 3, target: 2 } } });
  t.equal((await get(api, `${path}&page=3`)).json.current_page, 1, 'page 3 sends the client back to page 2');
  api.setFaults({ links: { totalDelta: 100, totalPathPrefix: '/v2/billing' } });
  t.match((await get(api, path)).json, { total_items: Number(truth.total_items) + 100, total_pages: Math.ceil((Number(truth.total_items) + 100) / 10) });
  api.setFaults({});
  t.same((await get(api, path)).json, truth, 'quirks cleared');
});

t.test('422 with DigitalOcean\'s body for dates it does not accept', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW });
  const urn = `do:team:${teamUuid(api)}`;
  const cases: Array<[string, string, RegExp]> = [
    ['2026-02-30', '2026-03-01', /start_date must be a date/],
    ['2026-9-1', '2026-09-02', /start_date must be a date/],
    ['yesterday', '2026-09-02', /start_date must be a date/],
    ['2026-09-01', '2026-09-01T00:00:00Z', /end_date must be a date/],
    ['2026-09-01', '20260902', /end_date must be a date/],
    ['2026-09-02', '2026-09-01', /end_date must not be before start_date/],
    ['2026-08-01', '2026-09-01', /within 31 days/],
    ['2025-01-01', '2026-09-01', /within 31 days/],
  ];
  for (const [from, to, message] of cases) {
    const answer = await get(api, `/v2/billing/${urn}/insights/${from}/${to}`);
    t.equal(answer.status, 422, `${from}..${to}: 422`);
    t.match(answer.json, { id: 'unprocessable_entity', message, request_id: /^[0-9a-f-]{36}$/ }, `${from}..${to}: ${String(answer.json.message)}`);
  }
  t.equal((await get(api, insights(urn, '2026-08-01', '2026-08-31'))).status, 200, '31 days counting both ends is accepted');
  t.equal((await get(api, insights(urn, '2024-02-01', '2024-03-02'))).status, 200, 'across a leap day: 31 days');
  t.equal((await get(api, insights(urn, '2024-02-01', '2024-03-03'))).status, 422, 'and one more is not');
  t.equal(parseDay('2024-02-29'), Date.UTC(2024, 1, 29));
  t.equal(parseDay('2025-02-29'), undefined);
});

t.test('the URN names the account: do:team:<team uuid>, anything else is 404', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW });
  const team = teamUuid(api);
  const account = [...api.account.expectedRecords('account')][0];
  const from = day(-10);
  const to = day(0);
  t.equal((await get(api, insights(`do:team:${team}`, from, to))).status, 200);
  const others = [
    `do:team:${'0'.repeat(40)}`,
    `do:teamgroup:${team}`,
    `do:team:${String(account.uuid)}`,
    team,
    `do:team:${team}x`,
    `do:team:`,
  ];
  for (const urn of others) {
    const answer = await get(api, insights(urn, from, to));
    t.equal(answer.status, 404, `${urn}: 404`);
    t.same(answer.json, NOT_FOUND);
  }
  const otherAccount = await serve(t, { seed: 8, scale: 12, now: () => NOW });
  t.equal((await get(api, insights(`do:team:${teamUuid(otherAccount)}`, from, to))).status, 404, 'another account\'s URN');
  t.equal((await get(api, insights(`do:team:${team}`, from, to), API_READ)).status, 200, 'api:read holds billing:read');
});

t.test('403 without billing:read, before the lookup unless lookupBeforeScope', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW });
  const urn = `do:team:${teamUuid(api)}`;
  const stranger = `do:team:${'0'.repeat(40)}`;
  for (const token of [DROPLETS_ONLY, NO_SCOPES]) {
    for (const path of [insights(urn, day(-10), day(0)), insights(stranger, day(-10), day(0)), insights(urn, day(0), day(-10))]) {
      const answer = await get(api, path, token);
      t.equal(answer.status, 403, `${path}: 403`);
      t.same(answer.json, FORBIDDEN);
    }
  }
  t.equal((await get(api, insights(stranger, day(-10), day(0)), READ_ONLY)).status, 404, 'with the scope: 404 for a URN that is not the account');
  const lookupFirst = await serve(t, { scale: 12, now: () => NOW, lookupBeforeScope: true });
  t.equal((await get(lookupFirst, insights(stranger, day(-10), day(0)), DROPLETS_ONLY)).status, 404, 'lookupBeforeScope: 404 first');
  t.equal((await get(lookupFirst, insights(`do:team:${teamUuid(lookupFirst)}`, day(-10), day(0)), DROPLETS_ONLY)).status, 403);
});

t.test('a count override is still filtered by the range', async (t) => {
  const api = await serve(t, { scale: 12, now: () => NOW, counts: { billing_insights: 500 }, rateLimits: false });
  const urn = `do:team:${teamUuid(api)}`;
  const raw = [...api.account.expectedRecords('billing_insights', { raw: true })];
  t.equal(raw.length, 500);
  const got = await crawlCounted(api, insights(urn, day(-30), day(0), '?per_page=200'), 'data_points');
  t.same(got.records, within(raw, day(-30), day(0)));
});

t.test('a windowed row without a kind is filtered by its cursor field', async (t) => {
  const dir = t.testdir({});
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'usage_days.json'), JSON.stringify({ type: 'object', properties: { day: { type: 'string', format: 'date' }, amount: { type: 'string' } } }));
  writeFileSync(join(dir, 'usage_undated.json'), JSON.stringify({ type: 'object', properties: { amount: { type: 'string' } } }));
  const row = (name: string, cursor: boolean): StreamDef => ({
    name, resource: name, path: `/v2/${name}/{start}/{end}`, recordsKey: 'items', shape: 'list', scope: null, primaryKey: [],
    pagination: 'total_pages', strip: [], ...(cursor ? { cursor: { field: 'day', kind: 'datetime' as const } } : {}),
    dateWindows: { start: 'start', end: 'end', maxDays: 400, lookbackDays: 400 },
  });
  const api = await serve(t, { streams: [row('usage_days', true), row('usage_undated', false)], schemasDir: dir, counts: { usage_days: 300, usage_undated: 4 } });
  const raw = [...api.account.expectedRecords('usage_days', { raw: true })];
  const from = '2022-01-01';
  const to = '2022-12-31';
  const got = await crawlCounted(api, `/v2/usage_days/${from}/${to}?per_page=200`, 'items', READ_ONLY);
  const want = raw.filter((r) => String(r.day) >= from && String(r.day) <= to);
  t.ok(want.length > 0 && want.length < raw.length, `some of the ${raw.length} records fall in ${from}..${to} (${want.length})`);
  t.same(got.records, want);
  t.equal((await get(api, `/v2/usage_days/2022-01-01/2023-02-05`)).status, 422, 'the row\'s maxDays is the limit');
  const undated = await get(api, `/v2/usage_undated/${from}/${from}`);
  t.equal((undated.json.items as JsonObject[]).length, 4, 'records without a date are in every range');
});

t.test('parent keys: dotted fields and formats', async (t) => {
  const link = { stream: 'account', keys: { urn: 'team.uuid', plain: 'id', bare: 'id' }, format: { urn: 'do:team:{}', plain: 'x-{}-y', bare: 'fixed' } };
  const parent: JsonObject = { id: 5, team: { uuid: 'abc' }, list: [1] };
  t.equal(fieldAt(parent, 'team.uuid'), 'abc');
  t.equal(fieldAt(parent, 'team.missing'), undefined);
  t.equal(fieldAt(parent, 'list.0'), undefined, 'arrays are not walked');
  t.equal(fieldAt(parent, 'id.x'), undefined);
  t.equal(injectedValue(link, 'urn', parent), 'do:team:abc');
  t.equal(injectedValue(link, 'plain', parent), 'x-5-y');
  t.equal(injectedValue({ stream: 'a', keys: { k: 'team.none' } }, 'k', parent), null);
  t.equal(injectedValue({ stream: 'a', keys: { k: 'id' } }, 'k', parent), 5);
  t.equal(parentFieldValue(link, 'urn', 'do:team:abc'), 'abc');
  t.equal(parentFieldValue(link, 'urn', 'do:teamgroup:abc'), undefined);
  t.equal(parentFieldValue(link, 'plain', 'x-5-y'), '5');
  t.equal(parentFieldValue(link, 'plain', 'x-y'), undefined, 'too short for prefix and suffix');
  t.equal(parentFieldValue(link, 'plain', 'x-5-z'), undefined);
  t.equal(parentFieldValue(link, 'bare', 'fixed'), '');
  t.equal(parentFieldValue(link, 'bare', 'other'), undefined);
  t.equal(parentFieldValue({ stream: 'a', keys: { k: 'id' } }, 'k', '7'), '7', 'no format: the segment itself');
});
