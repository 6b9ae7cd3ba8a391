/**
 * The plan of an incremental sync's per-parent child streams (rows with StreamDef.freshness): which
 * parents are read this sync, from each row's class and bound and one request budget for the sync.
 * Generic over the rows: nothing here knows a stream by name.
 *
 * A parent is a candidate when it is new (no slot in the state), when its change digest differs from
 * the saved one, or when its rotation slot has come due (src/state/rotation.ts). The budget is cut in
 * priority order: what every sync reads anyway (top-level lists, streams read in full) first, then the
 * slots left due by an earlier sync or at their bound (oldest first: what did not fit goes first next
 * time), new parents, changed parents, and the other slots due this hour. Among equals, the stream with the shorter bound (the
 * higher security value) goes first. A candidate that does not fit keeps its old slot, so it is still
 * due next time.
 */
import type { PartitionKeys } from '../records/shape.js';
import { LISTED_AT_FIELD } from '../streams/freshness.js';
import { findStream } from '../streams/index.js';
import type { Freshness, StreamDef } from '../streams/types.js';
import { dueHour, PlannedCheckpoint, shortDigest, slotOf } from '../state/rotation.js';
import type { PartitionKeys as Keys, Record_ } from '../records/shape.js';
import type { EngineContext } from './context.js';
import { requestsNeeded } from './cost.js';
import type { ParentRegistry } from './parents.js';
import { partitionId } from './partitions.js';
import type { StreamJob } from './read-stream.js';

const HOUR_MS = 3_600_000;

/** The config's say in planning, and the clock hours are counted on. */
export interface PlanOptions {
  /** Requests one sync may make (config request_budget); absent: a share of the hourly quota. */
  requestBudget?: number;
  /** Every bound multiplied by this (config freshness_hours_scale). */
  hoursScale: number;
  /** Bounds set per stream, in hours (config freshness_hours). */
  hoursOverride: Readonly<Record<string, number>>;
  /** Now, in ms, and the length of an hour on that clock (compressed with the limiter's windows). */
  now(): number;
  hourMs: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { hoursScale: 1, hoursOverride: {}, now: () => Date.now(), hourMs: HOUR_MS };

/** Of DigitalOcean's hourly quota, the share one sync takes by default: the rest is the token's other tools'. */
export const DEFAULT_BUDGET_SHARE = 0.5;
/** Of the budget, kept back from the plan for requests no estimate sees (see compute). */
export const SLACK_SHARE = 0.03;
/** Never planned into: kept free of the quota DigitalOcean reports left, for the other tools. */
export const RESERVED_SHARE = 0.1;

export type Reason = 'new' | 'changed' | 'due';
const RANK: Record<Reason | 'audit', number> = { audit: -1, new: 1, changed: 2, due: 3 };

/** Parents a derived row requests for real each sync, to compare with its derived records. */
export const AUDITS_PER_SYNC = 2;

/** The parents audited this hour: a rotation through all of them, by a hash of key and hour. */
export function pickAudits(ids: readonly string[], hour: number, count: number): string[] {
  return [...ids]
    .map((id) => ({ id, rank: slotOf(`${id}@${hour}`, 2 ** 31) }))
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1))
    .slice(0, count)
    .map((entry) => entry.id);
}

/**
 * A slot that came due in an earlier sync and did not fit then goes first now, before new parents; so
 * does one at its bound (read now, or stale past it: a database's firewall rules every hour).
 */
function rankOf(c: Pick<Candidate, 'reason' | 'since' | 'atBound'>, hour: number): number {
  if (c.reason === 'audit') return RANK.audit;
  return c.reason === 'due' && (c.since < hour || c.atBound) ? 0 : RANK[c.reason];
}

interface Candidate {
  stream: string;
  id: string;
  keys: PartitionKeys;
  reason: Reason | 'audit';
  /** For due slots: the hour the slot came due (older first). */
  since: number;
  /** The stream's bound: a shorter one is the higher security value, first among equals. */
  hours: number;
  /** A due slot whose parent was last read a whole bound ago. */
  atBound?: boolean;
  cost: number;
}

