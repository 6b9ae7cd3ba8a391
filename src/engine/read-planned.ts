import { withListedAt } from '../records/listed-at.js';
import { RecordShaper, type PartitionKeys, type Record_ } from '../records/shape.js';
import { auditDifference, describeDifference } from './audit.js';
import { partitionId } from './partitions.js';
import type { StateEmitter } from '../state/emitter.js';
import { injectsListedAt } from '../streams/freshness.js';
import type { EngineContext } from './context.js';
import type { StreamPlan } from './plan.js';
import type { StreamJob } from './read-stream.js';
import { walkStream } from './walk.js';

/**
 * Reads one incremental child stream on its plan (src/engine/plan.ts): only the parents planned, in
 * priority order, until the sync's request budget is spent; the others keep their slots and stay due.
 * Every record of a parent read carries the time its list was read, when the row has no cursor of its own.
 */
export async function readPlannedStream(job: StreamJob, ctx: EngineContext, states: StateEmitter, plan: StreamPlan, now: () => number): Promise<void> {
  const { def, collector } = job;
  const { writer } = ctx;
  const { checkpoint } = plan;
  const inject = injectsListedAt(def);
  try {
    await writer.status(def.name, 'RUNNING');
    /** Listing time per partition under way: taken at its first page, the same on all its pages. */
    const listedAt = new Map<string, string>();
    const stamp = (partition: string): string => {
      let at = listedAt.get(partition);
      if (at === undefined) listedAt.set(partition, (at = new Date(now()).toISOString()));
      return at;
    };
    let deferred = 0;
    let neverRead = 0;
    let partitionsRead = 0;
    let childRecords = 0;
    const estimateEvery = Math.max(1, Math.ceil(plan.read.length / 10));
    const emit = async (records: Record_[], partition: string): Promise<void> => {
      collector?.add(records);
      const at = stamp(partition);
      childRecords += records.length;
      const emittedAt = Date.now();
      for (const data of records) {
        if (inject) withListedAt(data, at);
        if (!checkpoint.accept(data, partition)) continue;
        const pending = writer.record(def.name, data, emittedAt);
        if (pending) await pending;
      }
    };
    const shaper = new RecordShaper(def);
    const derive = (partition: string, keys: PartitionKeys): Record_[] =>
      (plan.auditItems?.get(partition)?.items ?? []).map((item) => shaper.shape(structuredClone(item), keys));
    if (plan.derived) {
      // No request: the records are built from the lists this sync has read (Freshness.derivedFrom).
      for (const keys of plan.read) {
        const partition = partitionId(keys);
        await emit(derive(partition, keys), partition);
        const done = checkpoint.partitionRead(partition, keys, plan.hour, plan.digests.get(partition), stamp(partition));
        listedAt.delete(partition);
        if (done) await states.emit(def.name, done);
      }
      await writer.estimate(def.name, childRecords);
    }
    const removed = await walkStream(def, plan.derived ? [] : plan.read, ctx, {
      // The budget is spent (a stream read in full took more than estimated, pages beyond the first):
      // the parents not started keep their slots, still due, and go first next time.
      skip: (partition) => {
        if (plan.mustRead || !plan.spent()) return false;
        checkpoint.keep(partition);
        deferred++;
        if (checkpoint.slots.lastRead(partition) === undefined) neverRead++;
        return true;
      },
      onPage: (records, partition) => emit(records, partition),
      onPartitionDone: async (partition, keys) => {
        const at = stamp(partition);
        listedAt.delete(partition);
        const done = checkpoint.partitionRead(partition, keys, plan.hour, plan.digests.get(partition), at);
        if (done) await states.emit(def.name, done);
        if (++partitionsRead % estimateEvery === 0 || partitionsRead === plan.read.length) {
          await writer.estimate(def.name, Math.round((childRecords / partitionsRead) * plan.read.length));
        }
      },
    });
    if (removed) ctx.log('INFO', removed);
    if (plan.audit.length > 0) await audit(plan, derive, ctx);
    if (deferred > 0) {
      const fresh = neverRead > 0 ? ` (${neverRead} never read yet)` : '';
      ctx.log('WARN', `Stream '${def.name}': the sync's request budget is spent; ${deferred} planned parents were not read${fresh} and stay due for the next sync.`);
    }
    await states.emit(def.name, checkpoint.complete());
    collector?.finish();
  } catch (error) {
    collector?.fail(error);
    throw error;
  }
}

/**
 * A derived row's audit: a few parents requested for real and compared with their derived records. A
 * difference is a WARN naming the fields, and the row is read by request from the next sync on, until
 * an audit is clean again (the state's derived_fallback).
 */
async function audit(plan: StreamPlan, derive: (partition: string, keys: PartitionKeys) => Record_[], ctx: EngineContext): Promise<void> {
  const { def, checkpoint } = plan;
  const listed = new Map<string, Record_[]>();
  await walkStream(def, plan.audit, ctx, {
    onPage: (records, partition) => {
      const list = listed.get(partition);
      if (list) list.push(...records);
      else listed.set(partition, [...records]);
    },
  });
  const found: string[] = [];
  for (const keys of plan.audit) {
    const partition = partitionId(keys);
    const difference = auditDifference(def, derive(partition, keys), listed.get(partition) ?? []);
    if (difference) found.push(`parent ${partition}: ${describeDifference(difference)}`);
  }
  const was = checkpoint.derivedFallback;
  checkpoint.derivedFallback = found.length > 0;
  if (found.length > 0) {
    // The rows derived so far may be wrong anywhere: every parent is read by request, as new, next sync.
    checkpoint.slots.clear();
    ctx.log('WARN', `Stream '${def.name}': the audit of ${plan.audit.length} parent(s) found its derived records differ from the API's own list (${found.join('; ')}). The stream reads every parent by request from the next sync on, until an audit is clean again.`);
  } else if (was) {
    ctx.log('INFO', `Stream '${def.name}': the audit of ${plan.audit.length} parent(s) is clean again; its records are derived without requests from the next sync on.`);
  }
}
