import { ApiError } from '../http/errors.js';
import type { FailureType } from '../protocol/messages.js';
import { StateEmitter } from '../state/emitter.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { announceCost } from './cost.js';
import { isNeededBy, ParentFailed, ParentRegistry } from './parents.js';
import { forEachConcurrent } from './pool.js';
import { readStream, type StreamJob } from './read-stream.js';
import { SyncAborted } from './walk.js';

export interface ReadOutcome {
  failedStreams: string[];
}

/** How many ancestors a stream has: parents are scheduled before their children, so a child never waits on a parent that has not started. */
function depth(def: StreamDef, byName: ReadonlyMap<string, StreamJob>): number {
  let d = 0;
  for (let link = def.parent; link; d++) link = byName.get(link.stream)?.def.parent;
  return d;
}

interface Failure {
  message: string;
  failureType: FailureType;
  internal?: string;
}

/** A sentence a user can act on, for a stream that could not be read. */
export function describeFailure(def: StreamDef, error: unknown): Failure {
  if (error instanceof ParentFailed) {
    const inner = describeFailure(def, error.parentError);
    return { ...inner, message: `Stream '${def.name}' was not read because ${error.message}: ${inner.message}` };
  }
  if (error instanceof ApiError) {
    const detail = error.apiMessage ? ` DigitalOcean said: "${error.apiMessage}"` : '';
    if (error.kind === 'forbidden') {
      const scope = def.scope ? `the scope '${def.scope}'` : 'a scope DigitalOcean did not name';
      return {
        message: `Stream '${def.name}' needs ${scope}, which the API token lacks (403 on GET ${error.path}). Add the scope to the token, or deselect the stream.`,
        failureType: 'config_error',
      };
    }
    return { message: `Stream '${def.name}' failed: ${error.message}${detail}`, failureType: error.failureType };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { message: `Stream '${def.name}' failed: ${text}`, failureType: 'system_error', internal: text };
}

function isFatal(error: unknown): boolean {
  const root = error instanceof ParentFailed ? error.parentError : error;
  return root instanceof ApiError && root.kind === 'unauthorized';
}

/**
 * Reads the configured streams, `concurrency` at a time, parents before children. A failing stream is
 * reported (INCOMPLETE + TRACE ERROR) and the others go on; a rejected token stops everything.
 */
export async function runRead(jobs: readonly StreamJob[], ctx: EngineContext, startDate: string | undefined): Promise<ReadOutcome> {
  const byName = new Map(jobs.map((job) => [job.def.name, job] as const));
  const parents = new ParentRegistry(ctx);
  for (const job of jobs) {
    if (isNeededBy(job.def.name, jobs.map((other) => other.def))) job.collector = parents.collectorFor(job.def.name);
  }
  const cost = announceCost(
    jobs.map((job) => job.def),
    (def) => parents.partitionsOf(def),
    ctx,
    startDate,
  );
  const ordered = [...jobs].sort((a, b) => depth(a.def, byName) - depth(b.def, byName));
  const states = new StateEmitter(ctx.writer);
  const failedStreams: string[] = [];
  let fatalReported = false;

  await forEachConcurrent(ordered, ctx.concurrency, async (job) => {
    const { def } = job;
    if (ctx.abort.signal.aborted) {
      job.collector?.fail(new SyncAborted());
      return;
    }
    await ctx.writer.status(def.name, 'STARTED');
    try {
      await readStream(job, ctx, parents, states, startDate);
      await ctx.writer.status(def.name, 'COMPLETE');
    } catch (error) {
      failedStreams.push(def.name);
      await ctx.writer.status(def.name, 'INCOMPLETE');
      if (error instanceof SyncAborted || (error instanceof ParentFailed && error.parentError instanceof SyncAborted)) return;
      if (isFatal(error)) {
        ctx.abort.abort();
        if (fatalReported) return;
        fatalReported = true;
      }
      const failure = describeFailure(def, error);
      await ctx.writer.error(failure.message, failure.failureType, { stream: def.name, internal: failure.internal });
    }
  });
  await cost;
  return { failedStreams };
}