export interface StreamCounts {
  parents: number;
  new: number;
  changed: number;
  due: number;
  /** Candidates left for a later sync: the budget ran out. */
  deferred: number;
  /** Of the deferred, how many are past the bound, and the oldest read among them (hours ago). */
  overdue: number;
  oldestHours: number;
  /** Of the deferred, parents never read yet (new ones, or a first sync cut by the budget). */
  neverRead: number;
}

/** What one planned stream reads this sync. */
export interface StreamPlan {
  def: StreamDef;
  checkpoint: PlannedCheckpoint;
  /** Partitions to read, in priority order. */
  read: PartitionKeys[];
  /** Change digests by partition id, to save with the slots of the parents read. */
  digests: ReadonlyMap<string, string>;
  hour: number;
  hours: number;
  counts: StreamCounts;
  /** A derived row not read by request: per partition, the items its records are built from. */
  derived?: ReadonlyMap<string, { keys: Keys; items: Record_[] }>;
  /** A derived row: the parents requested for real this sync to audit the derivation. */
  audit: PartitionKeys[];
  /** A derived row: the derived items of every parent, for the audit to compare with (even by request). */
  auditItems?: ReadonlyMap<string, { keys: Keys; items: Record_[] }>;
  /** Every parent is read whatever the budget: the records feed descendants, or exhaustive_fanout is set. */
  mustRead: boolean;
  /** Whether the sync's budget is spent: partitions not started then stay due (their slots kept). */
  spent(): boolean;
}

/** A planned stream's bound after the config's scale and overrides (at least one hour). */
export function boundOf(def: StreamDef, freshness: Freshness, options: Pick<PlanOptions, 'hoursScale' | 'hoursOverride'>): number {
  const override = options.hoursOverride[def.name];
  return Math.max(1, Math.round(override ?? freshness.maxAgeHours * options.hoursScale));
}

/**
 * Whether an incremental job is read on a plan: a freshness row whose parent is a top-level stream (so
 * its parents never wait on a plan themselves), in incremental mode.
 */
export function isPlanned(job: StreamJob): boolean {
  const link = job.def.parent;
  return job.mode === 'incremental' && job.def.freshness !== undefined && link !== undefined && findStream(link.stream)?.parent === undefined;
}

/** Requests to the API v2 quota for one partition: Spaces rows speak S3, which that quota does not count. */
function costOf(def: StreamDef): number {
  return def.transport ? 0 : (def.variants?.length ?? 1);
}

/** The budget of this sync: the config's, or a share of the hour's quota within what DigitalOcean says is left. */
export function budgetOf(options: Pick<PlanOptions, 'requestBudget'>, ctx: Pick<EngineContext, 'budget'>): { cap: number; why: string } {
  if (options.requestBudget !== undefined) return { cap: options.requestBudget, why: 'the config\'s request_budget' };
  const quota = ctx.budget?.requestsPerHour ?? 5_000;
  const share = Math.floor(quota * DEFAULT_BUDGET_SHARE);
  const remaining = ctx.budget?.remaining();
  const made = ctx.budget?.made() ?? 0;
  if (remaining === undefined) return { cap: share, why: `${DEFAULT_BUDGET_SHARE * 100}% of the hourly quota of ${quota}` };
  const left = made + Math.max(0, remaining - Math.floor(quota * RESERVED_SHARE));
  return left < share
    ? { cap: left, why: `DigitalOcean reports ${remaining} of the hourly quota left, of which ${Math.floor(quota * RESERVED_SHARE)} stay free for other tools` }
    : { cap: share, why: `${DEFAULT_BUDGET_SHARE * 100}% of the hourly quota of ${quota} (${remaining} left)` };
}

