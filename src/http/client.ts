import ky from 'ky';
import type { Clock } from './clock.js';
import { ApiError, describeStatus, isRetryable, kindForStatus, type ErrorKind } from './errors.js';
import type { RateLimiter, WindowLimit } from './limiter.js';
import { Semaphore } from './semaphore.js';

export interface ClientOptions {
  /** Origin of the API (scheme, host, port); validated by config.ts. The token goes nowhere else. */
  baseUrl: string;
  token: string;
  limiter: RateLimiter;
  clock: Clock;
  maxConcurrency: number;
  /** Whole request, connect to last body byte. */
  timeoutMs: number;
  /** Attempts after the first one, for retryable failures. */
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Longest wait a single 429 may impose. */
  maxRetryAfterMs: number;
  /**
   * Largest body read, in bytes (config max_response_size_mb). A longer body is not read further: with
   * at most maxConcurrency bodies buffered at once, this bounds the memory responses can take.
   */
  maxBodyBytes?: number;
  /** Multiplies durations the server sends as durations (retry-after), for compressed-time tests. */
  timeScale: number;
  userAgent: string;
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  path: string;
  attempt: number;
  waitMs: number;
  kind: ErrorKind;
  status?: number;
  labels?: readonly string[];
  /** What came back, when the status alone says nothing (a 200 whose body is an HTML page). */
  received?: string;
}

