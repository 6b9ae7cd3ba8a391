import { writeFileSync } from 'node:fs';
import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi } from '../../fake-api/server.js';
import { compileStripper } from '../../src/records/strip.js';
import { STREAMS as TABLE } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';
import { spawnCli, type SpawnResult } from '../helpers/e2e.js';
import { writeInputs } from '../helpers/files.js';
import { mapPool } from '../helpers/pool.js';
import type { Message } from '../helpers/protocol.js';

/** The API v2 rows: the S3 rows (Spaces buckets) need a Spaces key and are tested in test/spaces/. */
const STREAMS = TABLE.filter((def) => !def.transport);

/**
 * Kill and resume: a sync SIGKILLed after k records and resumed from the last state it printed, again
 * and again, must in the end have emitted every record of the account. Duplicates are allowed (at
 * least once) and counted.
 */

const catalog = {
  streams: STREAMS.map((def) => ({
    stream: { name: def.name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: def.cursor ? 'incremental' : 'full_refresh',
    destination_sync_mode: 'append',
  })),
};

function identity(def: StreamDef, data: Record<string, unknown>): string {
  if (def.primaryKey.length > 0) return JSON.stringify(def.primaryKey.map((f) => data[f]));
  // Without a key the whole record is its identity, compared as emitted: secrets stripped.
  const emitted = structuredClone(data);
  compileStripper(def.strip)(emitted);
  return JSON.stringify(emitted);
}

function expectedIdentities(api: FakeApi): Set<string> {
  const all = new Set<string>();
  for (const def of STREAMS) {
    // Records without a primary key are compared whole, as the connector emits them: stripped.
    const strip = compileStripper(def.strip);
    for (const record of api.account.expectedRecords(def.name, { withSecrets: false })) {
      strip(record);
      all.add(`${def.name} ${identity(def, record)}`);
    }
  }
  return all;
}

interface Chain {
  runs: number;
  emitted: number;
  seen: Set<string>;
  protocolErrors: string[];
  lastRun: SpawnResult;
}

/** Runs until a run finishes on its own; each run resumes from the latest state of every stream so far. */
async function chain(files: Record<string, string>, killPoints: number[]): Promise<Chain> {
  const latest = new Map<string, Message>();
  const seen = new Set<string>();
  const protocolErrors: string[] = [];
  let emitted = 0;
  for (let run = 0; ; run++) {
    writeFileSync(files['state.json'], JSON.stringify([...latest.values()].map((m) => m.state)));
    const killAfterRecords = killPoints[run];
    const result = await spawnCli(
      ['read', '--config', files['config.json'], '--catalog', files['catalog.json'], '--state', files['state.json']],
      { killAfterRecords },
    );
    protocolErrors.push(...result.protocolErrors);
    for (const m of result.messages) {
      if (m.type === 'RECORD' && m.record) {
        const def = STREAMS.find((s) => s.name === m.record!.stream) as StreamDef;
        seen.add(`${def.name} ${identity(def, m.record.data)}`);
        emitted++;
      }
      if (m.type === 'STATE' && m.state) latest.set(m.state.stream.stream_descriptor.name, m);
    }
    if (result.signal === null) return { runs: run + 1, emitted, seen, protocolErrors, lastRun: result };
    if (run > 50) throw new Error('no progress after 50 resumed runs');
  }
}

t.test('SIGKILL after k records, then resume from the last state printed', async (t) => {
  const api = await startFakeApi({ seed: 11, scale: 15, rateLimits: false });
  t.teardown(() => api.close());
  const expected = expectedIdentities(api);
  const inputs = () =>
    writeInputs({
      'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 3 },
      'catalog.json': catalog,
      'state.json': '[]',
    });
  const total = expected.size;
  // Single kills at spread-out points, including the very first record, plus chains of repeated kills.
  const plans: number[][] = [
    [1], [2], [7], [23], [64], [Math.floor(total / 4)], [Math.floor(total / 2)], [Math.floor((total * 3) / 4)], [total - 3],
    [5, 5, 5, 5, 5, 5],
    [40, 40, 40, 40],
    [3, 30, 300],
  ];
  // The chains are independent (each has its own state file; the API only serves): three run at once.
  const results = await mapPool(plans, 3, (killPoints) => chain(inputs(), killPoints));
  const report: { killPoints: number[]; runs: number; lost: number; duplicates: number }[] = [];
  plans.forEach((killPoints, i) => {
    const result = results[i];
    const lost = [...expected].filter((id) => !result.seen.has(id));
    report.push({ killPoints, runs: result.runs, lost: lost.length, duplicates: result.emitted - result.seen.size });
    t.same(result.protocolErrors, [], `kills at ${killPoints.join(',')}: every complete line is valid`);
    t.same(lost.slice(0, 5), [], `kills at ${killPoints.join(',')}: no record lost (${total} expected)`);
    t.equal(result.lastRun.code, 0, `kills at ${killPoints.join(',')}: the last run completes`);
  });
  const totals = report.reduce((a, r) => ({ lost: a.lost + r.lost, duplicates: a.duplicates + r.duplicates, runs: a.runs + r.runs }), { lost: 0, duplicates: 0, runs: 0 });
  t.comment(`kill-and-resume: ${plans.flat().length} kill points in ${plans.length} chains, ${totals.runs} runs, ${total} records expected per chain, ${totals.lost} lost, ${totals.duplicates} duplicates`);
  t.comment(JSON.stringify(report));
  t.equal(totals.lost, 0, 'nothing lost over all chains');
});