/** The sync's planner: built before the streams start, it resolves once every planned stream's parents are known. */
export class SyncPlanner {
  private readonly plans = new Map<string, Promise<StreamPlan>>();
  private readonly ready: Promise<Map<string, StreamPlan | { error: unknown }>>;
  private made: () => number;

  constructor(
    private readonly jobs: readonly StreamJob[],
    private readonly parents: ParentRegistry,
    private readonly ctx: EngineContext,
    private readonly options: PlanOptions,
    private readonly startDate: string | undefined,
  ) {
    this.made = () => ctx.budget?.made() ?? 0;
    const planned = jobs.filter((job) => isPlanned(job));
    this.ready = planned.length === 0 ? Promise.resolve(new Map()) : this.compute(planned);
    this.ready.catch(() => undefined);
    for (const job of planned) {
      const plan = this.ready.then((all) => {
        const entry = all.get(job.def.name);
        if (!entry) throw new Error(`internal: no plan for ${job.def.name}`);
        if ('error' in entry) throw entry.error;
        return entry;
      });
      plan.catch(() => undefined);
      this.plans.set(job.def.name, plan);
    }
  }

  /** The plan of a planned stream; undefined for a stream read as before. */
  planOf(name: string): Promise<StreamPlan> | undefined {
    return this.plans.get(name);
  }

  /** The requests planned for a stream (the cost line counts these instead of every parent). */
  async plannedPartitions(def: StreamDef): Promise<PartitionKeys[] | undefined> {
    const plan = this.plans.get(def.name);
    if (!plan) return undefined;
    const settled = await plan.catch(() => undefined);
    if (!settled) return [];
    // A derived row requests only its audits.
    return settled.derived ? settled.audit : [...settled.read, ...settled.audit];
  }

