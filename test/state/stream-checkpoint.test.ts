import t from 'tap';
import type { SyncMode } from '../../src/protocol/messages.js';
import type { Logger } from '../../src/state/input.js';
import { StreamCheckpoint, type StreamShape } from '../../src/state/stream-checkpoint.js';

const TIME = { field: 'created_at', kind: 'datetime' as const };
const ID = { field: 'id', kind: 'integer' as const };

function make(shape: Partial<StreamShape>, mode: SyncMode, input?: Record<string, unknown>, startDate?: string) {
  const logs: [string, string][] = [];
  const log: Logger = (level, message) => logs.push([level, message]);
  const checkpoint = new StreamCheckpoint({ name: 's', hasParent: false, ...shape }, mode, input, startDate, log);
  return { checkpoint, logs };
}

const at = (day: number, extra: Record<string, unknown> = {}) => ({ created_at: `2024-01-${String(day).padStart(2, '0')}T00:00:00Z`, ...extra });

t.test('full refresh without parent: {} with the exact record count', async (t) => {
  const { checkpoint, logs } = make({}, 'full_refresh');
  t.notOk(checkpoint.incremental);
  for (let i = 0; i < 5; i++) t.ok(checkpoint.accept({ id: i }));
  t.same(checkpoint.complete(), { state: {}, recordCount: 5 });
  t.same(checkpoint.complete(), { state: {}, recordCount: 0 }, 'the count restarts after each checkpoint');
  t.same(logs, []);
});

t.test('full refresh of a child: partitions_done grows, then is cleared to {}', async (t) => {
  const { checkpoint } = make({ hasParent: true }, 'full_refresh');
  checkpoint.accept({ id: 1 }, 'p1');
  checkpoint.accept({ id: 2 }, 'p1');
  t.same(checkpoint.completePartition('p1'), { state: { partitions_done: ['p1'] }, recordCount: 2 });
  t.same(checkpoint.completePartition('p2'), { state: { partitions_done: ['p1', 'p2'] }, recordCount: 0 });
  checkpoint.accept({ id: 3 }, 'p3');
  t.same(checkpoint.completePartition('p3'), { state: { partitions_done: ['p1', 'p2', 'p3'] }, recordCount: 1 });
  t.ok(checkpoint.isDone('p2'));
  t.same(checkpoint.complete(), { state: {}, recordCount: 0 });
});

t.test('full refresh of a child resumed from partitions_done', async (t) => {
  const { checkpoint, logs } = make({ hasParent: true }, 'full_refresh', { partitions_done: ['p1', 'p2', 7, null] });
  t.ok(checkpoint.isDone('p1'));
  t.ok(checkpoint.isDone('p2'));
  t.notOk(checkpoint.isDone('p3'));
  t.notOk(checkpoint.isDone('7'), 'non-string keys are ignored');
  t.same(logs, []);
  checkpoint.accept({ id: 1 }, 'p3');
  t.same(checkpoint.completePartition('p3'), { state: { partitions_done: ['p1', 'p2', 'p3'] }, recordCount: 1 });
  t.same(checkpoint.complete().state, {});
});

t.test('full refresh accepts every record, whatever the saved cursor says', async (t) => {
  const { checkpoint, logs } = make({ cursor: TIME }, 'full_refresh', { created_at: '2030-01-01T00:00:00Z' }, '2030-01-01T00:00:00Z');
  t.notOk(checkpoint.incremental);
  t.ok(checkpoint.accept(at(1)));
  t.same(checkpoint.complete(), { state: {}, recordCount: 1 });
  t.same(logs, [], 'a cursor state is a known shape');
});

t.test('incremental requested on a stream without cursor is read as full refresh', async (t) => {
  const { checkpoint } = make({}, 'incremental');
  t.notOk(checkpoint.incremental);
  t.ok(checkpoint.accept({ id: 1 }));
  t.same(checkpoint.complete(), { state: {}, recordCount: 1 });
});

