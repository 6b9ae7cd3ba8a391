import { ApiError, internalMessageOf } from '../http/errors.js';
import { S3Error } from '../http/s3-error.js';
import type { FailureType } from '../protocol/messages.js';
import { StateEmitter } from '../state/emitter.js';
import { findStream } from '../streams/index.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { announceCost } from './cost.js';
import { isNeededBy, ParentFailed, ParentRegistry } from './parents.js';
import { DEFAULT_PLAN_OPTIONS, isPlanned, SyncPlanner } from './plan.js';
import { forEachConcurrent } from './pool.js';
import { readPlannedStream } from './read-planned.js';
import { readStream, type StreamJob } from './read-stream.js';
import { SpacesKeyMissing } from './s3.js';
import { SyncAborted } from './walk.js';

export interface ReadOutcome {
  failedStreams: string[];
}

const ancestry = new Map<string, string[]>();

/** The streams a stream is read through, nearest first (a grandchild: its parent, then the grandparent). */
function ancestors(def: StreamDef): string[] {
  // Asked for every pair of selected streams while a sync is planned: worked out once per stream.
  let names = ancestry.get(def.name);
  if (!names) {
    names = [];
    for (let link = def.parent; link && !names.includes(link.stream); link = findStream(link.stream)?.parent) names.push(link.stream);
    ancestry.set(def.name, names);
  }
  return names;
}

/** How many ancestors a stream has. */
function depth(def: StreamDef): number {
  return ancestors(def).length;
}

/**
 * The order streams start in: planned streams after everything their plan reads, and their descendants
 * after them (see below); within that, longest chain below first (a parent of grandchildren, then parents, then
 * the rest), so that the requests that must follow one another begin early and the independent lists
 * fill the gaps; within that, parents before children, so a child never waits on a parent that has
 * not started. Classic critical-path scheduling: a sync ends when its longest chain does.
 */
export function startOrder(jobs: readonly StreamJob[]): StreamJob[] {
  const selected = jobs.map((job) => job.def);
  const height = new Map<string, number>();
  const heightOf = (def: StreamDef): number => {
    const known = height.get(def.name);
    if (known !== undefined) return known;
    height.set(def.name, 0); // a cycle cannot recurse forever
    const below = selected.filter((other) => ancestors(other).includes(def.name)).map((other) => depth(other) - depth(def));
    const h = Math.max(0, ...below);
    height.set(def.name, h);
    return h;
  };
  // A planned stream waits for the sync's one plan, which waits for the parents and hint sources of every
  // planned stream (src/engine/plan.ts): each of those must have started before any planned stream holds a
  // slot, and a descendant of a planned stream (which waits for it) after it. Otherwise the slots can all
  // be held by streams waiting on a stream still queued.
  const planned = new Set(jobs.filter(isPlanned).map((job) => job.def.name));
  const phase = (def: StreamDef): number => (planned.has(def.name) ? 1 : ancestors(def).some((name) => planned.has(name)) ? 2 : 0);
  return jobs
    .map((job, index) => ({ job, index, phase: phase(job.def), height: heightOf(job.def), depth: depth(job.def) }))
    .sort((a, b) => a.phase - b.phase || b.height - a.height || a.depth - b.depth || a.index - b.index)
    .map((entry) => entry.job);
}

/** The configured streams that need `stream`'s records: descendants, and children whose hint lists it. */
export function waitersOf(stream: string, configured: readonly StreamDef[]): string[] {
  return configured
    .filter((def) => ancestors(def).includes(stream) || isNeededBy(stream, [def]))
    .map((def) => def.name);
}

interface Failure {
  message: string;
  failureType: FailureType;
  internal: string;
}

/** A sentence a user can act on, for a stream that could not be read. */
export function describeFailure(def: StreamDef, error: unknown): Failure {
  if (error instanceof ParentFailed) {
    const inner = describeFailure(def, error.parentError);
    return {
      ...inner,
      message: `Stream '${def.name}' was not read because ${error.message}: ${inner.message}`,
      internal: `ParentFailed '${error.parent}': ${inner.internal}`,
    };
  }
  const internal = internalMessageOf(error);
  if (error instanceof SpacesKeyMissing) return { message: error.message, failureType: 'config_error', internal };
  if (error instanceof S3Error) {
    // The Spaces key, not the token: a 403 here is a wrong, revoked or too narrow key.
    const hint = error.kind === 'forbidden' || error.kind === 'unauthorized' ? ' Check the Spaces key in the config (spaces_access_key_id, spaces_secret_access_key).' : '';
    return { message: `Stream '${def.name}' failed: ${error.message}${hint}`, failureType: hint ? 'config_error' : error.failureType, internal };
  }
  if (error instanceof ApiError) {
    const detail = error.apiMessage ? ` DigitalOcean said: "${error.apiMessage}"` : '';
    if (error.kind === 'forbidden') {
      const scope = def.scope ? `the scope '${def.scope}'` : 'a scope DigitalOcean did not name';
      return {
        message: `Stream '${def.name}' needs ${scope}, which the API token lacks (403 on GET ${error.path}). Add the scope to the token, or deselect the stream.`,
        failureType: 'config_error',
        internal,
      };
    }
    return { message: `Stream '${def.name}' failed: ${error.message}${detail}`, failureType: error.failureType, internal };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { message: `Stream '${def.name}' failed: ${text}`, failureType: 'system_error', internal };
}

function isFatal(error: unknown): boolean {
  const root = error instanceof ParentFailed ? error.parentError : error;
  // A rejected Spaces key concerns the Spaces streams only; a rejected token stops everything.
  return root instanceof ApiError && !(root instanceof S3Error) && root.kind === 'unauthorized';
}

/**
 * Reads the configured streams, `concurrency` at a time, longest chain first, parents before children.
 * A failing stream is reported (INCOMPLETE + TRACE ERROR) and the others go on; a rejected token stops
 * everything.
 */
export async function runRead(jobs: readonly StreamJob[], ctx: EngineContext, startDate: string | undefined): Promise<ReadOutcome> {
  const defs = jobs.map((job) => job.def);
  const parents = new ParentRegistry(ctx, (stream) => waitersOf(stream, defs));
  for (const job of jobs) {
    // Needed by a configured child, by a configured grandchild whose parent is read silently through
    // it, or as the list a child's fan-out hint reads (firewalls name the Droplets that have some):
    // either way its own read hands its records on, and it is never requested twice.
    const isNeeded = jobs.some((other) => ancestors(other.def).includes(job.def.name)) || isNeededBy(job.def.name, defs);
    if (isNeeded) job.collector = parents.collectorFor(job.def.name);
  }
  const planning = ctx.planning ?? DEFAULT_PLAN_OPTIONS;
  // Incremental child streams with a freshness class read the parents their plan picks (src/engine/plan.ts).
  const planner = new SyncPlanner(jobs, parents, ctx, planning, startDate);
  const cost = announceCost(
    jobs.map((job) => job.def),
    async (def) => (await planner.plannedPartitions(def)) ?? parents.partitionsOf(def),
    ctx,
    startDate,
  );
  const ordered = startOrder(jobs);
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
      const plan = planner.planOf(def.name);
      if (plan) await readPlannedStream(job, ctx, states, await plan.catch((error: unknown) => { job.collector?.fail(error); throw error; }), planning.now);
      else await readStream(job, ctx, parents, states, startDate);
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
