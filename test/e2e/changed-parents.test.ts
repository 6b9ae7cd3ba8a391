import t, { type Test } from 'tap';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi } from '../../fake-api/server.js';
import { readCli } from '../helpers/e2e.js';
import { errorTraces, records, states } from '../helpers/protocol.js';

/**
 * The syncs of a test happen within one hour of the plan's clock (src/runtime.ts planClock), so that
 * no rotation slot comes due between them: what is read is what changed.
 */
const SAME_HOUR = { SOURCE_DIGITALOCEAN_CLOCK_START: String(1_800_000_000_000) };

/** The parent slots of a state (src/state/rotation.ts): hour and change digest per parent read. */
function slotsOf(message: { stream: { stream_state: unknown } }): Record<string, string> {
  return (message.stream.stream_state as { parent_reads?: Record<string, string> }).parent_reads ?? {};
}

/** A copy of a state message in which one parent's change digest differs from its parent's. */
function withChangedDigest<T extends { stream: { stream_state: unknown } }>(message: T, parent: string): T {
  const copy = JSON.parse(JSON.stringify(message)) as T;
  const slots = (copy.stream.stream_state as { parent_reads: Record<string, string> }).parent_reads;
  slots[parent] = `${slots[parent].split('.')[0]}.changed000`;
  return copy;
}

/** An incremental read of `streams` (from `state` when given), its messages and the server's counts. */
function reader(t: Test, api: FakeApi, streams: string[]) {
  return async (state: unknown[] | undefined, exhaustive = false) => {
    api.resetStats();
    const config = { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, exhaustive_fanout: exhaustive };
    const run = await readCli({ config, streams, mode: 'incremental', state }, { env: SAME_HOUR });
    t.equal(run.code, 0, `exit 0 (${run.stderr.slice(0, 200)})`);
    t.same(errorTraces(run.messages), []);
    return { run, stats: api.stats() };
  };
}

/**
 * Freshness `changeHinted` on ParentLink.changeHint: an incremental sync requests a Droplet's backups or
 * snapshots only when the Droplet's backup_ids / snapshot_ids changed since the last sync (a digest per
 * parent in the state's slots), or when its backstop slot comes due (not within one hour here).
 */
t.test('an incremental child requests only the parents whose change hint moved', async (t) => {
  const api = await startFakeApi({ seed: 5, scale: 60, rateLimits: false });
  t.teardown(() => api.close());
  const streams = ['droplet_backups', 'droplet_snapshots'];
  const read = reader(t, api, streams);

  const first = await read(undefined);
  const finalStates = streams.map((s) => states(first.run.messages, s).at(-1)!);
  const withParents = (s: string): number => new Set(records(first.run.messages, s).map((r) => r.droplet_id)).size;
  for (const [i, s] of streams.entries()) {
    const slots = slotsOf(finalStates[i]);
    t.equal(Object.keys(slots).length, withParents(s), `${s}: one slot per parent read`);
    t.ok(Object.values(slots).every((slot) => /^[0-9a-z]+\.[\w-]{10}$/.test(slot)), `${s}: each an hour and a digest`);
    t.equal(first.stats.byStream[s], withParents(s), `${s}: the first sync asks each Droplet with ids once`);
  }

  const second = await read(finalStates);
  for (const s of streams) {
    t.equal(second.stats.byStream[s] ?? 0, 0, `${s}: nothing changed, nothing requested`);
    t.same(records(second.run.messages, s), [], `${s}: and nothing emitted`);
  }
  const again = streams.map((s) => states(second.run.messages, s).at(-1)!);
  t.same(again.map(slotsOf), finalStates.map(slotsOf), 'the skipped parents keep their slots');
  t.same(
    again.map((m) => (m.stream.stream_state as { states?: unknown }).states),
    finalStates.map((m) => (m.stream.stream_state as { states?: unknown }).states),
    'and their cursors',
  );

  // One Droplet's backup_ids "changed": only it is asked again, and its old backups are not re-emitted.
  const [one] = Object.keys(slotsOf(finalStates[0]));
  const third = await read([withChangedDigest(finalStates[0], one), finalStates[1]]);
  t.equal(third.stats.byStream.droplet_backups, 1, 'exactly the changed parent is requested');
  t.ok(third.stats.log.some((e) => e.url.includes(`/v2/droplets/${one}/backups`)), `and it is Droplet ${one}`);
  t.equal(third.stats.byStream.droplet_snapshots ?? 0, 0, 'the other stream is untouched');
  t.same(records(third.run.messages, 'droplet_backups'), [], 'its cursor still holds back the records already emitted');

  const exhaustive = await read(finalStates, true);
  t.equal(exhaustive.stats.byStream.droplet_backups, 60, 'exhaustive_fanout asks every Droplet again');
  t.same(records(exhaustive.run.messages, 'droplet_backups'), [], 'and emits the same (nothing new)');
});

/**
 * ChangeHint.namedItems: volume_snapshots' change hint is the set of ids of the account-wide snapshots
 * naming each volume (its namedBy list), digested per volume like backup_ids.
 */
t.test('volume_snapshots: a volume is asked again only when the set of snapshots naming it changed', async (t) => {
  const api = await startFakeApi({ seed: 5, scale: 60, rateLimits: false });
  t.teardown(() => api.close());
  const read = reader(t, api, ['volume_snapshots']);
  type Checkpoint = { states?: unknown };
  const stateOf = (run: { messages: Parameters<typeof states>[0] }) => states(run.messages, 'volume_snapshots').at(-1)!;

  const first = await read(undefined);
  const expected = [...api.account.expectedRecords('volume_snapshots')];
  const named = new Set(expected.map((s) => String(s.volume_id)));
  t.ok(named.size > 0 && named.size < api.account.count('volumes'), `${named.size} of ${api.account.count('volumes')} volumes have snapshots`);
  t.equal(records(first.run.messages, 'volume_snapshots').length, expected.length, 'the first sync emits every volume snapshot');
  t.equal(first.stats.byStream.volume_snapshots, named.size, 'asking the named volumes only');
  const saved = stateOf(first.run);
  const digests = slotsOf(saved);
  t.same(Object.keys(digests).sort(), [...named].sort(), 'one slot per volume read');

  const second = await read([saved]);
  t.equal(second.stats.byStream.volume_snapshots ?? 0, 0, 'nothing changed, nothing requested');
  t.equal(second.stats.byPath['/v2/snapshots'], 1, 'the snapshots list alone is read');
  t.same(records(second.run.messages, 'volume_snapshots'), [], 'and nothing emitted');
  t.same(slotsOf(stateOf(second.run)), digests, 'the skipped volumes keep their slots');
  t.same((stateOf(second.run).stream.stream_state as Checkpoint).states, (saved.stream.stream_state as Checkpoint).states, 'and their cursors');

  // One volume's set "changed" (a snapshot taken or deleted since): only it is asked again.
  const [one] = Object.keys(digests);
  const third = await read([withChangedDigest(saved, one)]);
  t.equal(third.stats.byStream.volume_snapshots, 1, 'exactly the changed volume is requested');
  t.ok(third.stats.log.some((e) => e.url.includes(`/v2/volumes/${one}/snapshots`)), `and it is volume ${one}`);
  t.same(records(third.run.messages, 'volume_snapshots'), [], 'its cursor still holds back the records already emitted');

  const exhaustive = await read([saved], true);
  t.equal(exhaustive.stats.byStream.volume_snapshots, api.account.count('volumes'), 'exhaustive_fanout asks every volume again');
});
