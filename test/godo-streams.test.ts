import { readFileSync } from 'node:fs';
import t from 'tap';
import { STREAMS } from '../src/streams/index.js';
import type { GodoStream } from '../scripts/godo-streams.js';

/**
 * The stream table against DigitalOcean's Go client godo (github.com/digitalocean/godo), which doctl
 * and the Terraform provider use in production. test/fixtures/godo-streams.json is written by
 * scripts/godo-streams.ts from godo's source (commit in the file); this test needs no godo checkout.
 * For every stream godo serves, the key the records sit under and whether the list pages must agree,
 * or the difference is listed below with its reason.
 */
interface GodoTable {
  commit: string;
  streams: Record<string, GodoStream>;
  missing: Record<string, string>;
}

const table = JSON.parse(readFileSync(new URL('./fixtures/godo-streams.json', import.meta.url), 'utf8')) as GodoTable;

/** Where we deliberately differ from godo, and why. */
const DIFFERENCES: Readonly<Record<string, { recordsKey?: string; pagination?: string }>> = {
  droplet_neighbors: { pagination: 'godo DropletsService.Neighbors takes no ListOptions; it only reuses the Droplet list\'s root (dropletsRoot), whose links never come' },
  security_scan_findings: {
    recordsKey: "godo SecurityService.GetScan decodes scanRoot's `scan`; the findings the stream emits are that scan's `findings`",
    pagination: 'the OpenAPI declares page and per_page on GET /v2/security/scans/{scan_id}; godo GetScan takes no ListOptions. Links are followed if the API sends them',
  },
  vector_databases: { pagination: 'the OpenAPI declares page and per_page on GET /v2/vector-databases; godo vectorDBsRoot has no links. Links are followed if the API sends them' },
  kubernetes_options: { pagination: 'one object: kubernetesOptionsRoot declares links, but GetOptions takes no ListOptions and there is nothing to page' },
  kubernetes_cluster_lint_results: { recordsKey: 'godo keeps only `diagnostics`; the record is the whole body (run_id, requested_at, completed_at, diagnostics)' },
  database_options: { recordsKey: 'godo keeps only `options`; the record is the whole body, version_availability included (OpenAPI databases_options response)' },
};

const paged = (pagination: string): boolean => pagination !== 'none';

t.test('every stream is in the godo table or listed without godo, with a reason', async (t) => {
  t.match(table.commit, /^[0-9a-f]{40}$/, 'the godo commit read');
  for (const def of STREAMS) {
    const inTable = def.name in table.streams;
    const missing = table.missing[def.name];
    t.ok(inTable !== (missing !== undefined), `${def.name}: exactly one of matched / missing`);
    if (missing !== undefined) t.ok(missing.length > 10, `${def.name}: reason given (${missing})`);
  }
  const names = new Set(STREAMS.map((d) => d.name));
  t.same([...Object.keys(table.streams), ...Object.keys(table.missing)].filter((n) => !names.has(n)), [], 'no stale stream names');
});

t.test('records key and pagination agree with godo, or the difference is explained', async (t) => {
  let agree = 0;
  const disagreed: string[] = [];
  for (const def of STREAMS) {
    const godo = table.streams[def.name];
    if (!godo) continue;
    const known = DIFFERENCES[def.name] ?? {};
    // A row that also reads the bare body (bareRecordFields) agrees with a godo root holding that field.
    const keyAgrees = godo.recordsKey === def.recordsKey || (godo.recordsKey !== null && (def.bareRecordFields ?? []).includes(godo.recordsKey));
    const pagingAgrees = paged(godo.pagination) === paged(def.pagination);
    if (keyAgrees && pagingAgrees) agree++;
    else disagreed.push(def.name);
    if (!keyAgrees) t.ok(known.recordsKey, `${def.name}: records under '${def.recordsKey}', godo ${godo.method} reads '${godo.recordsKey}' (${godo.root})`);
    else t.notOk(known.recordsKey, `${def.name}: a listed records-key difference that no longer exists`);
    if (!pagingAgrees) t.ok(known.pagination, `${def.name}: pagination ${def.pagination}, godo ${godo.root} ${godo.pagination}`);
    else t.notOk(known.pagination, `${def.name}: a listed pagination difference that no longer exists`);
    // doctl sends per_page=200 wherever godo takes ListOptions (do/pagination.go): a child list godo
    // pages by ListOptions alone (no links in its root) gets it too.
    if (def.parent && godo.listOptions && !paged(def.pagination)) t.equal(def.query?.per_page, '200', `${def.name}: per_page=200 as doctl sends`);
  }
  t.equal(agree + disagreed.length, Object.keys(table.streams).length);
  t.same(disagreed.sort(), Object.keys(DIFFERENCES).sort(), 'exactly the listed streams differ');
  t.comment(`${agree} of ${Object.keys(table.streams).length} streams agree with godo; differ (explained): ${disagreed.join(', ')}; ${Object.keys(table.missing).length} without godo method`);
});