t.test('incremental: records at or before the saved cursor are not accepted', async (t) => {
  const { checkpoint, logs } = make({ cursor: TIME }, 'incremental', { created_at: '2024-01-10T00:00:00Z' });
  t.ok(checkpoint.incremental);
  t.notOk(checkpoint.accept(at(9)), 'before');
  t.notOk(checkpoint.accept(at(10)), 'equal');
  t.ok(checkpoint.accept(at(12)), 'after');
  t.ok(checkpoint.accept(at(11)), 'after, out of order');
  t.ok(checkpoint.accept({ name: 'no cursor' }), 'a record without a cursor is kept');
  t.ok(checkpoint.accept({ created_at: 'garbage' }), 'nor with an unparsable one');
  t.same(checkpoint.complete(), { state: { created_at: '2024-01-12T00:00:00Z' }, recordCount: 4 });
  t.same(logs, []);
});

t.test('incremental: cursors are compared as instants, not strings', async (t) => {
  const { checkpoint } = make({ cursor: TIME }, 'incremental', { created_at: '2024-01-10T00:00:00+02:00' });
  t.ok(checkpoint.accept({ created_at: '2024-01-09T23:00:00Z' }), '23:00Z is after 22:00Z');
  t.notOk(checkpoint.accept({ created_at: '2024-01-09T22:00:00.000Z' }), 'the same instant, written differently');
  t.same(checkpoint.complete().state, { created_at: '2024-01-09T23:00:00Z' }, 'the value is kept as the API wrote it');
});

t.test('incremental: nothing new keeps the saved cursor; nothing at all gives {}', async (t) => {
  const resumed = make({ cursor: TIME }, 'incremental', { created_at: '2024-01-10T00:00:00Z' }).checkpoint;
  t.notOk(resumed.accept(at(3)));
  t.same(resumed.complete(), { state: { created_at: '2024-01-10T00:00:00Z' }, recordCount: 0 });
  const fresh = make({ cursor: TIME }, 'incremental').checkpoint;
  t.same(fresh.complete(), { state: {}, recordCount: 0 });
});

t.test('incremental integer cursor', async (t) => {
  const { checkpoint } = make({ cursor: ID }, 'incremental', { id: 10 }, '2024-06-01T00:00:00Z');
  t.notOk(checkpoint.accept({ id: 9 }));
  t.notOk(checkpoint.accept({ id: 10 }));
  t.ok(checkpoint.accept({ id: 11 }));
  t.ok(checkpoint.accept({ id: '12' }), 'a string id is not a usable integer cursor: kept, not tracked');
  t.same(checkpoint.complete(), { state: { id: 11 }, recordCount: 2 });
});

t.test('start_date bounds the first incremental sync only', async (t) => {
  const first = make({ cursor: TIME }, 'incremental', undefined, '2024-01-05T00:00:00Z').checkpoint;
  t.notOk(first.accept(at(4)), 'before start_date');
  t.ok(first.accept(at(5)), 'at start_date');
  t.ok(first.accept(at(6)));
  t.same(first.complete(), { state: { created_at: '2024-01-06T00:00:00Z' }, recordCount: 2 });

  const later = make({ cursor: TIME }, 'incremental', { created_at: '2024-01-02T00:00:00Z' }, '2024-01-05T00:00:00Z').checkpoint;
  t.ok(later.accept(at(3)), 'a saved cursor replaces start_date');
  t.notOk(later.accept(at(2)));

  const ids = make({ cursor: ID }, 'incremental', undefined, '2099-01-01T00:00:00Z').checkpoint;
  t.ok(ids.accept({ id: 1 }), 'start_date does not apply to integer cursors');

  const full = make({ cursor: TIME }, 'full_refresh', undefined, '2024-01-05T00:00:00Z').checkpoint;
  t.ok(full.accept(at(1)), 'nor to full refresh');
});

/** A child's state in the CDK's per-partition format (see src/state/stream-checkpoint.ts). */
function perPartition(field: string, entries: [string, unknown][], global?: unknown) {
  const state: Record<string, unknown> = {
    use_global_cursor: false,
    states: entries.map(([id, value]) => ({ partition: { parent_id: id }, cursor: { [field]: value } })),
  };
  if (global !== undefined) state.state = { [field]: global };
  return state;
}

