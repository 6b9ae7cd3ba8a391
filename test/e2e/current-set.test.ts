import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { findStream } from '../../src/streams/index.js';
import { readCli } from '../helpers/e2e.js';
import { errorTraces, records, states } from '../helpers/protocol.js';

/**
 * The README's rule for the current rows of an incremental per-parent child stream in a deduplicated
 * destination (append + dedup on the primary key, latest `_parent_listed_at` wins), proved across
 * simulated hours in which the fake account churns (fake-api/churn.ts): lists regenerated, so children
 * disappear from parents that are read again, and Droplets destroyed.
 *
 * A row is current when (1) its parent is a current row of the parent stream, (2) its
 * `_parent_listed_at` is the latest of its parent's rows, and (3) it is no older than the stream's
 * bound before the stream's latest `_parent_listed_at` (a parent whose list became empty left rows only
 * from older reads). With every bound at one hour, each sync reads every parent and the rule's view must
 * equal the account's truth at every hour.
 */
const CHILDREN = ['database_firewall_rules', 'vpc_members', 'domain_records', 'droplet_kernels'];
const PARENTS = ['database_clusters', 'vpcs', 'domains', 'droplets'];
const HOUR_MS = 3_600; // the e2e helper compresses time 1,000-fold
const BASE = 1_800_000_000_000;

type Row = Record<string, unknown>;
const pk = (stream: string, r: Row): string => JSON.stringify(findStream(stream)!.primaryKey.map((k) => r[k]));
const parentKeyOf = (stream: string, r: Row): string => JSON.stringify(Object.keys(findStream(stream)!.parent!.keys).map((k) => r[k]));
const parentRowKey = (stream: string, parent: Row): string => JSON.stringify(Object.values(findStream(stream)!.parent!.keys).map((f) => parent[f]));
const content = ({ _parent_listed_at: _, ...rest }: Row): string => JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The rule, applied to a deduplicated table of child rows and the current rows of the parent stream. */
export function currentSet(stream: string, table: Map<string, Row>, parents: readonly Row[], boundHours: number, hourMs: number): Row[] {
  const alive = new Set(parents.map((p) => parentRowKey(stream, p)));
  const latest = new Map<string, string>();
  let newest = '';
  for (const r of table.values()) {
    const at = String(r._parent_listed_at);
    const parent = parentKeyOf(stream, r);
    if ((latest.get(parent) ?? '') < at) latest.set(parent, at);
    if (newest < at) newest = at;
  }
  const oldest = new Date(Date.parse(newest) - boundHours * hourMs).toISOString();
  return [...table.values()].filter((r) => alive.has(parentKeyOf(stream, r)) && r._parent_listed_at === latest.get(parentKeyOf(stream, r)) && String(r._parent_listed_at) >= oldest);
}

t.test('the current set of a child stream in a deduplicated destination, across churning hours', async (t) => {
  const api = await startFakeApi({ seed: 12, scale: 80, rateLimits: false });
  t.teardown(() => api.close());
  const streams = [...PARENTS, ...CHILDREN];
  const tables = new Map(CHILDREN.map((s) => [s, new Map<string, Row>()]));
  let saved: unknown[] | undefined;
  let hour = 0;
  let vanished = 0;
  let destroyedParents = 0;
  const before = new Map<string, Set<string>>();
  for (const step of [0, 1, 5, 20, 30, 45, 47, 48, 60, 90]) {
    api.advance(step - hour);
    hour = step;
    const run = await readCli(
      { config: { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, freshness_hours_scale: 0.001 }, streams, mode: 'incremental', state: saved },
      { env: { SOURCE_DIGITALOCEAN_CLOCK_START: String(BASE + hour * HOUR_MS) } },
    );
    t.equal(run.code, 0, `hour ${hour}: exit 0 (${run.stderr.slice(0, 200)})`);
    t.same(errorTraces(run.messages), [], `hour ${hour}: no error`);
    saved = streams.map((s) => states(run.messages, s).at(-1)?.state).filter(Boolean);
    for (const [i, stream] of CHILDREN.entries()) {
      const table = tables.get(stream)!;
      for (const r of records(run.messages, stream)) table.set(pk(stream, r), r); // dedup: the latest wins
      const parents = records(run.messages, PARENTS[i]);
      const view = currentSet(stream, table, parents, 1, HOUR_MS).map(content).sort();
      const truth = [...api.account.expectedRecords(stream)].map(content).sort();
      t.same(view, truth, `hour ${hour}, ${stream}: the rule gives the account's ${truth.length} current rows (the table holds ${table.size})`);
      const keys = new Set(truth);
      const old = before.get(stream);
      if (old) vanished += [...old].filter((k) => !keys.has(k)).length;
      before.set(stream, keys);
    }
    if (hour === 48) destroyedParents = 80 - api.account.count('droplets');
  }
  t.ok(vanished > 0, `rows disappeared along the way (${vanished}), and the rule left them out`);
  t.ok(destroyedParents > 0, `Droplets were destroyed (${destroyedParents} at hour 48), and their rows left out`);
});
