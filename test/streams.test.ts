import nock from 'nock';
import t from 'tap';
import { STREAMS } from '../src/streams/index.js';
import { catalogFor, writeInputs } from './helpers/files.js';
import { records, recordErrors, runInProcess, states, statuses } from './helpers/protocol.js';
import { mockStreamRead, ORIGIN, SECRET, TOKEN } from './helpers/sample-api.js';

nock.disableNetConnect();
const config = { api_token: TOKEN, api_url: ORIGIN, max_concurrency: 4 };

/**
 * One read per row of the stream table: pages, parent fan-out and key injection, parent filters,
 * secret stripping, schema validity, statuses and state counts. A new row is covered with no new code.
 */
// The S3 rows (Spaces buckets) are read with a Spaces key from XML: test/spaces/ covers them.
for (const def of STREAMS.filter((d) => !d.transport)) {
  t.test(`stream ${def.name}`, async (t) => {
    nock.cleanAll();
    const expected = mockStreamRead(def);
    const files = writeInputs({ 'config.json': config, 'catalog.json': catalogFor([def.name]) });
    const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);

    t.equal(result.code, 0, 'exit code 0');
    t.same(result.protocolErrors, [], 'every line is a valid Airbyte message');
    t.ok(expected.scope.isDone(), `every expected request was made: ${expected.scope.pendingMocks().join(', ')}`);
    t.notOk(result.stdout.includes(SECRET), 'no planted secret reaches stdout');
    t.notOk(result.stdout.includes(TOKEN), 'the token never reaches stdout');

    const emitted = records(result.messages, def.name);
    t.equal(emitted.length, expected.records.length, 'one record per record served');
    const errors = emitted.flatMap((data) => recordErrors(def.name, data));
    t.same(errors.slice(0, 5), [], 'records validate against the stream schema');
    for (const field of Object.keys(def.parent?.keys ?? {})) {
      t.ok(emitted.every((r) => r[field] !== undefined && r[field] !== null), `every record carries the injected ${field}`);
    }
    const keyOf = (r: Record<string, unknown>) => JSON.stringify(def.primaryKey.map((f) => r[f]));
    if (def.primaryKey.length > 0) {
      t.same(emitted.map(keyOf).sort(), expected.records.map(keyOf).sort(), 'the primary keys emitted are those served');
    }
    t.same(statuses(result.messages, def.name), ['STARTED', 'RUNNING', 'COMPLETE'], 'statuses in order');
    const streamStates = states(result.messages, def.name);
    t.ok(streamStates.length >= 1, 'at least one state');
    const counted = streamStates.reduce((sum, s) => sum + (s.sourceStats?.recordCount ?? 0), 0);
    t.equal(counted, emitted.length, 'recordCount adds up to the records emitted');
    t.same(records(result.messages).length, emitted.length, 'no record of another stream (parents are read silently)');
  });
}