const CHILD = { hasParent: true, partitionFields: ['parent_id'] };

t.test('incremental child: one cursor per partition, promoted when the partition completes', async (t) => {
  const { checkpoint, logs } = make({ cursor: TIME, ...CHILD }, 'incremental', {
    states: [
      { partition: { parent_id: 'p1' }, cursor: { created_at: '2024-01-10T00:00:00Z' } },
      { partition: { parent_id: 'p2' }, cursor: { created_at: 42 } },
      { partition: { parent_id: 'p3' }, cursor: { created_at: '2024-01-01T00:00:00Z' } },
    ],
    state: { created_at: '2024-01-10T00:00:00Z' },
  });
  t.same(logs, []);
  t.notOk(checkpoint.accept(at(10), 'p1'));
  t.ok(checkpoint.accept(at(11), 'p1'));
  t.ok(checkpoint.accept(at(3), 'p2'), 'an unusable saved value is ignored: p2 starts over');
  t.ok(checkpoint.accept(at(2), 'p9'), 'a new partition starts over: the global value is not applied to a parent missing from states');
  t.same(checkpoint.completePartition('p1'), {
    state: perPartition('created_at', [['p1', '2024-01-11T00:00:00Z'], ['p3', '2024-01-01T00:00:00Z']], '2024-01-10T00:00:00Z'),
    recordCount: 3,
  });
  t.same(checkpoint.completePartition('p2'), {
    state: perPartition('created_at', [['p1', '2024-01-11T00:00:00Z'], ['p3', '2024-01-01T00:00:00Z'], ['p2', '2024-01-03T00:00:00Z']], '2024-01-10T00:00:00Z'),
    recordCount: 0,
  }, 'the global value moves only when the stream completes (the CDK advances it at the end too)');
  t.ok(checkpoint.accept(at(20), 'p3'));
  t.same(
    checkpoint.complete(),
    { state: perPartition('created_at', [['p1', '2024-01-11T00:00:00Z'], ['p2', '2024-01-03T00:00:00Z']], '2024-01-11T00:00:00Z'), recordCount: 1 },
    'the final state keeps only partitions completed this sync: p3 (not finished) and p9 are not vouched for',
  );
});

t.test('incremental child: the partition object holds the parent keys as the engine gives them', async (t) => {
  const { checkpoint } = make({ cursor: ID, hasParent: true, partitionFields: ['registry_name', 'repository_name'] }, 'incremental');
  t.ok(checkpoint.accept({ id: 4 }, '["r","a/b"]'));
  t.ok(checkpoint.accept({ id: 9 }, '300'));
  checkpoint.completePartition('["r","a/b"]', { registry_name: 'r', repository_name: 'a/b' });
  const state = checkpoint.completePartition('300', { registry_name: 300, repository_name: 'x' })?.state;
  t.same(state?.states, [
    { partition: { registry_name: 'r', repository_name: 'a/b' }, cursor: { id: 4 } },
    { partition: { registry_name: 300, repository_name: 'x' }, cursor: { id: 9 } },
  ], 'values keep their types (a numeric id stays a number)');
  t.notOk('state' in (state ?? {}), 'no global value before the stream completes, when none was given');
  t.same(checkpoint.complete().state.state, { id: 9 }, 'the global value is the highest of every partition');
});

t.test('incremental child: a CDK state round-trips, multi-key partitions included', async (t) => {
  const input = {
    use_global_cursor: false,
    states: [{ partition: { registry_name: 'r', repository_name: 'a/b', parent_slice: {} }, cursor: { id: 4 } }],
    state: { id: 4 },
    lookback_window: 0,
  };
  const { checkpoint, logs } = make({ cursor: ID, hasParent: true, partitionFields: ['registry_name', 'repository_name'] }, 'incremental', input);
  t.same(logs, []);
  t.equal(checkpoint.resumeFrom('["r","a/b"]'), '4', 'the partition is found by its key fields (other keys such as parent_slice are ignored)');
  t.notOk(checkpoint.accept({ id: 4 }, '["r","a/b"]'));
  t.same(checkpoint.completePartition('["r","a/b"]')?.state, {
    use_global_cursor: false,
    states: [{ partition: { registry_name: 'r', repository_name: 'a/b' }, cursor: { id: 4 } }],
    state: { id: 4 },
  });
});

