import t from 'tap';
import type { AirbyteMessage } from '../../src/protocol/messages.js';
import type { ProtocolWriter } from '../../src/protocol/writer.js';
import { StateEmitter } from '../../src/state/emitter.js';
import { protocolErrors } from '../helpers/protocol.js';

function emitter() {
  const sent: AirbyteMessage[] = [];
  const writer = { emit: (message: AirbyteMessage) => void sent.push(message) } as unknown as ProtocolWriter;
  return { states: new StateEmitter(writer), sent };
}

const summary = (sent: AirbyteMessage[]) =>
  sent.map((m) => {
    if (m.type !== 'STATE') throw new Error(`unexpected ${m.type}`);
    return [m.state.stream.stream_descriptor.name, m.state.stream.stream_state, m.state.sourceStats.recordCount];
  });

t.test('the first state of a stream is always emitted, even empty with no records', async (t) => {
  const { states, sent } = emitter();
  states.emit('a', { state: {}, recordCount: 0 });
  states.emit('b', { state: {}, recordCount: 0 });
  t.same(summary(sent), [
    ['a', {}, 0],
    ['b', {}, 0],
  ]);
  for (const message of sent) t.same(protocolErrors(JSON.stringify(message)), [], 'a valid STREAM state message');
  t.match(sent[0], { type: 'STATE', state: { type: 'STREAM', sourceStats: { recordCount: 0 } } });
});

t.test('an identical state with no record since is skipped; anything new is emitted', async (t) => {
  const { states, sent } = emitter();
  states.emit('a', { state: { id: 1 }, recordCount: 3 });
  states.emit('a', { state: { id: 1 }, recordCount: 0 });
  t.equal(sent.length, 1, 'identical, zero records: skipped');
  states.emit('a', { state: { id: 1 }, recordCount: 2 });
  t.equal(sent.length, 2, 'identical but with records: emitted (it vouches for them)');
  states.emit('a', { state: { id: 2 }, recordCount: 0 });
  t.equal(sent.length, 3, 'a new state without records: emitted');
  states.emit('b', { state: { id: 2 }, recordCount: 0 });
  t.equal(sent.length, 4, 'streams are tracked apart');
  states.emit('a', { state: { id: 2 }, recordCount: 0 });
  states.emit('b', { state: { id: 2 }, recordCount: 0 });
  t.equal(sent.length, 4);
  t.same(summary(sent), [
    ['a', { id: 1 }, 3],
    ['a', { id: 1 }, 2],
    ['a', { id: 2 }, 0],
    ['b', { id: 2 }, 0],
  ]);
});

t.test('a state that returns to an earlier value is emitted', async (t) => {
  const { states, sent } = emitter();
  states.emit('a', { state: { partitions_done: ['p'] }, recordCount: 0 });
  states.emit('a', { state: {}, recordCount: 0 });
  states.emit('a', { state: { partitions_done: ['p'] }, recordCount: 0 });
  t.equal(sent.length, 3);
});

t.test('the writer’s backpressure promise is passed on', async (t) => {
  let resolved = false;
  const pending = new Promise<void>((r) => setImmediate(() => ((resolved = true), r())));
  const writer = { emit: () => pending } as unknown as ProtocolWriter;
  const states = new StateEmitter(writer);
  await states.emit('a', { state: {}, recordCount: 1 });
  t.ok(resolved);
});
