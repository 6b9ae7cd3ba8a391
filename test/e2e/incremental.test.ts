import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { STREAMS } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';
import { spawnCli } from '../helpers/e2e.js';
import { writeInputs } from '../helpers/files.js';
import { records, states, type Message } from '../helpers/protocol.js';

/** The acceptance tests' incremental rules, checked on the real wire for every incremental stream. */

const incremental = STREAMS.filter((def) => def.cursor);
const catalog = {
  streams: incremental.map((def) => ({ stream: { name: def.name, json_schema: {} }, sync_mode: 'incremental', destination_sync_mode: 'append' })),
};

function isOpen(def: StreamDef, data: Record<string, unknown>): boolean {
  const open = def.cursor?.openWhile;
  return open !== undefined && open.values.includes(String(data[open.field]));
}

const lastStates = (messages: Message[]) => {
  const latest = new Map<string, unknown>();
  for (const m of messages) if (m.type === 'STATE' && m.state) latest.set(m.state.stream.stream_descriptor.name, m.state);
  return [...latest.values()];
};

t.test('incremental streams follow the acceptance-test rules', async (t) => {
  t.ok(incremental.length >= 5, `there are incremental streams (${incremental.length})`);
  const api = await startFakeApi({ seed: 5, scale: 10, rateLimits: false });
  t.teardown(() => api.close());
  const files = writeInputs({
    'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, max_concurrency: 2 },
    'catalog.json': catalog,
  });
  const base = ['read', '--config', files['config.json'], '--catalog', files['catalog.json']];
  const first = await spawnCli(base);
  t.equal(first.code, 0, 'first read succeeds');
  t.same(first.protocolErrors, [], 'first read: valid protocol');
  t.notMatch(first.stdout, /over-privileged/, 'a least-privileged token draws no over-privilege warning');

  await t.test('a second read from the final state repeats nothing unchanged', async (t) => {
    const stateFile = writeInputs({ 'state.json': lastStates(first.messages) })['state.json'];
    const second = await spawnCli([...base, '--state', stateFile]);
    t.equal(second.code, 0, 'second read succeeds');
    for (const def of incremental) {
      const before = new Set(records(first.messages, def.name).map((r) => JSON.stringify(r)));
      const repeated = records(second.messages, def.name).filter((r) => before.has(JSON.stringify(r)) && !isOpen(def, r));
      t.equal(repeated.length, 0, `${def.name}: no unchanged record re-emitted`);
      t.ok(states(second.messages, def.name).length >= 1, `${def.name}: still emits a state`);
    }
  });

  await t.test('resuming from any intermediate state re-delivers every record after it', async (t) => {
    let checked = 0;
    for (const def of incremental) {
      const streamMessages = first.messages.filter(
        (m) => (m.type === 'RECORD' && m.record?.stream === def.name) || (m.type === 'STATE' && m.state?.stream.stream_descriptor.name === def.name),
      );
      const stateIndexes = streamMessages.flatMap((m, i) => (m.type === 'STATE' && i < streamMessages.length - 1 ? [i] : []));
      // Every intermediate state for small streams; a spread of them for large ones.
      const picks = stateIndexes.filter((_, k) => stateIndexes.length <= 4 || k % Math.ceil(stateIndexes.length / 4) === 0);
      for (const index of picks) {
        const after = streamMessages.slice(index + 1).filter((m) => m.type === 'RECORD').map((m) => JSON.stringify(m.record!.data));
        const stateFile = writeInputs({ 'state.json': [streamMessages[index].state] })['state.json'];
        const oneStream = writeInputs({ 'catalog.json': { streams: catalog.streams.filter((s) => s.stream.name === def.name) } })['catalog.json'];
        const resumed = await spawnCli(['read', '--config', files['config.json'], '--catalog', oneStream, '--state', stateFile]);
        const got = new Set(records(resumed.messages, def.name).map((r) => JSON.stringify(r)));
        const missing = after.filter((r) => !got.has(r));
        t.equal(missing.length, 0, `${def.name}: resumed from state #${index} re-delivers the ${after.length} records after it`);
        checked++;
      }
    }
    t.ok(checked > 0, `intermediate states checked: ${checked}`);
  });

  await t.test('a far-future state yields no record and a state for every stream', async (t) => {
    const future = incremental.map((def) => {
      const value = def.cursor!.kind === 'integer' ? Number.MAX_SAFE_INTEGER : '2999-01-01T00:00:00Z';
      let streamState: Record<string, unknown> = { [def.cursor!.field]: value };
      if (def.parent) {
        // Every parent of the first sync at the far future, in the CDK's per-partition format.
        const partitions: unknown[] = [];
        for (const m of lastStates(first.messages) as { stream: { stream_descriptor: { name: string }; stream_state: { states?: { partition: unknown }[] } } }[]) {
          if (m.stream.stream_descriptor.name === def.name) for (const entry of m.stream.stream_state.states ?? []) partitions.push(entry.partition);
        }
        streamState = { states: partitions.map((partition) => ({ partition, cursor: { [def.cursor!.field]: value } })), state: { [def.cursor!.field]: value } };
      }
      return { type: 'STREAM', stream: { stream_descriptor: { name: def.name }, stream_state: streamState } };
    });
    const stateFile = writeInputs({ 'state.json': future })['state.json'];
    const run = await spawnCli([...base, '--state', stateFile]);
    t.equal(run.code, 0, 'read succeeds');
    t.equal(records(run.messages).length, 0, 'no record newer than the far future');
    for (const def of incremental) t.ok(states(run.messages, def.name).length >= 1, `${def.name}: a state`);
  });
});
