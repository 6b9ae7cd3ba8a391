/** Options of the fake API, and their defaults. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamDef } from '../src/streams/types.js';
import type { TokenOption } from './auth.js';
import type { KindTable } from './data/types.js';
import type { FaultConfig } from './faults.js';
import type { RateLimitOptions } from './ratelimit.js';

export interface FakeApiOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1: loopback only. */
  host?: string;
  /** Default 42. */
  seed?: number;
  /** Number of droplets; other counts derive from it. Default 50. */
  scale?: number;
  /** Overrides: top-level count of a stream, or count per parent for a child stream. */
  counts?: Readonly<Record<string, number>>;
  /** The stream table to serve. Default: STREAMS. */
  streams?: readonly StreamDef[];
  /** Replaces the built-in data-coherence table (tests of the generic generator). */
  kinds?: KindTable;
  /** Directory of schemas/<stream>.json for the generic generator. Default: the project's schemas/; null: none. */
  schemasDir?: string | null;
  /** Extra tokens (token → scopes, or → {name, scopes}). They are added to the defaults unless `defaultTokens` is false. */
  tokens?: Readonly<Record<string, TokenOption>>;
  /** Include the default tokens (see DEFAULT_TOKENS). Default true. */
  defaultTokens?: boolean;
  /** true: a missing resource is 404 even for a token without the scope (default: 403 first). */
  lookupBeforeScope?: boolean;
  /** false: no limits at all (the headers are still sent). */
  rateLimits?: RateLimitOptions | false;
  faults?: FaultConfig;
  /**
   * The clock for rate limits and the request log (epoch ms). Default Date.now. Its UTC day when the
   * server starts is the account's "today": billing insights cover the 60 days before it.
   */
  now?: () => number;
  /**
   * Pins the account's "today" (a `YYYY-MM-DD` day, an ISO instant or epoch ms) instead of taking it
   * from `now`: dated data (billing insights) then no longer moves with the calendar, for generated
   * fixtures compared across days. A connector still walks its windows up to its own today.
   */
  today?: string | number;
  /**
   * Every n-th Droplet is a GPU Droplet, which DigitalOcean lists only with `type=gpus` (the plain
   * list leaves it out). Default 0: none, so the plain list holds every Droplet.
   */
  gpuDropletEvery?: number;
  /** How latency faults wait. Default: setTimeout. Tests inject a recorder and never sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Characters of rendered bodies kept for reuse; 0 disables. Default 64 Mi. */
  cacheChars?: number;
  /** Request log entries kept. Default 100,000. */
  logLimit?: number;
}

/** The project's schemas/ directory, found from this file whether it runs as .ts or from dist/. */
export function defaultSchemasDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    if (existsSync(join(dir, 'package.json'))) {
      const schemas = join(dir, 'schemas');
      return existsSync(schemas) ? schemas : null;
    }
    dir = dirname(dir);
  }
  return null;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
