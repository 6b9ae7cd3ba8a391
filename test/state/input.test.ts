import t from 'tap';
import { parseStateInput, StateFileError, type Logger } from '../../src/state/input.js';

function parse(text: string | undefined) {
  const logs: [string, string][] = [];
  const log: Logger = (level, message) => logs.push([level, message]);
  return { states: parseStateInput(text, log), logs };
}

const entry = (name: string, stream_state: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'STREAM',
  stream: { stream_descriptor: { name }, stream_state },
  ...extra,
});

t.test('no state at all: undefined, empty, blank, null, []', async (t) => {
  for (const text of [undefined, '', '  \n', 'null', ' null ', '[]']) {
    const { states, logs } = parse(text);
    t.equal(states.size, 0, JSON.stringify(text));
    t.same(logs, [], `${JSON.stringify(text)}: nothing to say`);
  }
});

t.test('a list of STREAM states, one per stream', async (t) => {
  const { states, logs } = parse(
    JSON.stringify([
      entry('droplets', { created_at: '2024-01-01T00:00:00Z' }, { sourceStats: { recordCount: 3 } }),
      entry('volumes', {}),
    ]),
  );
  t.same([...states.keys()], ['droplets', 'volumes']);
  t.same(states.get('droplets'), { created_at: '2024-01-01T00:00:00Z' });
  t.same(states.get('volumes'), {});
  t.same(logs, []);
});

t.test('tolerates extra keys, null fields and entries without sourceStats (PyAirbyte, CAT, tap-airbyte)', async (t) => {
  const { states, logs } = parse(
    JSON.stringify([
      {
        type: 'STREAM',
        stream: { stream_descriptor: { name: 'a', namespace: null }, stream_state: { id: 5 }, extra: 1 },
        global: null,
        data: null,
        sourceStats: null,
        destinationStats: { recordCount: 1 },
        id: 17,
      },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'b' }, stream_state: null } },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'c' } } },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'd' }, stream_state: [1, 2] } },
    ]),
  );
  t.same(Object.fromEntries(states), { a: { id: 5 }, b: {}, c: {}, d: {} });
  t.same(logs, []);
});

t.test('a legacy state object is dropped with a WARN', async (t) => {
  const { states, logs } = parse(JSON.stringify({ droplets: { created_at: 'x' } }));
  t.equal(states.size, 0);
  t.equal(logs.length, 1);
  t.equal(logs[0][0], 'WARN');
  t.match(logs[0][1], /legacy/);
});

t.test('non-STREAM entries are skipped with a WARN each; the STREAM ones are kept', async (t) => {
  const { states, logs } = parse(
    JSON.stringify([
      { type: 'GLOBAL', global: { shared_state: {}, stream_states: [] } },
      { type: 'LEGACY', data: { x: 1 } },
      { data: { x: 1 } },
      entry('droplets', { id: 1 }),
    ]),
  );
  t.same(Object.fromEntries(states), { droplets: { id: 1 } });
  t.same(
    logs.map(([level]) => level),
    ['WARN', 'WARN', 'WARN'],
  );
  t.match(logs[0][1], /Entry 0 .* GLOBAL/);
  t.match(logs[1][1], /Entry 1 .* LEGACY/);
  t.match(logs[2][1], /Entry 2 .* LEGACY/, 'an entry without type is a legacy one');
});

t.test('the last entry for a stream wins', async (t) => {
  const { states } = parse(JSON.stringify([entry('a', { id: 1 }), entry('a', { id: 2 })]));
  t.same(states.get('a'), { id: 2 });
});

t.test('unusable state files throw StateFileError naming the problem', async (t) => {
  const cases: [string, RegExp][] = [
    ['{not json', /not valid JSON/],
    ['[1,', /not valid JSON/],
    ['42', /JSON array/],
    ['"text"', /JSON array/],
    ['false', /JSON array/],
    ['[null]', /Entry 0 .* not a state message/],
    ['[[]]', /Entry 0 .* not a state message/],
    [JSON.stringify([entry('a', {}), 'x']), /Entry 1 .* not a state message/],
    [JSON.stringify([{ type: 'STREAM' }]), /Entry 0 .* stream_descriptor\.name/],
    [JSON.stringify([{ type: 'STREAM', stream: { stream_descriptor: { name: '' } } }]), /stream_descriptor\.name/],
    [JSON.stringify([{ type: 'STREAM', stream: { stream_descriptor: { name: 7 } } }]), /stream_descriptor\.name/],
  ];
  for (const [text, message] of cases) {
    t.throws(() => parse(text), { name: 'StateFileError', message }, text);
    t.throws(() => parse(text), StateFileError);
  }
});
