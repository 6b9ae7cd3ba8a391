import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  currentBlock,
  END,
  NOT_OFFERED,
  renderCoverage,
  replaceBlock,
  START,
  TARGETS,
  writeCoverage,
} from '../scripts/coverage-table.js';
import { packageRoot } from '../src/paths.js';
import { SECTIONS, STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';

const table = renderCoverage();
const FIX = 'run `npm run build && npm run docs:streams` and commit the result';

t.test('the committed README.md carries the current stream table', async (t) => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  t.equal(currentBlock(readme), table, `README.md's stream table is up to date (${FIX})`);
});

t.test('docs/streams.md carries the current stream table', async (t) => {
  const docs = readFileSync(join(packageRoot(), 'docs', 'streams.md'), 'utf8');
  t.equal(currentBlock(docs), table, `docs/streams.md's stream table is up to date (${FIX})`);
});

t.test('the table has one row per stream and per resource not offered', async (t) => {
  for (const def of STREAMS) t.ok(table.includes(`| \`${def.name}\` |`), `row for ${def.name}`);
  for (const entry of NOT_OFFERED) {
    const offered = STREAMS.some((d) => d.name === entry.stream);
    t.equal(table.includes(`| ${entry.resource} | *${entry.reason}* |`), !offered, `${entry.resource}: not-offered row only while no stream reads it`);
  }
  const missing = NOT_OFFERED.filter((e) => !STREAMS.some((d) => d.name === e.stream)).length;
  t.match(table, new RegExp(`^${STREAMS.length} of ${STREAMS.length + missing} DigitalOcean resources are offered as streams`), 'count line first');
  for (const section of SECTIONS) t.ok(table.includes(`| **${section.title}** |`), `section ${section.title}`);
});

t.test('rows show scope, sync modes, key, cursor and stripped fields', async (t) => {
  const def: StreamDef = {
    name: 'things', resource: 'Things', path: '/v2/things', recordsKey: 'things', shape: 'list', scope: null,
    primaryKey: [], pagination: 'none', cursor: { field: 'created_at', kind: 'datetime' }, strip: ['a.b', 'c[].d'],
  };
  const out = renderCoverage([{ title: 'Stuff', streams: [def] }], []);
  t.match(out, /^1 of 1 DigitalOcean resources are offered as streams\.$/m, 'no note when everything is offered');
  t.ok(out.includes('| Things | `things` | none declared | full refresh, incremental | – | `created_at` | `a.b`, `c[].d` |'), out);
  const planned = renderCoverage([{ title: 'Stuff', streams: [] }], [{ section: 'Stuff', resource: 'Later', scopes: ['x:read'], stream: 'later', reason: 'planned' }]);
  t.match(planned, /^0 of 1 DigitalOcean resources are offered as streams \(1 planned\)\.$/m, 'planned counted');
  t.throws(() => renderCoverage([], [{ section: 'Nowhere', resource: 'X', scopes: [], reason: 'r' }]), /no section titled 'Nowhere'/);
});

t.test('replaceBlock and currentBlock', async (t) => {
  const text = `intro\n${START}\nold\n${END}\noutro\n`;
  const next = replaceBlock(text, 'new');
  t.equal(next, `intro\n${START}\nnew\n${END}\noutro\n`, 'only the block changes');
  t.equal(currentBlock(next), 'new');
  t.equal(replaceBlock(next, 'new'), next, 'idempotent');
  t.equal(currentBlock('no markers'), undefined);
  t.throws(() => replaceBlock('no markers', 'x', 'X.md'), /X\.md lacks the/);
  t.throws(() => replaceBlock(`${END}\n${START}`, 'x'), /lacks the/, 'markers out of order');
});

t.test('writeCoverage creates missing files and keeps the text around the markers', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'coverage-table-'));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'streams.md'), `# Mine\n\n${START}\n${END}\n\nmore\n`);
  const written = writeCoverage(root, 'TABLE');
  t.same(written, TARGETS.map((target) => join(root, target.file)));
  t.equal(readFileSync(join(root, 'README.md'), 'utf8'), `${START}\nTABLE\n${END}\n`, 'README.md created with only the markers');
  t.equal(readFileSync(join(root, 'docs', 'streams.md'), 'utf8'), `# Mine\n\n${START}\nTABLE\n${END}\n\nmore\n`);
  t.ok(existsSync(join(root, 'README.md')));
  writeFileSync(join(root, 'README.md'), 'no markers here\n');
  t.throws(() => writeCoverage(root, 'TABLE'), /README\.md lacks the/);
});