  private async compute(planned: readonly StreamJob[]): Promise<Map<string, StreamPlan | { error: unknown }>> {
    const now = this.options.now();
    const hour = Math.floor(now / this.options.hourMs);
    const result = new Map<string, StreamPlan | { error: unknown }>();
    const candidates: Candidate[] = [];
    const pending: { job: StreamJob; plan: StreamPlan; mustRead: boolean }[] = [];
    await Promise.all(
      planned.map(async (job) => {
        const def = job.def;
        const freshness = def.freshness as Freshness;
        try {
          const partitions = await this.parents.partitionsOf(def);
          const derived = freshness.kind === 'derived' ? await this.parents.derivedItemsOf(def) : undefined;
          const digests = derived ? new Map([...derived].map(([id, d]) => [id, shortDigest(d.items)])) : await this.digestsOf(def, freshness);
          const checkpoint = new PlannedCheckpoint(
            { name: def.name, cursor: def.cursor, listedAtField: LISTED_AT_FIELD, partitionFields: Object.keys(def.parent?.keys ?? {}) },
            job.inputState,
            this.startDate,
            this.ctx.log,
          );
          const hours = boundOf(def, freshness, this.options);
          const counts: StreamCounts = { parents: partitions.length, new: 0, changed: 0, due: 0, deferred: 0, overdue: 0, oldestHours: 0, neverRead: 0 };
          // A stream whose records feed configured descendants reads every parent: they are their parents.
          // So does every stream under exhaustive_fanout, which keeps its meaning (the slots are still saved).
          const mustRead = job.collector !== undefined || this.ctx.exhaustiveFanout === true;
          const plan: StreamPlan = { def, checkpoint, read: [], digests, hour, hours, counts, mustRead, spent: () => false, audit: [] };
          // A derived row costs no request per parent, unless its last audit found a difference (or what
          // it derives from could not be read): then it is read by request until an audit is clean.
          const byRequest = freshness.kind === 'derived' && (derived === undefined || checkpoint.derivedFallback);
          if (derived && !byRequest) plan.derived = derived;
          if (freshness.kind === 'derived') {
            plan.audit = pickAudits([...(derived?.keys() ?? [])], hour, AUDITS_PER_SYNC).map((id) => (derived as NonNullable<typeof derived>).get(id)!.keys);
            plan.auditItems = derived;
            for (const keys of plan.audit) candidates.push({ stream: def.name, id: partitionId(keys), keys, reason: 'audit', since: hour, hours, cost: costOf(def) });
          }
          const costEach = plan.derived ? 0 : costOf(def);
          const unhinted = freshness.kind === 'changeHinted';
          for (const keys of partitions) {
            const id = partitionId(keys);
            const last = checkpoint.slots.lastRead(id);
            const digest = digests.get(id);
            let reason: Reason | undefined;
            let since = hour;
            if (last === undefined) reason = 'new';
            // A change-hinted row without a digest for the parent has no evidence of no change (its hint
            // could not be read or trusted): the parent is read, as an unproven hint stays a call.
            else if (digest === undefined ? unhinted : checkpoint.slots.savedDigest(id) !== digest) reason = 'changed';
            else if (mustRead || hour >= (since = dueHour(id, last, hours))) reason = 'due';
            if (reason === undefined) {
              checkpoint.keep(id);
              continue;
            }
            candidates.push({ stream: def.name, id, keys, reason, since, hours, cost: costEach, atBound: last !== undefined && hour - last >= hours });
          }
          result.set(def.name, plan);
          pending.push({ job, plan, mustRead });
        } catch (error) {
          result.set(def.name, { error });
        }
      }),
    );
    const { cap, why } = budgetOf(this.options, this.ctx);
    // Made so far (the parents' lists among them), what the other streams still need at the least, and
    // a slack for what no estimate sees: pages past the first, retries, the grandchildren of planned
    // streams (read after them, every parent), and the requests in flight when the budget is reached.
    const reserved = this.made() + (await this.unplannedCost(planned));
    const slack = Math.max(2 * this.ctx.concurrency, Math.ceil(cap * SLACK_SHARE));
    let left = cap - reserved - slack;
    const mustRead = new Set(pending.filter((p) => p.mustRead).map((p) => p.job.def.name));
    candidates.sort((a, b) => rankOf(a, hour) - rankOf(b, hour) || a.since - b.since || a.hours - b.hours || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
    const plans = new Map(pending.map((p) => [p.job.def.name, p.plan]));
    for (const c of candidates) {
      const plan = plans.get(c.stream) as StreamPlan;
      const counts = plan.counts;
      if (c.reason === 'audit') {
        // Audits are part of what every sync reads (with the top-level lists): planned before any parent.
        left -= c.cost;
        continue;
      }
      if (c.cost <= left || c.cost === 0 || mustRead.has(c.stream)) {
        left -= c.cost;
        plan.read.push(c.keys);
        counts[c.reason]++;
      } else {
        counts.deferred++;
        plan.checkpoint.keep(c.id);
        const last = plan.checkpoint.slots.lastRead(c.id);
        if (last === undefined) counts.neverRead++;
        else if (hour - last >= plan.hours) {
          counts.overdue++;
          counts.oldestHours = Math.max(counts.oldestHours, hour - last);
        }
      }
    }
    // Checked before each planned parent: the slack covers the requests in flight then, the pages of
    // parents under way, and the lists still read after (measured at 10,000 Droplets: at most 18).
    const spent = (): boolean => this.made() >= cap - slack;
    for (const plan of plans.values()) plan.spent = spent;
    if (!this.ctx.abort.signal.aborted) this.ctx.log('INFO', this.describe(plans, cap, why, reserved));
    this.logStaleness(plans, cap);
    return result;
  }

  /** Digests of each parent's change fields: the row's `changedBy`, else the link's change hint. */
  private async digestsOf(def: StreamDef, freshness: Freshness): Promise<Map<string, string>> {
    if (freshness.changedBy && freshness.changedBy.length > 0) {
      const values = await this.parents.fieldValuesOf(def, freshness.changedBy);
      return new Map([...values].map(([id, v]) => [id, shortDigest(v)]));
    }
    if (def.parent?.changeHint) {
      const digests = await this.parents.changeDigestsOf(def);
      return new Map([...digests].map(([id, d]) => [id, d.slice(0, 10)]));
    }
    return new Map();
  }

  /** Fewest requests of the streams not planned (top-level lists, streams read in full) still to make. */
  private async unplannedCost(planned: readonly StreamJob[]): Promise<number> {
    const plannedNames = new Set(planned.map((job) => job.def.name));
    // The parents of planned streams have been read in full by now: their requests are among those made.
    const readAlready = new Set(planned.map((job) => job.def.parent?.stream));
    const streams = await Promise.all(
      this.jobs
        .filter((job) => !plannedNames.has(job.def.name) && !readAlready.has(job.def.name) && !job.def.transport)
        // A descendant of a planned stream waits for that stream's read, which waits for this plan.
        .filter((job) => !job.def.parent || !plannedNames.has(job.def.parent.stream))
        .map(async (job) => ({ def: job.def, partitions: job.def.parent ? await this.parents.partitionsOf(job.def).catch(() => []) : undefined })),
    );
    return requestsNeeded(streams, this.startDate, Date.now());
  }

  private describe(plans: ReadonlyMap<string, StreamPlan>, cap: number, why: string, reserved: number): string {
    const byClass = new Map<string, { streams: number; read: number; parents: number; deferred: number }>();
    let planned = 0;
    for (const plan of plans.values()) {
      const kind = plan.def.freshness?.kind ?? 'rotated';
      const entry = byClass.get(kind) ?? { streams: 0, read: 0, parents: 0, deferred: 0 };
      entry.streams++;
      const requests = (plan.derived ? 0 : plan.read.length * costOf(plan.def)) + plan.audit.length * costOf(plan.def);
      entry.read += requests;
      entry.parents += plan.counts.parents;
      entry.deferred += plan.counts.deferred;
      byClass.set(kind, entry);
      planned += requests;
    }
    const classes = [...byClass].map(([kind, e]) => `${kind} ${e.read} requests for ${e.streams} stream(s) of ${e.parents} parents${e.deferred > 0 ? `, ${e.deferred} left due` : ''}`);
    return `Plan: a budget of ${cap} requests (${why}); about ${reserved} for the lists read in full and made so far; ${planned} planned for the per-parent child streams by class: ${classes.join('; ')}.`;
  }

  private logStaleness(plans: ReadonlyMap<string, StreamPlan>, cap: number): void {
    const waiting = [...plans.values()].filter((plan) => plan.counts.deferred > 0);
    if (waiting.length > 0) {
      const parents = waiting.reduce((sum, plan) => sum + plan.counts.deferred, 0);
      this.ctx.log('WARN', `This sync stops at its request budget of ${cap} requests (config request_budget): ${parents} parents of ${waiting.length} stream(s) stay due and go first next sync. Nothing is lost: their rows stay as last read, and their state is kept.`);
    }
    for (const plan of plans.values()) {
      const c = plan.counts;
      const read = plan.read.length;
      const reasons = `${c.new} new, ${c.changed} changed, ${c.due} due`;
      if (c.deferred === 0) {
        this.ctx.log('INFO', `Stream '${plan.def.name}': ${read} of ${c.parents} parents read (${reasons}); every other one was read within its bound of ${plan.hours} h.`);
        continue;
      }
      const stale = [
        c.neverRead > 0 ? `${c.neverRead} never read yet` : '',
        c.overdue > 0 ? `${c.overdue} past the bound of ${plan.hours} h, the oldest read ${c.oldestHours} h ago` : '',
      ].filter(Boolean).join(', ') || `none past the bound of ${plan.hours} h yet`;
      this.ctx.log('WARN', `Stream '${plan.def.name}': ${read} of ${c.parents} parents read (${reasons}); the request budget leaves ${c.deferred} due for the next sync, where they go first (${stale}).`);
    }
  }
}
