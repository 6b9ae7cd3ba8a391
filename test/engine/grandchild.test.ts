import nock from 'nock';
import t from 'tap';
import { findStream } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { errorTraces, records, runInProcess, statuses } from '../helpers/protocol.js';
import { mockStreamRead, ORIGIN, TOKEN } from '../helpers/sample-api.js';

nock.disableNetConnect();
const config = { api_token: TOKEN, api_url: ORIGIN, max_concurrency: 4 };

/**
 * Two-level fan-out read as data: security scans → their findings → each finding's affected resources
 * (and GradientAI test cases → runs → results). The mocks answer each list once, so a parent requested
 * twice (once emitted, once silently) fails the read.
 */
const GRANDCHILDREN = ['security_finding_affected_resources', 'genai_evaluation_run_results'];

for (const name of GRANDCHILDREN) {
  const def = findStream(name) as StreamDef;
  const parent = findStream(def.parent!.stream) as StreamDef;
  const grandparent = findStream(parent.parent!.stream) as StreamDef;

  const catalogs: [string, string[]][] = [
    ['alone: both ancestors read silently', [name]],
    ['with the grandparent: its emitted read also feeds the silent parent', [grandparent.name, name]],
    ['with the whole chain', [grandparent.name, parent.name, name]],
  ];
  for (const [label, streams] of catalogs) {
    t.test(`${name} ${label}`, async (t) => {
      nock.cleanAll();
      const expected = mockStreamRead(def);
      const files = writeInputs({ 'config.json': config, 'catalog.json': catalogFor(streams) });
      const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);

      t.equal(result.code, 0, 'exit code 0');
      t.same(errorTraces(result.messages), [], 'no error');
      t.ok(expected.scope.isDone(), `every list requested: ${expected.scope.pendingMocks().join(', ')}`);
      const emitted = records(result.messages, name);
      t.ok(expected.records.length > 0, 'the grandchild has records');
      t.equal(emitted.length, expected.records.length, 'one record per affected record served');
      const keys = Object.keys(def.parent!.keys);
      const keyOf = (r: Record<string, unknown>) => JSON.stringify(keys.map((k) => r[k]));
      t.same(emitted.map(keyOf).sort(), expected.records.map(keyOf).sort(), `each record carries its ${keys.join(' and ')}`);
      for (const stream of streams) t.same(statuses(result.messages, stream), ['STARTED', 'RUNNING', 'COMPLETE'], `${stream} complete`);
      const inCatalog = streams.reduce((n, stream) => n + records(result.messages, stream).length, 0);
      t.equal(records(result.messages).length, inCatalog, 'ancestors not in the catalog emit nothing');
    });
  }
}

t.test('resumed: the parent\'s finished partitions are read again, silently, for the grandchild', async (t) => {
  const name = 'security_finding_affected_resources';
  const def = findStream(name) as StreamDef;
  nock.cleanAll();
  const expected = mockStreamRead(def);
  const scanId = expected.records[0]?.scan_id;
  t.ok(scanId, 'the mocked findings sit under one scan');
  // An interrupted full refresh had finished the findings of that scan, and none of the affected resources.
  const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'security_scan_findings' }, stream_state: { partitions_done: [scanId] } } }];
  const files = writeInputs({ 'config.json': config, 'catalog.json': catalogFor(['security_scan_findings', name]), 'state.json': state });
  const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json'], '--state', files['state.json']]);
  t.equal(result.code, 0);
  t.same(errorTraces(result.messages), []);
  t.ok(expected.scope.isDone(), `the finished findings were asked for again: ${expected.scope.pendingMocks().join(', ')}`);
  t.equal(records(result.messages, 'security_scan_findings').length, 0, 'finished findings are not emitted again');
  t.equal(records(result.messages, name).length, expected.records.length, 'every affected resource is read');
});
