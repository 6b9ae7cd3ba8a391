import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { AUDITS_PER_SYNC } from '../../src/engine/plan.js';
import { findStream } from '../../src/streams/index.js';
import { readCli } from '../helpers/e2e.js';
import { errorTraces, records, states } from '../helpers/protocol.js';

/** Freshness kind `derived`: records built from lists the sync reads anyway, audited on a few parents. */
const DERIVED = ['droplet_firewalls', 'kubernetes_node_pools', 'database_dbs'];
const STREAMS = ['droplets', 'firewalls', 'kubernetes_clusters', 'database_clusters', ...DERIVED];
const env = (hour: number): Record<string, string> => ({ SOURCE_DIGITALOCEAN_CLOCK_START: String(1_800_000_000_000 + hour * 3_600) });

const sorted = (stream: string, rows: Record<string, unknown>[]): string[] => {
  const def = findStream(stream)!;
  return rows
    .map(({ _parent_listed_at: _, ...rest }) => rest)
    .map((r) => JSON.stringify([def.primaryKey.map((k) => r[k]), r]))
    .sort();
};

for (const scale of [60, 400]) {
  t.test(`derived records equal an exhaustive read's (${scale} Droplets), with audits as their only requests`, async (t) => {
    const api = await startFakeApi({ seed: 9, scale, rateLimits: false });
    t.teardown(() => api.close());
    const config = { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url };
    const exhaustive = await readCli({ config: { ...config, exhaustive_fanout: true }, streams: STREAMS, mode: 'full_refresh' });
    t.equal(exhaustive.code, 0, 'the exhaustive read succeeds');
    api.resetStats();
    const derived = await readCli({ config, streams: STREAMS, mode: 'incremental' }, { env: env(0) });
    t.equal(derived.code, 0, `exit 0 (${derived.stderr.slice(0, 200)})`);
    t.same(errorTraces(derived.messages), []);
    const stats = api.stats();
    for (const stream of DERIVED) {
      const rows = records(derived.messages, stream);
      t.ok(rows.length > 0, `${stream}: ${rows.length} records`);
      t.same(sorted(stream, rows), sorted(stream, records(exhaustive.messages, stream)), `${stream}: the records of the exhaustive read`);
      t.ok((stats.byStream[stream] ?? 0) <= AUDITS_PER_SYNC, `${stream}: ${stats.byStream[stream] ?? 0} requests, the audits only`);
      t.notOk(derived.messages.some((m) => m.log?.level === 'WARN' && m.log.message.includes(stream)), `${stream}: a clean audit`);
    }
  });
}

t.test('an audit that finds a difference names it, and the stream falls back to requests', async (t) => {
  // Every cluster's dbs list holds three databases, while db_names names one: the derivation is wrong.
  const api = await startFakeApi({ seed: 9, scale: 60, rateLimits: false, counts: { database_dbs: 3 } });
  t.teardown(() => api.close());
  const config = { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url };
  const streams = ['database_clusters', 'database_dbs'];
  const first = await readCli({ config, streams, mode: 'incremental' }, { env: env(0) });
  const warn = first.messages.find((m) => m.log?.level === 'WARN' && m.log.message.startsWith("Stream 'database_dbs': the audit"));
  t.match(warn?.log?.message, /listed record\(s\) were not derived.*reads every parent by request/, 'a WARN says what differs and what happens');
  const saved = states(first.messages, 'database_dbs').at(-1)!;
  t.equal((saved.stream.stream_state as { derived_fallback?: boolean }).derived_fallback, true, 'the state remembers the fallback');

  api.resetStats();
  const second = await readCli({ config, streams, mode: 'incremental', state: [saved] }, { env: env(1) });
  t.equal(second.code, 0);
  const parents = new Set([...api.account.expectedRecords('database_dbs')].map((r) => r.database_cluster_id)).size;
  t.equal(api.stats().byStream.database_dbs, parents + AUDITS_PER_SYNC, 'every parent is read by request, plus the audits');
  t.same(sorted('database_dbs', records(second.messages, 'database_dbs')), sorted('database_dbs', [...api.account.expectedRecords('database_dbs')]), "and the records are the API's own");
});
