import { ApiError } from '../http/errors.js';
import { paginate } from '../http/paginate.js';
import { revealsCredentials } from '../scopes/leak.js';
import { extractRecords, RecordShaper, type PartitionKeys, type Record_ } from '../records/shape.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { partitionId, requestSeries } from './partitions.js';
import { forEachConcurrent } from './pool.js';

export interface WalkHandlers {
  /** Partitions already finished in an interrupted sync. */
  skip?(partition: string): boolean;
  /** One page of shaped records. `total` is meta.total of the list, on its first page. */
  onPage(records: Record_[], partition: string, total: number | undefined): Promise<void> | void;
  /** Every page of a partition was handed to onPage (or the parent turned out to be gone). */
  onPartitionDone?(partition: string, keys: PartitionKeys | undefined): Promise<void> | void;
  /** For date-windowed streams: where this partition's range begins (its saved cursor), if known. */
  windowStart?(partition: string): string | undefined;
}

/**
 * Pages of one list requested at once: the one being read and the next. Measured (npm run bench): more
 * pages ahead keep parsed pages alive long enough to reach the old generation, which costs memory and
 * throughput, while concurrency across streams and parents already fills max_concurrency.
 */
const PAGES_IN_FLIGHT = 2;

export class SyncAborted extends Error {
  constructor() {
    super('the sync was stopped');
    this.name = 'SyncAborted';
  }
}

/**
 * Reads every record of one stream: each partition (one per parent, or a single one), every page, each
 * record shaped. It knows nothing of emitting or state; the handlers decide.
 */
export async function walkStream(
  def: StreamDef,
  partitions: readonly (PartitionKeys | undefined)[],
  ctx: EngineContext,
  handlers: WalkHandlers,
): Promise<void> {
  const shaper = new RecordShaper(def);
  const watchLeaks = ctx.leakWatch !== undefined && revealsCredentials(def.name);
  const bucket = def.rateLimit ? { key: def.path, limit: def.rateLimit.requests, windowMs: def.rateLimit.windowMs } : undefined;
  await forEachConcurrent(partitions, def.parent ? ctx.concurrency : 1, async (keys) => {
    const id = partitionId(keys);
    if (handlers.skip?.(id)) return;
    let path = def.path;
    try {
      // One series of pages for most streams; one per date window and per query variant for the few
      // whose API needs them.
      for (const series of requestSeries(def, keys, handlers.windowStart?.(id), Date.now())) {
        path = series.path;
        let first = true;
        for await (const page of paginate(ctx.client, path, def.pagination, series.query, { label: def.name, bucket }, PAGES_IN_FLIGHT)) {
          if (ctx.abort.signal.aborted) throw new SyncAborted();
          const records = extractRecords(def, page.body);
          if (watchLeaks) {
            for (const raw of records) {
              const warning = ctx.leakWatch?.(def.name, raw);
              if (warning) ctx.log('WARN', warning);
            }
          }
          for (let i = 0; i < records.length; i++) records[i] = shaper.shape(records[i], keys);
          await handlers.onPage(records, id, first ? page.total : undefined);
          first = false;
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
}
