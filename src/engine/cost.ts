/**
 * The cost of a sync, said up front: once every child stream's parents are known, one LOG line gives
 * the fewest requests the sync needs and the time that implies under DigitalOcean's limits.
 */
import type { PartitionKeys } from '../records/shape.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { dateWindows } from './partitions.js';

/** The request budget the sync runs under (config and DigitalOcean's quota). */
export interface Budget {
  requestsPerMinute: number;
  requestsPerHour: number;
  /** The hourly quota left, from the last `ratelimit-remaining` header; undefined before any answer. */
  remaining(): number | undefined;
  /** Requests made so far by this command. */
  made(): number;
}

/** Request series of one partition: one per query variant and date window (pages come on top). */
function seriesPerPartition(def: StreamDef, startDate: string | undefined, now: number): number {
  // Counted, not kept: the windows are bounded by their floor (a few hundred at most).
  let windows = 0;
  for (const _ of dateWindows(def, startDate, now)) windows++;
  return (def.variants?.length ?? 1) * windows;
}

/** Fewest requests: one per series of every top-level stream, one per series of every admitted parent. */
export function requestsNeeded(
  streams: readonly { def: StreamDef; partitions?: readonly PartitionKeys[] }[],
  startDate: string | undefined,
  now: number,
): number {
  let total = 0;
  for (const { def, partitions } of streams) total += (def.parent ? (partitions?.length ?? 0) : 1) * seriesPerPartition(def, startDate, now);
  return total;
}

/** Minutes `requests` take at `perMinute`, waiting for the hourly window once `remaining` is spent. */
export function minutesFor(requests: number, budget: Pick<Budget, 'requestsPerMinute' | 'requestsPerHour'>, remaining: number): number {
  const paced = requests / budget.requestsPerMinute;
  if (requests <= remaining) return paced;
  // Past the quota left, each further `requestsPerHour` requests wait for the hourly window to slide.
  const hoursWaited = Math.ceil((requests - remaining) / budget.requestsPerHour);
  return Math.max(paced, 60 * hoursWaited);
}

export function costLine(requests: number, made: number, budget: Budget): string {
  const remaining = budget.remaining() ?? budget.requestsPerHour;
  const left = Math.max(0, requests - made);
  const minutes = minutesFor(left, budget, remaining);
  const quota = left <= remaining ? `within the ${remaining} left of the hourly quota of ${budget.requestsPerHour}` : `more than the ${remaining} left of the hourly quota of ${budget.requestsPerHour}, so part of it waits for the hourly window`;
  return `This sync needs at least ${requests} requests (${made} made so far): at ${budget.requestsPerMinute} a minute, ${left} more take at least ${minutes.toFixed(1)} minutes, ${quota}.`;
}

/** Waits for the partitions of every child stream, then logs the cost line once. Never throws. */
export async function announceCost(
  defs: readonly StreamDef[],
  partitionsOf: (def: StreamDef) => Promise<PartitionKeys[]>,
  ctx: EngineContext,
  startDate: string | undefined,
): Promise<void> {
  const budget = ctx.budget;
  if (!budget) return;
  const streams = await Promise.all(
    defs.map(async (def) => ({ def, partitions: def.parent ? await partitionsOf(def).catch(() => [] as PartitionKeys[]) : undefined })),
  );
  if (ctx.abort.signal.aborted) return;
  ctx.log('INFO', costLine(requestsNeeded(streams, startDate, Date.now()), budget.made(), budget));
}
