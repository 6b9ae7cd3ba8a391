import t from 'tap';
import { dueHour, ParentSlots, PlannedCheckpoint, shortDigest, slotOf, SLOTS_KEY } from '../../src/state/rotation.js';

t.test('a parent comes due again within its bound, on its own slot', async (t) => {
  for (const hours of [1, 6, 24, 168]) {
    for (const key of ['1', '300000001', 'b73f3993-d100-4693-9fa3-2069ed387f5f']) {
      for (const last of [0, 5, 1_000_003]) {
        const due = dueHour(key, last, hours);
        t.ok(due > last && due <= last + hours, `${key} read at ${last}, bound ${hours}: due at ${due}`);
        t.equal(due % hours, slotOf(key, hours) % hours, 'on its slot');
      }
    }
  }
});

t.test('parents first read together come due spread evenly over the bound', async (t) => {
  const hours = 168;
  const perHour = new Array<number>(hours).fill(0);
  for (let i = 0; i < 10_000; i++) perHour[dueHour(String(300_000_000 + i), 0, hours) - 1]++;
  const mean = 10_000 / hours;
  t.ok(Math.max(...perHour) < mean * 1.6, `busiest hour ${Math.max(...perHour)} against a mean of ${mean.toFixed(1)}`);
  t.ok(Math.min(...perHour) > mean * 0.4, `quietest hour ${Math.min(...perHour)}`);
});

t.test('slots: read, kept, and parents gone dropped at the end only', async (t) => {
  const saved = new ParentSlots({ [SLOTS_KEY]: { a: 'k0', b: 'k1.abcdefghij', gone: 'k2', bad: 'not a slot!' } });
  t.equal(saved.lastRead('a'), parseInt('k0', 36));
  t.equal(saved.savedDigest('b'), 'abcdefghij');
  t.equal(saved.lastRead('bad'), undefined, 'a malformed slot is a new parent');
  saved.read('a', 100, 'digest0001');
  saved.keep('b');
  saved.keep('never-read');
  t.same(saved.toState(false), { a: (100).toString(36) + '.digest0001', b: 'k1.abcdefghij', gone: 'k2' }, 'mid-sync: the slots not reached yet stay');
  t.same(saved.toState(true), { a: (100).toString(36) + '.digest0001', b: 'k1.abcdefghij' }, 'final: only parents that still exist');
});

t.test('a planned stream without a cursor: slots and the listing time as its global cursor', async (t) => {
  const shape = { name: 'droplet_kernels', listedAtField: '_parent_listed_at', partitionFields: ['droplet_id'] };
  const log: string[] = [];
  const checkpoint = new PlannedCheckpoint(shape, { [SLOTS_KEY]: { 2: 'a' } }, undefined, (_, m) => log.push(m));
  t.ok(checkpoint.accept({ id: 1 }, '1'));
  checkpoint.keep('2');
  checkpoint.partitionRead('1', { droplet_id: 1 }, 36, shortDigest(['img', 7]), '2026-12-03T12:00:00.000Z');
  const done = checkpoint.complete();
  t.same(done.state, { [SLOTS_KEY]: { 1: `${(36).toString(36)}.${shortDigest(['img', 7])}`, 2: 'a' }, state: { _parent_listed_at: '2026-12-03T12:00:00.000Z' } });
  t.equal(done.recordCount, 0, 'the record was counted by the partition checkpoint before');
  t.same(log, []);
});

t.test('a planned stream with a cursor of its own keeps its per-partition cursors beside the slots', async (t) => {
  const shape = { name: 'droplet_backups', cursor: { field: 'created_at', kind: 'datetime' as const }, listedAtField: '_parent_listed_at', partitionFields: ['droplet_id'] };
  const input = {
    use_global_cursor: false,
    states: [{ partition: { droplet_id: 1 }, cursor: { created_at: '2026-01-01T00:00:00Z' } }, { partition: { droplet_id: 2 }, cursor: { created_at: '2026-02-01T00:00:00Z' } }],
    [SLOTS_KEY]: { 1: 'a', 2: 'b' },
  };
  const checkpoint = new PlannedCheckpoint(shape, input, undefined, () => undefined);
  t.notOk(checkpoint.accept({ created_at: '2025-12-01T00:00:00Z' }, '1'), 'an old record is held back by its cursor');
  t.ok(checkpoint.accept({ created_at: '2026-03-01T00:00:00Z' }, '1'));
  checkpoint.partitionRead('1', { droplet_id: 1 }, 40, undefined, '2026-12-03T12:00:00.000Z');
  checkpoint.keep('2');
  const state = checkpoint.complete().state as { states: { partition: unknown; cursor: unknown }[]; parent_reads: unknown };
  t.same(state.states, [
    { partition: { droplet_id: 1 }, cursor: { created_at: '2026-03-01T00:00:00Z' } },
    { partition: { droplet_id: 2 }, cursor: { created_at: '2026-02-01T00:00:00Z' } },
  ], 'the parent kept unread keeps its cursor');
  t.same(state.parent_reads, { 1: (40).toString(36), 2: 'b' });
});