t.test('incremental child: the older {"partitions": …} form is migrated', async (t) => {
  const { checkpoint, logs } = make({ cursor: TIME, ...CHILD }, 'incremental', {
    partitions: { p1: '2024-01-10T00:00:00Z', p2: 'soon' },
  });
  t.same(logs, [], 'no WARN: the saved positions are kept');
  t.notOk(checkpoint.accept(at(10), 'p1'), 'p1 resumes where it was');
  t.ok(checkpoint.accept(at(1), 'p2'), 'an unusable value starts that parent over');
  t.same(checkpoint.completePartition('p1', { parent_id: 'p1' })?.state, perPartition('created_at', [['p1', '2024-01-10T00:00:00Z']]));
  const multi = make({ cursor: ID, hasParent: true, partitionFields: ['a', 'b'] }, 'incremental', { partitions: { '["x",2]': 5 } }).checkpoint;
  t.same(multi.completePartition('other')?.state.states, [{ partition: { a: 'x', b: 2 }, cursor: { id: 5 } }], 'a JSON-list key is split into its fields');
});

t.test('incremental child: a global state alone applies to every parent, as in the CDK', async (t) => {
  for (const input of [{ state: { created_at: '2024-01-10T00:00:00Z' } }, { created_at: '2024-01-10T00:00:00Z' }, perPartition('created_at', [['p1', '2024-01-01T00:00:00Z']], '2024-01-10T00:00:00Z')]) {
    if ('states' in input) (input as Record<string, unknown>).use_global_cursor = true;
    const { checkpoint, logs } = make({ cursor: TIME, ...CHILD }, 'incremental', input);
    t.same(logs, []);
    t.notOk(checkpoint.accept(at(10), 'p1'), `${JSON.stringify(input)}: p1 is not read before the global value`);
    t.notOk(checkpoint.accept(at(5), 'new'), 'nor is a parent never seen');
    t.ok(checkpoint.accept(at(12), 'new'));
    checkpoint.completePartition('p1');
    t.same(
      checkpoint.complete().state,
      perPartition('created_at', [['p1', '2024-01-10T00:00:00Z']], '2024-01-10T00:00:00Z'),
      'written back per partition: a parent without new records keeps the global position',
    );
  }
});

t.test('incremental child: a parent gone since the last sync is dropped from the final state', async (t) => {
  const { checkpoint } = make({ cursor: ID, ...CHILD }, 'incremental', perPartition('id', [['gone', 5], ['kept', 7]], 7));
  t.notOk(checkpoint.accept({ id: 7 }, 'kept'));
  t.same(checkpoint.completePartition('kept')?.state, perPartition('id', [['gone', 5], ['kept', 7]], 7), 'intermediate states keep every saved partition');
  t.same(checkpoint.complete(), { state: perPartition('id', [['kept', 7]], 7), recordCount: 0 });
});

t.test('openWhile: the cursor stays just below the oldest record that may still change', async (t) => {
  const cursor = { ...TIME, openWhile: { field: 'status', values: ['in-progress'] } };
  const { checkpoint } = make({ cursor }, 'incremental', { created_at: '2024-01-02T00:00:00Z' });
  t.ok(checkpoint.accept(at(5, { status: 'completed' })));
  t.ok(checkpoint.accept(at(7, { status: 'in-progress' })));
  t.ok(checkpoint.accept(at(6, { status: 'in-progress' })));
  t.ok(checkpoint.accept(at(9, { status: 'errored' })));
  t.same(checkpoint.complete(), { state: { created_at: '2024-01-05T23:59:59.999Z' }, recordCount: 4 });

  const next = make({ cursor }, 'incremental', { created_at: '2024-01-05T23:59:59.999Z' }).checkpoint;
  t.ok(next.accept(at(6, { status: 'completed' })), 'the open record is read again');
  t.ok(next.accept(at(9, { status: 'errored' })));
  t.same(next.complete().state, { created_at: '2024-01-09T00:00:00Z' }, 'and the cursor moves on once it has settled');

  const ids = make({ cursor: { ...ID, openWhile: { field: 'status', values: ['in-progress'] } } }, 'incremental', { id: 10 }).checkpoint;
  t.ok(ids.accept({ id: 11, status: 'in-progress' }));
  t.ok(ids.accept({ id: 12, status: 'done' }));
  t.same(ids.complete().state, { id: 10 }, 'never moves backwards, never past an open record');
});

