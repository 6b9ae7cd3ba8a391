import type { SyncMode } from '../protocol/messages.js';
import type { StateEmitter } from '../state/emitter.js';
import type { Logger } from '../state/input.js';
import { StreamCheckpoint } from '../state/stream-checkpoint.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import type { ParentCollector, ParentRegistry } from './parents.js';
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
    const partitions = def.parent ? await parents.partitionsOf(def) : [undefined];
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
    const removed = await walkStream(def, partitions, ctx, {
      // A stream that feeds configured descendants (scans' findings feed their affected resources) reads
      // its finished partitions again without emitting them: the descendants' unfinished partitions come
      // from those records.
      skip: def.parent && !collector ? resumed : undefined,
      onPage: async (records, partition, total) => {
        // Each series of pages (a variant, a date window) announces its own total: they add up.
        if (total !== undefined && !def.parent) await writer.estimate(stream, (estimated += total));
        collector?.add(records);
        if (def.parent && collector && resumed(partition)) return;
        const emittedAt = Date.now();
        for (const data of records) {
          if (!checkpoint.accept(data, partition)) continue;
          const pending = writer.record(stream, data, emittedAt);
          if (pending) await pending;
        }
      },
      onPartitionDone: def.parent
        ? (partition, keys) => {
            if (collector && resumed(partition)) return;
            const done = checkpoint.completePartition(partition, keys);
            if (done) return states.emit(stream, done);
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
