import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { classifyApi, REASONS, renderApiCoverage } from '../scripts/api-coverage.js';
import { defaultSpecFile, extractGetPaths, GET_PATHS_FIXTURE, loadGetPaths, renderFixture } from '../scripts/openapi-get-paths.js';
import {
  apiCoverage,
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
  const out = renderCoverage([{ title: 'Stuff', streams: [def] }], [], null);
  t.match(out, /^1 of 1 DigitalOcean resources are offered as streams\.$/m, 'no note when everything is offered');
  t.ok(out.includes('| Things | `things` | none declared | full refresh, incremental | – | `created_at` | `a.b`, `c[].d` |'), out);
  const planned = renderCoverage([{ title: 'Stuff', streams: [] }], [{ section: 'Stuff', resource: 'Later', scopes: ['x:read'], stream: 'later', reason: 'planned' }], null);
  t.match(planned, /^0 of 1 DigitalOcean resources are offered as streams \(1 planned\)\.$/m, 'planned counted');
  t.throws(() => renderCoverage([], [{ section: 'Nowhere', resource: 'X', scopes: [], reason: 'r' }], null), /no section titled 'Nowhere'/);
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

t.test('the OpenAPI fixture is the bundled OpenAPI\'s GET paths', async (t) => {
  const fixture = loadGetPaths();
  t.ok(fixture.length > 300, `${fixture.length} GET paths`);
  t.same(fixture.map((p) => p.path), [...new Set(fixture.map((p) => p.path))].sort(), 'sorted, each path once');
  t.ok(fixture.every((p) => /^\/v[12]\//.test(p.path) && p.operationId.length > 0), 'API paths with their operationId');
  const specFile = defaultSpecFile();
  if (!existsSync(specFile)) {
    t.pass('../shared is not here: the committed fixture stands in for the OpenAPI');
    return;
  }
  const fresh = renderFixture(extractGetPaths(JSON.parse(readFileSync(specFile, 'utf8'))));
  t.equal(readFileSync(join(packageRoot(), GET_PATHS_FIXTURE), 'utf8'), fresh, 'run `npm run build && npm run generate:openapi-fixtures` and commit the fixture');
});

t.test('every GET path of the OpenAPI is a stream\'s, excluded with a reason, or listed as not read', async (t) => {
  const api = apiCoverage();
  t.same(api.problems, [], 'nothing unplaced, no stale note, every stream path in the OpenAPI');
  const read = api.placements.filter((p) => p.kind === 'stream');
  // The S3 rows (Spaces) are not API v2 paths.
  const apiRows = STREAMS.filter((d) => !d.transport);
  t.equal(read.length, new Set(apiRows.map((d) => d.path.replace(/\{[^}]*\}/g, '{}'))).size, 'one read path per distinct stream path');
  const excluded = api.placements.filter((p) => p.kind === 'excluded');
  const notRead = api.placements.filter((p) => p.kind === 'not_read');
  t.equal(read.length + excluded.length + notRead.length, loadGetPaths().length);
  t.ok(table.includes(`Against DigitalOcean's OpenAPI: ${read.length} of ${read.length + notRead.length} readable collections are read by a stream (${loadGetPaths().length} GET paths, ${excluded.length} excluded with their reason, ${notRead.length} not read yet).`), 'the second count');
  for (const p of [...excluded, ...notRead]) t.equal(table.split(`\`${p.path}\``).length - 1, 1, `${p.path} listed once`);
  for (const reason of ['logs', 'download', 'rendering', 'credentials', 'actions', 'metrics'] as const) {
    t.ok(excluded.some((p) => p.kind === 'excluded' && p.reason === reason), `${reason}: ${REASONS[reason]}`);
  }
  for (const path of ['/v2/vector-databases/{id}/credentials', '/v2/kubernetes/clusters/{cluster_id}/kubeconfig', '/v2/customers/my/invoices/{invoice_uuid}/pdf', '/v2/droplets/{droplet_id}/actions']) {
    t.ok(excluded.some((p) => p.path === path), `${path} is excluded`);
  }
});

t.test('classifyApi reports what does not add up', async (t) => {
  const paths = [
    { path: '/v2/things', operationId: 'things_list' },
    { path: '/v2/things/{id}', operationId: 'things_get' },
    { path: '/v2/things/{id}/logs', operationId: 'things_logs' },
    { path: '/v2/widgets', operationId: 'widgets_list' },
  ];
  const def: StreamDef = { name: 'things', resource: 'Things', path: '/v2/things', recordsKey: 'things', shape: 'list', scope: null, primaryKey: ['id'], pagination: 'none', strip: [] };
  const ghost: StreamDef = { ...def, name: 'ghosts', path: '/v2/ghosts' };
  const ok = classifyApi(paths, [def], [{ path: '/v2/widgets', reason: 'not_read', note: 'later' }]);
  t.same(ok.problems, []);
  t.same(ok.placements.map((p) => p.kind), ['stream', 'excluded', 'excluded', 'not_read']);
  t.match(ok.placements[1], { reason: 'one_record' });
  t.match(ok.placements[2], { reason: 'logs' });
  const bad = classifyApi(paths, [def, ghost], [{ path: '/v2/things', reason: 'alias', note: 'x' }, { path: '/v2/gone', reason: 'covered', note: 'y' }]);
  t.match(bad.problems.join('\n'), /stream ghosts: GET \/v2\/ghosts is not in the OpenAPI/);
  t.match(bad.problems.join('\n'), /note on \/v2\/gone: no such GET path/);
  t.match(bad.problems.join('\n'), /note on \/v2\/things: a stream reads it/);
  t.match(bad.problems.join('\n'), /GET \/v2\/widgets \(widgets_list\) is neither/);
  t.match(renderApiCoverage(ok).join('\n'), /1 of 2 readable collections are read by a stream \(4 GET paths, 2 excluded with their reason, 1 not read yet\)/);
});
