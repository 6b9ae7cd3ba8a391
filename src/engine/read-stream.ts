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
    { name: def.name, cursor: def.cursor, hasParent: def.parent !== undefined },
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
    // A child stream's size is known only as its parents are read: extrapolate from those done, about
    // ten times over the stream, so that progress stays visible in a long fan-out.
    let partitionsRead = 0;
    let childRecords = 0;
    const estimateEvery = Math.max(1, Math.ceil(partitions.length / 10));
    await walkStream(def, partitions, ctx, {
      skip: def.parent ? (partition) => checkpoint.isDone(partition) : undefined,
      onPage: async (records, partition, total) => {
        // Each series of pages (a variant, a date window) announces its own total: they add up.
        if (total !== undefined && !def.parent) await writer.estimate(stream, (estimated += total));
        collector?.add(records);
        childRecords += records.length;
        const emittedAt = Date.now();
        for (const data of records) {
          if (!checkpoint.accept(data, partition)) continue;
          const pending = writer.record(stream, data, emittedAt);
          if (pending) await pending;
        }
      },
      onPartitionDone: def.parent
        ? async (partition) => {
            const done = checkpoint.completePartition(partition);
            if (done) await states.emit(stream, done);
            if (++partitionsRead % estimateEvery === 0 || partitionsRead === partitions.length) {
              await writer.estimate(stream, Math.round((childRecords / partitionsRead) * partitions.length));
            }
          }
        : undefined,
      windowStart: def.dateWindows ? (partition) => checkpoint.resumeFrom(partition) ?? startDate : undefined,
    });
    await states.emit(stream, checkpoint.complete());
    collector?.finish();
  } catch (error) {
    collector?.fail(error);
    throw error;
  }
}
