import t from 'tap';
import { DATE_WINDOW_FLOOR, dateWindows, requestSeries } from '../../src/engine/partitions.js';
import { findStream } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';

const DEF = findStream('billing_insights') as StreamDef;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

function run(from: string | undefined) {
  const warnings: string[] = [];
  const windows = [...dateWindows(DEF, from, NOW, (m) => warnings.push(m))];
  return { windows, warnings, first: windows[0], last: windows[windows.length - 1] };
}

t.test('billing_insights is the date-windowed row these tests exercise', async (t) => {
  t.ok(DEF.dateWindows, 'it has date windows');
  t.equal(DATE_WINDOW_FLOOR, '2011-01-01');
});

t.test('a start before the floor is clamped to it, with a WARN; the windows stay bounded', async (t) => {
  for (const from of ['0001-01-01T00:00:00Z', '-271821-04-20', '1970-01-01T00:00:00Z', '2010-12-31T23:59:59Z']) {
    const { windows, warnings, first, last } = run(from);
    t.equal(first.start_date, DATE_WINDOW_FLOOR, `${from}: starts at the floor`);
    t.equal(last.end_date, '2026-12-01', 'ends today');
    t.ok(windows.length < 200, `${from}: ${windows.length} windows, not tens of thousands`);
    t.equal(warnings.length, 1);
    t.match(warnings[0], `before ${DATE_WINDOW_FLOOR}`);
    t.match(warnings[0], "Stream 'billing_insights'");
  }
  t.same(run('2011-01-01T00:00:00Z').warnings, [], 'the floor itself is fine');
});

t.test('a start after tomorrow requests no window (the honoured cursor would filter every record), with a WARN; tomorrow itself is today', async (t) => {
  for (const from of ['2026-12-03T00:00:00Z', '+099999-01-01T00:00:00Z', '9999-12-31T00:00:00Z']) {
    const { warnings, windows } = run(from);
    t.same(windows, [], `${from}: no request`);
    t.match(warnings[0], 'after tomorrow');
    t.match(warnings[0], 'Reset the stream');
  }
  const tomorrow = run(new Date(NOW + DAY).toISOString());
  t.same(tomorrow.warnings, []);
  t.same(tomorrow.windows, [{ start_date: '2026-12-01', end_date: '2026-12-01' }]);
});

t.test('a huge input is cut in the warning', async (t) => {
  const { warnings } = run(`0001-01-01T00:00:00Z${'x'.repeat(10_000)}`);
  // Unparseable: the lookback applies, nothing to warn about.
  t.same(warnings, []);
  const long = run('-271821-04-20T00:00:00.000Z');
  t.ok(long.warnings[0].length < 400);
});

t.test('windows are generated lazily: the first comes without computing the rest', async (t) => {
  const generator = dateWindows(DEF, '0001-01-01', NOW);
  t.equal(typeof generator.next, 'function', 'a generator, not an array');
  t.same(generator.next().value, { start_date: '2011-01-01', end_date: '2011-01-31' });
  const series = requestSeries(DEF, { account_urn: 'do:team:x' }, undefined, NOW);
  t.equal(typeof series.next, 'function');
  const first = series.next().value as { path: string };
  t.match(first.path, /^\/v2\/billing\/do:team:x\/insights\/\d{4}-\d{2}-\d{2}\/\d{4}-\d{2}-\d{2}$/);
});

t.test('without a start, the lookback applies; a row without windows has one empty window', async (t) => {
  const { first, warnings } = run(undefined);
  t.equal(first.start_date, new Date(Math.floor(NOW / DAY) * DAY - (DEF.dateWindows?.lookbackDays ?? 0) * DAY).toISOString().slice(0, 10));
  t.same(warnings, []);
  t.same([...dateWindows(findStream('droplets') as StreamDef, '0001-01-01', NOW)], [{}]);
});
