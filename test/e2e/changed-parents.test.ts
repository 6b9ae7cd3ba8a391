import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { spawnCli } from '../helpers/e2e.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { errorTraces, records, states } from '../helpers/protocol.js';

/**
 * ParentLink.changeHint: an incremental sync requests a Droplet's backups or snapshots only when the
 * Droplet's backup_ids / snapshot_ids changed since the last sync (a digest per parent in the state).
 */
t.test('an incremental child requests only the parents whose change hint moved', async (t) => {
  const api = await startFakeApi({ seed: 5, scale: 60, rateLimits: false });
  t.teardown(() => api.close());
  const streams = ['droplet_backups', 'droplet_snapshots'];
  const read = async (state: unknown[] | undefined, exhaustive = false) => {
    api.resetStats();
    const files = writeInputs({
      'config.json': { api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, exhaustive_fanout: exhaustive },
      'catalog.json': catalogFor(streams, 'incremental'),
      ...(state ? { 'state.json': state } : {}),
    });
    const args = ['read', '--config', files['config.json'], '--catalog', files['catalog.json']];
    if (state) args.push('--state', files['state.json']);
    const run = await spawnCli(args);
    t.equal(run.code, 0, `exit 0 (${run.stderr.slice(0, 200)})`);
    t.same(errorTraces(run.messages), []);
    return { run, stats: api.stats() };
  };

  const first = await read(undefined);
  const finalStates = streams.map((s) => states(first.run.messages, s).at(-1)!);
  const withParents = (s: string): number => new Set(records(first.run.messages, s).map((r) => r.droplet_id)).size;
  for (const [i, s] of streams.entries()) {
    const digests = (finalStates[i].stream.stream_state as { parent_digests?: Record<string, string> }).parent_digests ?? {};
    t.equal(Object.keys(digests).length, withParents(s), `${s}: one digest per parent read`);
    t.equal(first.stats.byStream[s], withParents(s), `${s}: the first sync asks each Droplet with ids once`);
  }

  const second = await read(finalStates);
  for (const s of streams) {
    t.equal(second.stats.byStream[s] ?? 0, 0, `${s}: nothing changed, nothing requested`);
    t.same(records(second.run.messages, s), [], `${s}: and nothing emitted`);
  }
  const again = streams.map((s) => states(second.run.messages, s).at(-1)!);
  t.same(
    again.map((m) => (m.stream.stream_state as { parent_digests?: unknown }).parent_digests),
    finalStates.map((m) => (m.stream.stream_state as { parent_digests?: unknown }).parent_digests),
    'the skipped parents keep their digests',
  );
  t.same(
    again.map((m) => (m.stream.stream_state as { states?: unknown }).states),
    finalStates.map((m) => (m.stream.stream_state as { states?: unknown }).states),
    'and their cursors',
  );

  // One Droplet's backup_ids "changed": only it is asked again, and its old backups are not re-emitted.
  const changed = JSON.parse(JSON.stringify(finalStates)) as typeof finalStates;
  const digests = (changed[0].stream.stream_state as { parent_digests: Record<string, string> }).parent_digests;
  const [one] = Object.keys(digests);
  digests[one] = 'changed';
  const third = await read(changed);
  t.equal(third.stats.byStream.droplet_backups, 1, 'exactly the changed parent is requested');
  t.ok(third.stats.log.some((e) => e.url.includes(`/v2/droplets/${one}/backups`)), `and it is Droplet ${one}`);
  t.equal(third.stats.byStream.droplet_snapshots ?? 0, 0, 'the other stream is untouched');
  t.same(records(third.run.messages, 'droplet_backups'), [], 'its cursor still holds back the records already emitted');

  const exhaustive = await read(finalStates, true);
  t.equal(exhaustive.stats.byStream.droplet_backups, 60, 'exhaustive_fanout asks every Droplet again');
  t.same(records(exhaustive.run.messages, 'droplet_backups'), [], 'and emits the same (nothing new)');
});
