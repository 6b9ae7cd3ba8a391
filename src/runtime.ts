import type { SourceConfig } from './config.js';
import { systemClock, type Clock } from './http/clock.js';
import { DigitalOceanClient } from './http/client.js';
import { RateLimiter } from './http/limiter.js';
import type { SpacesClient } from './http/s3.js';
import type { ProtocolWriter } from './protocol/writer.js';
import { packageVersion } from './spec.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** DigitalOcean's hourly quota per token. */
export const REQUESTS_PER_HOUR = 5_000;

/**
 * Compresses every duration the connector waits for (windows, backoff, retry-after) for tests and
 * benchmarks that run against a fake API with compressed windows. Not a user setting.
 */
function timeScale(): number {
  const raw = Number(process.env.SOURCE_DIGITALOCEAN_TIME_SCALE);
  return Number.isFinite(raw) && raw > 0 && raw <= 1 ? raw : 1;
}

/**
 * The clock incremental plans count hours on (src/engine/plan.ts): compressed like the limiter's
 * windows. Tests and benchmarks that replay simulated hours without waiting for them set
 * SOURCE_DIGITALOCEAN_CLOCK_START (epoch ms): the sync then takes that instant as its time throughout.
 * Not a user setting.
 */
export function planClock(): { now(): number; hourMs: number } {
  const start = Number(process.env.SOURCE_DIGITALOCEAN_CLOCK_START);
  const hourMs = HOUR * timeScale();
  return Number.isFinite(start) && start > 0 ? { now: () => start, hourMs } : { now: () => Date.now(), hourMs };
}

export interface Runtime {
  client: DigitalOceanClient;
  limiter: RateLimiter;
  /** Present when a Spaces key is configured. */
  spaces?: { client: SpacesClient; regions: readonly string[] };
}

/** Requests per second to one Spaces region (see SpacesClientOptions.requestsPerSecond). */
const SPACES_REQUESTS_PER_SECOND = 100;

/**
 * Timeout, retries, backoff floor and body cap: the same for API v2 and S3, since either server may be
 * one the user pointed us at (api_url, spaces_endpoint).
 */
function requestGuards(config: SourceConfig, scale: number) {
  return {
    // Compressed time shortens timeouts too, but not below what a loopback request under load needs.
    timeoutMs: Math.max(1_000, 60_000 * scale),
    maxRetries: 8,
    backoffBaseMs: 1_000 * scale,
    backoffMaxMs: 60_000 * scale,
    maxBodyBytes: config.maxResponseBytes,
  };
}

/**
 * The HTTP stack of one command: one limiter and one client shared by everything the command does.
 * The Spaces client (an S3 signer and an XML parser) is loaded only when a Spaces key is configured:
 * most syncs never speak S3, and loading it costs every run start-up time.
 */
export async function createRuntime(config: SourceConfig, writer: ProtocolWriter, clock: Clock = systemClock): Promise<Runtime> {
  const scale = timeScale();
  writer.addSecret(config.apiToken);
  writer.addSecret(config.spaces?.secretAccessKey);
  const limiter = new RateLimiter({
    windows: [
      { limit: config.requestsPerMinute, windowMs: MINUTE * scale },
      { limit: REQUESTS_PER_HOUR, windowMs: HOUR * scale },
    ],
    clock,
    maxPauseMs: HOUR * scale,
    announceAfterMs: 5_000 * scale,
    bucketWindowScale: scale,
    onWait: ({ waitMs, until, labels, reason }) => {
      // RUNNING with a RATE_LIMITED reason, for each configured stream the wait holds up.
      writer.rateLimited(labels ?? [], until);
      void writer.log('INFO', `Waiting ${(waitMs / 1000).toFixed(1)} s before the next request: ${reason}.`);
    },
  });
  const client = new DigitalOceanClient({
    baseUrl: config.apiOrigin,
    token: config.apiToken,
    limiter,
    clock,
    maxConcurrency: config.maxConcurrency,
    ...requestGuards(config, scale),
    maxRetryAfterMs: HOUR * scale,
    timeScale: scale,
    userAgent: `source-digitalocean/${packageVersion()}`,
    onRetry: ({ path, attempt, waitMs, kind, status, received }) =>
      void writer.log('WARN', `GET ${path} failed (${status ?? kind}${received ? `, ${received}` : ''}); retry ${attempt} in ${(waitMs / 1000).toFixed(1)} s.`),
  });
  return { client, limiter, spaces: config.spaces ? { client: await createSpacesClient(config, writer, clock, scale), regions: config.spaces.regions } : undefined };
}

async function createSpacesClient(config: SourceConfig, writer: ProtocolWriter, clock: Clock, scale: number): Promise<SpacesClient> {
  const spaces = config.spaces as NonNullable<SourceConfig['spaces']>;
  const { SpacesClient } = await import('./http/s3.js');
  return new SpacesClient({
    accessKeyId: spaces.accessKeyId,
    secretAccessKey: spaces.secretAccessKey,
    endpoint: spaces.endpoint,
    clock,
    maxConcurrency: config.maxConcurrency,
    requestsPerSecond: SPACES_REQUESTS_PER_SECOND,
    windowScale: scale,
    ...requestGuards(config, scale),
    userAgent: `source-digitalocean/${packageVersion()}`,
    onRetry: ({ what, attempt, waitMs, status, code, received }) =>
      void writer.log('WARN', `${what} failed (${[[status, code].filter(Boolean).join(' '), received].filter(Boolean).join(', ') || 'no answer'}); retry ${attempt} in ${(waitMs / 1000).toFixed(1)} s.`),
  });
}