t.test('wrong-shape state: WARN, and the stream is read from the start', async (t) => {
  const cases: [string, Partial<StreamShape>, SyncMode, Record<string, unknown>][] = [
    ['incremental, another field', { cursor: TIME }, 'incremental', { updated_at: '2024-01-10T00:00:00Z' }],
    ['incremental, wrong value type', { cursor: TIME }, 'incremental', { created_at: 20240110 }],
    ['incremental integer, string value', { cursor: ID }, 'incremental', { id: 'ten' }],
    ['incremental child, cursor of another field', { cursor: TIME, ...CHILD }, 'incremental', { updated_at: '2024-01-10T00:00:00Z' }],
    ['incremental, per-partition shape on a parentless stream', { cursor: TIME }, 'incremental', { partitions: { p: '2024-01-10T00:00:00Z' } }],
    ['full refresh without cursor', {}, 'full_refresh', { anything: 1 }],
    ['partitions_done on a parentless stream', {}, 'full_refresh', { partitions_done: ['p1'] }],
    ['partitions_done not a list', { hasParent: true }, 'full_refresh', { partitions_done: 'p1' }],
  ];
  for (const [label, shape, mode, input] of cases) {
    const { checkpoint, logs } = make(shape, mode, input);
    t.equal(logs.length, 1, `${label}: one log line`);
    t.equal(logs[0]?.[0], 'WARN', label);
    t.match(logs[0]?.[1], /'s'.*from the start/, `${label}: names the stream`);
    t.ok(checkpoint.accept(at(1), 'p1'), `${label}: old records are read again`);
    t.notOk(checkpoint.isDone('p1'), `${label}: nothing is marked done`);
  }
});

t.test('known shapes that mean nothing in this mode are dropped without a WARN', async (t) => {
  const child = make({ cursor: TIME, hasParent: true }, 'incremental', { partitions_done: ['p1'] });
  t.same(child.logs, []);
  t.notOk(child.checkpoint.isDone('p1'), 'a full-refresh marker does not skip partitions of an incremental read');
  const full = make({ cursor: TIME, hasParent: true }, 'full_refresh', { partitions: { p1: '2024-01-10T00:00:00Z' } });
  t.same(full.logs, []);
  t.ok(full.checkpoint.accept(at(1), 'p1'));
  const cdk = make({ cursor: TIME, ...CHILD }, 'full_refresh', perPartition('created_at', [['p1', '2024-01-10T00:00:00Z']]));
  t.same(cdk.logs, []);
  t.ok(cdk.checkpoint.accept(at(1), 'p1'), 'an incremental state does not filter a full refresh');
  t.same(make({ cursor: TIME }, 'incremental', {}).logs, [], 'an empty state is no state');
});

t.test('with many parents, partition checkpoints are spaced in time, and none is lost', async (t) => {
  const checkpoint = new StreamCheckpoint({ name: 'child', hasParent: true }, 'full_refresh', undefined, undefined, () => undefined);
  let emitted = 0;
  let counted = 0;
  for (let p = 0; p < 250; p++) {
    checkpoint.accept({ id: p }, String(p));
    const done = checkpoint.completePartition(String(p), undefined, 1_000 + p * 10); // 10 ms per parent
    if (done) {
      emitted++;
      counted += done.recordCount;
    }
  }
  t.equal(emitted, 100, 'one per parent up to 100 entries, then none within 5 s (the last 150 parents take 1.5 s)');
  const last = checkpoint.complete();
  t.equal(counted + last.recordCount, 250, 'recordCount still adds up to every record');
  t.same(last.state, {}, 'the final state clears the markers');
});