export interface RequestOptions {
  /** Who is waiting on the request (stream names): passed back in rate-limit and retry notices. */
  labels?: readonly string[];
  /** An endpoint's own rate limit, on top of the token-wide ones. */
  bucket?: { key: string } & WindowLimit;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

interface Attempt {
  ok: boolean;
  status?: number;
  body?: unknown;
  kind?: ErrorKind;
  apiMessage?: string;
  retryAfterMs?: number;
  /** What came back, for a body we cannot use or a redirect (never a URL's query). */
  received?: string;
  /** Retrying cannot help (a body too deeply nested is the same on every attempt). */
  final?: boolean;
}

/**
 * Deeper than any DigitalOcean body (an app spec, the deepest, nests about a dozen levels): beyond it
 * every recursive step after parsing (stripping, JSON.stringify) would risk the call stack.
 */
export const MAX_JSON_DEPTH = 128;

/** Whether a parsed JSON value nests deeper than `max` levels; iterative, so it cannot overflow itself. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

const MIB = 1024 * 1024;
/** The default of max_response_size_mb (spec.json), for clients built without a config. */
export const DEFAULT_MAX_BODY_BYTES = 64 * MIB;

/** A byte count as the user configured it. */
export function describeBytes(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

/**
 * The body as text, read chunk by chunk and abandoned (the connection cancelled) as soon as it passes
 * `cap` bytes, so that an endless or huge body never takes more than `cap` of memory. A declared
 * Content-Length over the cap is refused before any byte is read.
 */
export async function readCapped(response: Response, cap: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Where a redirect pointed, as an origin only: its path and query may carry anything. */
export function locationOrigin(location: string | null, base: URL): string {
  if (!location) return 'no Location';
  try {
    const target = new URL(location, base);
    return target.origin === 'null' ? `a ${target.protocol} URL` : target.origin;
  } catch {
    return 'an invalid Location';
  }
}

/** A few words on a body that is not the JSON we expected: what a user can recognise. */
function describeUnusable(text: string, contentType: string | null): string {
  const type = contentType ? `, content-type ${contentType.split(';')[0].trim().slice(0, 60)}` : '';
  if (text.length === 0) return `an empty body${type}`;
  if (/^\s*</.test(text) || /html/i.test(contentType ?? '')) return `an HTML page (${text.length} characters${type})`;
  return `text that is not valid JSON (${text.length} characters${type})`;
}

function headerNumber(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** DigitalOcean's explanation of an error; the token is cut out should the server ever echo it. */
function apiMessageOf(body: unknown, token: string): string | undefined {
  if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    if (typeof message === 'string') return (token ? message.split(token).join('[token]') : message).slice(0, 300);
  }
  return undefined;
}

/**
 * The only place a request is made. Every request: bearer auth to the configured origin only, a slot
 * from the shared rate limiter and the concurrency bound, a total timeout, and retries with backoff for
 * what is worth retrying. Callers get parsed JSON or an ApiError.
 */
export class DigitalOceanClient {
  private readonly origin: string;
  private readonly semaphore: Semaphore;
  private readonly random: () => number;
  private readonly maxBodyBytes: number;
  requestCount = 0;

  constructor(private readonly opts: ClientOptions) {
    this.origin = new URL(opts.baseUrl).origin;
    this.semaphore = new Semaphore(opts.maxConcurrency);
    this.random = opts.random ?? Math.random;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Build the URL for one of our own paths; refuses anything that would leave the configured origin. */
  urlFor(path: string, query: Readonly<Record<string, string>> = {}): URL {
    if (!path.startsWith('/')) throw new Error(`internal: request path must be absolute: ${path}`);
    const url = new URL(path, this.origin);
    if (url.origin !== this.origin) throw new Error(`internal: refusing to send the token to another origin`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  async get(path: string, query: Readonly<Record<string, string>> = {}, options: RequestOptions = {}): Promise<ApiResponse> {
    const url = this.urlFor(path, query);
    let last: Attempt | undefined;
    let attempts = 0;
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      const release = await this.opts.limiter.acquire(options.labels, options.bucket);
      attempts++;
      try {
        last = await this.semaphore.run(() => this.attempt(url));
      } finally {
        // The request counts against the rate windows from its answer on (see limiter.ts).
        release();
      }
      if (last.ok) return { status: last.status ?? 200, body: last.body };
      const kind = last.kind ?? 'client';
      if (!isRetryable(kind) || last.final || attempt === this.opts.maxRetries) break;
      const waitMs = this.waitBeforeRetry(kind, attempt, last.retryAfterMs);
      this.opts.onRetry?.({ path, attempt: attempt + 1, waitMs, kind, status: last.status, labels: options.labels, received: last.received });
      if (kind === 'rate_limited') {
        // A 429 speaks for the whole token: hold every request, not just this one.
        this.opts.limiter.pauseUntil(this.opts.clock.now() + waitMs, 'DigitalOcean answered 429 Too Many Requests');
      } else {
        await this.opts.clock.sleep(waitMs);
      }
    }
    const kind = last?.kind ?? 'client';
    const message = describeStatus(kind, url.pathname, last?.status, attempts, last?.received);
    throw new ApiError(kind, url.pathname, message, last?.status, last?.apiMessage);
  }

  /**
   * A positive hint is honoured (never below one backoff step, never above maxRetryAfterMs); a hint of
   * zero or in the past is no reason to hammer the API: it gets the exponential backoff too.
   */
  private waitBeforeRetry(kind: ErrorKind, attempt: number, retryAfterMs: number | undefined): number {
    if (kind === 'rate_limited' && retryAfterMs !== undefined && retryAfterMs > 0) {
      return Math.min(Math.max(retryAfterMs, this.opts.backoffBaseMs), this.opts.maxRetryAfterMs);
    }
    const exponential = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** attempt);
    // Full jitter keeps concurrent retries from arriving together.
    return Math.round(exponential / 2 + (this.random() * exponential) / 2);
  }

  private async attempt(url: URL): Promise<Attempt> {
    this.requestCount++;
    let response: Response;
    let text: string;
    try {
      response = await ky.get(url, {
        headers: {
          Authorization: `Bearer ${this.opts.token}`,
          Accept: 'application/json',
          'User-Agent': this.opts.userAgent,
        },
        retry: 0,
        timeout: false,
        throwHttpErrors: false,
        // A redirect could lead anywhere (plain http, another host, file:); it is reported, not followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const kind = kindForStatus(response.status);
      if (kind === 'redirect') {
        await response.body?.cancel().catch(() => undefined);
        const received = locationOrigin(response.headers.get('location'), url);
        return { ok: false, status: response.status, kind, received };
      }
      const read = await readCapped(response, this.maxBodyBytes);
      if (read === undefined) {
        const received = `the ${describeBytes(this.maxBodyBytes)} cap (max_response_size_mb)`;
        return { ok: false, status: response.status, kind: 'too_large', received };
      }
      text = read;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      return { ok: false, kind: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }
    this.observeRateLimit(response.headers);
    const kind = kindForStatus(response.status);
    const body = parseJson(text);
    if (kind === null) {
      if (body === undefined) {
        return { ok: false, status: response.status, kind: 'bad_body', received: describeUnusable(text, response.headers.get('content-type')) };
      }
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        return { ok: false, status: response.status, kind: 'bad_body', received: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, final: true };
      }
      return { ok: true, status: response.status, body };
    }
    return {
      ok: false,
      status: response.status,
      kind,
      apiMessage: apiMessageOf(body, this.opts.token),
      retryAfterMs: kind === 'rate_limited' ? this.retryAfterMs(response.headers) : undefined,
    };
  }

  private observeRateLimit(headers: Headers): void {
    this.opts.limiter.observe(headerNumber(headers, 'ratelimit-remaining'), headerNumber(headers, 'ratelimit-reset'));
  }

  /**
   * retry-after (seconds, or an HTTP date), else ratelimit-reset (epoch seconds), else unknown (the
   * caller backs off). An empty or negative retry-after is ignored rather than read as "retry now"; a
   * zero, a date in the past or a reset instant already past (clock skew) says nothing about how long
   * to wait, and waitBeforeRetry backs off exponentially instead.
   */
  private retryAfterMs(headers: Headers): number | undefined {
    const retryAfter = headers.get('retry-after')?.trim() ?? '';
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000 * this.opts.timeScale;
    if (/[a-z]/i.test(retryAfter)) {
      const date = Date.parse(retryAfter);
      if (Number.isFinite(date)) return Math.max(0, date - this.opts.clock.now());
    }
    const reset = headerNumber(headers, 'ratelimit-reset');
    if (reset !== undefined && reset * 1000 > this.opts.clock.now()) return reset * 1000 - this.opts.clock.now();
    return undefined;
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
