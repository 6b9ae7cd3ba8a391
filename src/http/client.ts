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
  label?: string;
}

export interface RequestOptions {
  /** Who is asking (a stream name): passed back in rate-limit and retry notices. */
  label?: string;
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
  requestCount = 0;

  constructor(private readonly opts: ClientOptions) {
    this.origin = new URL(opts.baseUrl).origin;
    this.semaphore = new Semaphore(opts.maxConcurrency);
    this.random = opts.random ?? Math.random;
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
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      const release = await this.opts.limiter.acquire(options.label, options.bucket);
      try {
        last = await this.semaphore.run(() => this.attempt(url));
      } finally {
        // The request counts against the rate windows from its answer on (see limiter.ts).
        release();
      }
      if (last.ok) return { status: last.status ?? 200, body: last.body };
      const kind = last.kind ?? 'client';
      if (!isRetryable(kind) || attempt === this.opts.maxRetries) break;
      const waitMs = this.waitBeforeRetry(kind, attempt, last.retryAfterMs);
      this.opts.onRetry?.({ path, attempt: attempt + 1, waitMs, kind, status: last.status, label: options.label });
      if (kind === 'rate_limited') {
        // A 429 speaks for the whole token: hold every request, not just this one.
        this.opts.limiter.pauseUntil(this.opts.clock.now() + waitMs, 'DigitalOcean answered 429 Too Many Requests');
      } else {
        await this.opts.clock.sleep(waitMs);
      }
    }
    const kind = last?.kind ?? 'client';
    throw new ApiError(kind, url.pathname, describeStatus(kind, url.pathname, last?.status), last?.status, last?.apiMessage);
  }

  private waitBeforeRetry(kind: ErrorKind, attempt: number, retryAfterMs: number | undefined): number {
    if (kind === 'rate_limited' && retryAfterMs !== undefined) return Math.min(retryAfterMs, this.opts.maxRetryAfterMs);
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
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      return { ok: false, kind: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }
    this.observeRateLimit(response.headers);
    const kind = kindForStatus(response.status);
    const body = parseJson(text);
    if (kind === null) {
      if (body === undefined) return { ok: false, status: response.status, kind: 'bad_body' };
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
   * reset instant that is already past (clock skew) says nothing about how long to wait.
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
