import { ApiError } from '../http/errors.js';
import { paginate, type ListGuards } from '../http/paginate.js';
import { revealsCredentials } from '../scopes/leak.js';
import { extractRecords, RecordShaper, type PartitionKeys, type Record_ } from '../records/shape.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { partitionId, requestSeries } from './partitions.js';
import { forEachConcurrent } from './pool.js';
import { s3Records } from './s3.js';

export interface WalkHandlers {
  /** Partitions already finished in an interrupted sync. */
  skip?(partition: string): boolean;
  /** One page of shaped records. `total` is meta.total of the list, on its first page. */
  onPage(records: Record_[], partition: string, total: number | undefined): Promise<void> | void;
  /** Every page of a partition was handed to onPage (or the parent turned out to be gone). */
  onPartitionDone?(partition: string, keys: PartitionKeys | undefined): Promise<void> | void;
  /** For date-windowed streams: where this partition's range begins (its saved cursor), if known. */
  windowStart?(partition: string): string | undefined;
  /**
   * The configured streams a rate-limit wait of this walk holds up (default: the stream itself). A
   * parent read only for its children names those children: the platform shows RATE_LIMITED only for
   * streams of the configured catalog.
   */
  waitLabels?: readonly string[];
}

/**
 * Pages of one list requested at once: the one being read and the next. Measured (npm run bench): more
 * pages ahead keep parsed pages alive long enough to reach the old generation, which costs memory and
 * throughput, while concurrency across streams and parents already fills max_concurrency.
 */
const PAGES_IN_FLIGHT = 2;

/** How many items the list of a page holds, for the stream's records key; undefined when it is no list. */
function listLength(def: StreamDef, body: Record_): number | undefined {
  const container = def.recordsKey === null ? body : body[def.recordsKey];
  return Array.isArray(container) ? container.length : undefined;
}

export class SyncAborted extends Error {
  constructor() {
    super('the sync was stopped');
    this.name = 'SyncAborted';
  }
}

/**
 * Reads every record of one stream: each partition (one per parent, or a single one), every page, each
 * record shaped. It knows nothing of emitting or state; the handlers decide. Resolves to the shaper's
 * LOG line of the secrets it removed (paths and counts), if it removed any.
 */
export async function walkStream(
  def: StreamDef,
  partitions: readonly (PartitionKeys | undefined)[],
  ctx: EngineContext,
  handlers: WalkHandlers,
): Promise<string | undefined> {
  const shaper = new RecordShaper(def);
  const watchLeaks = ctx.leakWatch !== undefined && revealsCredentials(def.name);
  const bucket = def.rateLimit ? { key: def.path, limit: def.rateLimit.requests, windowMs: def.rateLimit.windowMs } : undefined;
  const guards: ListGuards = { maxPages: ctx.maxPagesPerList, itemsIn: def.shape === 'list' ? (body) => listLength(def, body) : undefined };
  await forEachConcurrent(partitions, def.parent ? ctx.concurrency : 1, async (keys) => {
    const id = partitionId(keys);
    if (handlers.skip?.(id)) return;
    let path = def.path;
    const emit = async (records: Record_[], total: number | undefined): Promise<void> => {
      if (ctx.abort.signal.aborted) throw new SyncAborted();
      if (watchLeaks) {
        for (const raw of records) {
          const warning = ctx.leakWatch?.(def.name, raw);
          if (warning) ctx.log('WARN', warning);
        }
      }
      for (let i = 0; i < records.length; i++) records[i] = shaper.shape(records[i], keys);
      // The Airbyte platform drops a RECORD whose data is {} without a word (airbyte-platform
      // BasicAirbyteMessageValidator): say so here instead, and do not send it.
      const kept = records.filter((record) => Object.keys(record).length > 0);
      if (kept.length < records.length) {
        ctx.log('WARN', `Stream '${def.name}': ${records.length - kept.length} item(s) of GET ${path} are empty objects, with no field to store; they are not emitted.`);
      }
      await handlers.onPage(kept, id, total);
    };
    try {
      if (def.transport?.kind === 's3') {
        // Spaces buckets: S3 requests and XML instead of API v2 pages (see S3Transport in types.ts).
        for await (const records of s3Records(def, keys, ctx)) await emit(records, undefined);
      } else {
        // One series of pages for most streams; one per date window and per query variant for the few
        // whose API needs them.
        for (const series of requestSeries(def, keys, handlers.windowStart?.(id), Date.now(), (message) => ctx.log('WARN', message))) {
          path = series.path;
          let first = true;
          /** Items the list announced (meta.total) and delivered, and those that could not be records. */
          let announced: number | undefined;
          let delivered = 0;
          let dropped = 0;
          const pages = paginate(ctx.client, path, def.pagination, series.query, { labels: handlers.waitLabels ?? [def.name], bucket }, PAGES_IN_FLIGHT, guards);
          for await (const page of pages) {
            if (first) announced = page.total;
            if (page.note !== undefined) ctx.log('INFO', `Stream '${def.name}': ${path}: ${page.note}.`);
            delivered += guards.itemsIn?.(page.body) ?? 0;
            await emit(extractRecords(def, page.body, (count) => (dropped += count)), first ? page.total : undefined);
            first = false;
          }
          // Nothing silently missing: items that are not objects, and a list shorter than it announced.
          if (dropped > 0) ctx.log('WARN', `Stream '${def.name}': ${dropped} item(s) of GET ${path} were not JSON objects and were left out.`);
          if (guards.itemsIn && announced !== undefined && delivered < announced) {
            ctx.log('WARN', `Stream '${def.name}': GET ${path} announced ${announced} items (meta.total) but delivered ${delivered}; ${announced - delivered} may be missing (deleted during the sync, or withheld by the API).`);
          }
        }
      }
    } catch (error) {
      if (!(def.parent && error instanceof ApiError && error.kind === 'not_found')) throw error;
      if ((def.parent.notFound ?? 'skip') === 'skip') {
        ctx.log('INFO', `Stream '${def.name}': ${path} answered 404 (its parent was probably deleted during the sync); skipped that parent.`);
      }
    }
    await handlers.onPartitionDone?.(id, keys);
  });
  return shaper.summary();
}
