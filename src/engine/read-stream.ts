import type { SyncMode } from '../protocol/messages.js';
import type { PartitionKeys } from '../records/shape.js';
import type { StateEmitter } from '../state/emitter.js';
import type { Logger } from '../state/input.js';
import { StreamCheckpoint } from '../state/stream-checkpoint.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { changeHintLabel } from './hints.js';
import type { ParentCollector, ParentRegistry } from './parents.js';
import { partitionId } from './partitions.js';
import { walkStream } from './walk.js';

export interface StreamJob {
  def: StreamDef;
  mode: SyncMode;
  inputState: Record<string, unknown> | undefined;
  /** Set when configured children need this stream's records as their parents. */
  collector?: ParentCollector;
}

/**
 * Reads one configured stream and emits it: STARTED, RUNNING, records, states, COMPLETE. Failures are
 * thrown to the caller, which reports them; the collector (if any) learns of them first.
 */
export async function readStream(
  job: StreamJob,
  ctx: EngineContext,
  parents: ParentRegistry,
  states: StateEmitter,
  startDate: string | undefined,
): Promise<void> {
  const { def, collector } = job;
  const { writer } = ctx;
  const log: Logger = ctx.log;
  const checkpoint = new StreamCheckpoint(
    { name: def.name, cursor: def.cursor, hasParent: def.parent !== undefined, partitionFields: def.parent ? Object.keys(def.parent.keys) : undefined },
    job.mode,
    job.inputState,
    startDate,
    log,
  );
  try {
    let partitions: (PartitionKeys | undefined)[] = def.parent ? await parents.partitionsOf(def) : [undefined];
    // An incremental child skips the parents whose change hint is the one it last finished them with.
    const digests = checkpoint.incremental && !ctx.exhaustiveFanout && def.parent?.changeHint ? await parents.changeDigestsOf(def) : undefined;
    if (digests && def.parent) {
      const before = partitions.length;
      partitions = partitions.filter((keys) => {
        const id = partitionId(keys);
        const digest = digests.get(id);
        return digest === undefined || !checkpoint.unchangedParent(id, digest);
      });
      log('INFO', `Stream '${def.name}': ${partitions.length} of ${before} parents requested; for the others, ${changeHintLabel(def.parent)} is unchanged since the last sync.`);
    }
    await writer.status(def.name, 'RUNNING');
    const stream = def.name;
    let estimated = 0;
    // Partitions an interrupted sync finished (full refresh). Asked once per partition, before any of its
    // pages, so a partition finished during this run is not mistaken for one finished before it.
    const finishedBefore = new Map<string, boolean>();
    const resumed = (partition: string): boolean => {
      let done = finishedBefore.get(partition);
      if (done === undefined) finishedBefore.set(partition, (done = checkpoint.isDone(partition)));
      return done;
    };
    // A child stream's size is known only as its parents are read: extrapolate from those done, about
    // ten times over the stream, so that progress stays visible in a long fan-out.
    let partitionsRead = 0;
    let childRecords = 0;
    const estimateEvery = Math.max(1, Math.ceil(partitions.length / 10));
    const removed = await walkStream(def, partitions, ctx, {
      // A stream that feeds configured descendants (scans' findings feed their affected resources) reads
      // its finished partitions again without emitting them: the descendants' unfinished partitions come
      // from those records.
      skip: def.parent && !collector ? resumed : undefined,
      onPage: async (records, partition, total) => {
        collector?.add(records);
        if (def.parent && collector && resumed(partition)) return;
        childRecords += records.length;
        const emittedAt = Date.now();
        for (const data of records) {
          if (!checkpoint.accept(data, partition)) continue;
          const pending = writer.record(stream, data, emittedAt);
          if (pending) await pending;
        }
        // Each series of pages (a variant, a date window) announces its own total: they add up. After the
        // page's records, so that the byte estimate rests on records of this stream.
        if (total !== undefined && !def.parent) {
          estimated += total;
          await writer.estimate(stream, estimated);
        }
      },
      onPartitionDone: def.parent
        ? async (partition, keys) => {
            if (collector && resumed(partition)) return;
            const digest = digests?.get(partition);
            if (digest !== undefined) checkpoint.noteDigest(partition, digest);
            const done = checkpoint.completePartition(partition, keys);
            if (done) await states.emit(stream, done);
            if (++partitionsRead % estimateEvery === 0 || partitionsRead === partitions.length) {
              await writer.estimate(stream, Math.round((childRecords / partitionsRead) * partitions.length));
            }
          }
        : undefined,
      windowStart: def.dateWindows ? (partition) => checkpoint.resumeFrom(partition) ?? startDate : undefined,
    });
    if (removed) log('INFO', removed);
    await states.emit(stream, checkpoint.complete());
    collector?.finish();
  } catch (error) {
    collector?.fail(error);
    throw error;
  }
}
