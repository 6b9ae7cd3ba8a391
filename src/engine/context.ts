import type { DigitalOceanClient } from '../http/client.js';
import type { SpacesClient } from '../http/s3.js';
import type { ProtocolWriter } from '../protocol/writer.js';
import type { Logger } from '../state/input.js';
import type { Budget } from './cost.js';
import type { PlanOptions } from './plan.js';

/** What every part of a read shares. */
export interface EngineContext {
  client: DigitalOceanClient;
  writer: ProtocolWriter;
  log: Logger;
  /** Partitions of one stream read at once (requests are bounded again by the HTTP client). */
  concurrency: number;
  /** Pages one list may have (config max_pages_per_list); the HTTP layer's default when absent. */
  maxPagesPerList?: number;
  /** Ignore ParentLink.hint: call every parent (config `exhaustive_fanout`). */
  exhaustiveFanout?: boolean;
  /** Budget, bounds and clock of incremental child streams read on a plan (src/engine/plan.ts); absent: the defaults. */
  planning?: PlanOptions;
  /** For the cost line logged once the parents are known (src/engine/cost.ts); absent: no line. */
  budget?: Budget;
  /** Set when the whole sync must stop (the token was rejected). */
  abort: AbortController;
  /**
   * Looks at raw records (before stripping) for credentials only an over-privileged token can see;
   * returns a warning the first time. See src/scopes/leak.ts.
   */
  leakWatch?: (stream: string, rawRecord: unknown) => string | undefined;
  /** The S3 client and regions of Spaces, when a Spaces key is configured (rows with an s3 transport). */
  spaces?: { client: SpacesClient; regions: readonly string[] };
}
