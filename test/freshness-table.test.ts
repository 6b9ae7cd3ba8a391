import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../src/paths.js';
import { STREAMS, findStream } from '../src/streams/index.js';
import { renderFreshness, replaceFreshness } from '../scripts/freshness-table.js';

t.test("the README's freshness table is the one the rows give (npm run docs:streams)", async (t) => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  t.equal(replaceFreshness(readme), readme, 'no drift');
  for (const def of STREAMS.filter((d) => d.freshness)) t.ok(renderFreshness().includes(`| \`${def.name}\` | ${def.freshness!.kind} | ${def.freshness!.maxAgeHours} |`), `${def.name} has its row`);
});

t.test('every per-parent child stream has a class with its evidence, or is read in full for a stated reason', async (t) => {
  for (const def of STREAMS.filter((d) => d.parent)) {
    const f = def.freshness;
    if (!f) {
      const grandchild = findStream(def.parent!.stream)?.parent !== undefined;
      t.ok(grandchild || def.dateWindows !== undefined, `${def.name}: read in full only as a grandchild or the account's date-windowed list`);
      continue;
    }
    t.ok(f.evidence.length > 20, `${def.name}: evidence cited`);
    t.ok(Number.isInteger(f.maxAgeHours) && f.maxAgeHours >= 1, `${def.name}: a bound of ${f.maxAgeHours} h`);
    t.equal(findStream(def.parent!.stream)?.parent, undefined, `${def.name}: its parent is top-level, so the plan never waits on a plan`);
    if (f.kind === 'derived') t.ok(f.derivedFrom, `${def.name}: says what it is derived from`);
    if (f.kind === 'changeHinted') t.ok(f.changedBy?.length || def.parent!.changeHint, `${def.name}: names its change hint`);
  }
});
