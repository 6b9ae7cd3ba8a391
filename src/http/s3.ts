import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import ky from 'ky';
import type { Clock } from './clock.js';
import { isRetryable, kindForStatus, type ErrorKind } from './errors.js';
import { S3Error } from './s3-error.js';
import { RateLimiter } from './limiter.js';
import { Semaphore } from './semaphore.js';

/**
 * The S3 side of DigitalOcean Spaces: the only place an S3 request is made. Each request is signed with
 * AWS's own SigV4 signer (@smithy/signature-v4) and sent with ky, like every API v2 request; it takes a
 * slot from its region's pacer and the shared concurrency bound, and 503 SlowDown, 5xx and network
 * failures are retried with exponential backoff (DigitalOcean asks for exactly that:
 * https://docs.digitalocean.com/products/spaces/details/limits/). Bodies are parsed with fast-xml-parser.
 * Callers get the parsed document or an S3Error carrying the S3 error code.
 */

/** The bucket subresources read (GET /{bucket}?{subresource}). */
export type S3Subresource = 'acl' | 'policy' | 'cors' | 'lifecycle' | 'versioning';

export interface SpacesClientOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** An origin used for every region instead of https://{region}.digitaloceanspaces.com (validated by config.ts). */
  endpoint?: string;
  clock: Clock;
  maxConcurrency: number;
  /**
   * Requests per second sent to one region. DigitalOcean allows 1,500 per second per IP address to all
   * buckets (750 before), and 240 per bucket on older buckets: a sync stays far below either.
   */
  requestsPerSecond: number;
  /** Multiplies the pacing window (compressed-time tests). */
  windowScale?: number;
  timeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  userAgent: string;
  random?: () => number;
  onRetry?: (info: { what: string; attempt: number; waitMs: number; status?: number; code?: string }) => void;
}

export interface S3Response {
  status: number;
  /** The parsed XML document, or the raw text when the body is not XML (GetBucketPolicy answers JSON). */
  body: Record<string, unknown> | string;
}

/** Elements that may repeat, read as lists even when there is one (or none) of them. */
const REPEATED = new Set(['Bucket', 'Grant', 'CORSRule', 'Rule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader', 'Transition']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // xsi:type on a Grantee becomes @type: the grantee's kind (CanonicalUser, Group).
  removeNSPrefix: true,
  // Values stay the strings S3 sent: a bucket named 2024 is not a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATED.has(name),
});

/** Parses an S3 XML body; undefined when it is not XML. */
export function parseS3Xml(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('<')) return undefined;
  try {
    const parsed: unknown = parser.parse(text, true);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The Code and Message of an S3 `<Error>` body. */
function errorOf(text: string): { code?: string; message?: string } {
  const doc = parseS3Xml(text);
  const error = doc?.Error;
  if (!error || typeof error !== 'object') return {};
  const { Code, Message } = error as Record<string, unknown>;
  return { code: typeof Code === 'string' ? Code : undefined, message: typeof Message === 'string' ? Message.slice(0, 300) : undefined };
}

/**
 * S3 statuses in the connector's terms. 501 (an S3 server that does not implement a call) is final,
 * not a server error worth retrying; SlowDown is a 503 and retried like any 5xx.
 */
function kindFor(status: number): ErrorKind | null {
  if (status === 501) return 'client';
  return kindForStatus(status);
}

interface Attempt {
  ok: boolean;
  status?: number;
  text?: string;
  kind?: ErrorKind;
  code?: string;
  message?: string;
}

export class SpacesClient {
  private readonly signer: SignatureV4;
  private readonly semaphore: Semaphore;
  private readonly pacers = new Map<string, RateLimiter>();
  private readonly random: () => number;
  requestCount = 0;

  constructor(private readonly opts: SpacesClientOptions) {
    this.semaphore = new Semaphore(opts.maxConcurrency);
    this.random = opts.random ?? Math.random;
    this.signer = new SignatureV4({
      service: 's3',
      // Replaced per request: each region signs with its own slug (Credential=…/{date}/{region}/s3/aws4_request).
      region: 'us-east-1',
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      sha256: Hash.bind(null, 'sha256'),
      // S3 signs the path as sent, without encoding it twice.
      uriEscapePath: false,
    });
  }

  /** The origin of a region's endpoint. */
  originFor(region: string): string {
    if (this.opts.endpoint) return this.opts.endpoint;
    if (!/^[a-z]{3}[0-9]$/.test(region)) throw new Error(`internal: not a Spaces region slug: ${region}`);
    return `https://${region}.digitaloceanspaces.com`;
  }

  /** ListBuckets on a region's endpoint. */
  listBuckets(region: string): Promise<S3Response> {
    return this.get(region, '/', undefined);
  }

  /** GET /{bucket}?{subresource}, path-style, on the bucket's region. */
  bucketSubresource(region: string, bucket: string, subresource: S3Subresource): Promise<S3Response> {
    return this.get(region, `/${encodeURIComponent(bucket)}`, subresource);
  }

  private pacerFor(region: string): RateLimiter {
    let pacer = this.pacers.get(region);
    if (!pacer) {
      pacer = new RateLimiter({
        windows: [{ limit: this.opts.requestsPerSecond, windowMs: 1_000 * (this.opts.windowScale ?? 1) }],
        clock: this.opts.clock,
        maxPauseMs: 60_000,
      });
      this.pacers.set(region, pacer);
    }
    return pacer;
  }

  private async get(region: string, path: string, subresource: S3Subresource | undefined): Promise<S3Response> {
    const url = new URL(path, this.originFor(region));
    if (subresource) url.search = `?${subresource}`;
    // What a message names: the call as a user would look it up, never a header or the key.
    const what = `GET ${url.pathname}${url.search} on ${region}`;
    let last: Attempt | undefined;
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      await this.pacerFor(region).acquire();
      last = await this.semaphore.run(() => this.attempt(region, url, subresource));
      if (last.ok) {
        const text = last.text ?? '';
        const body = subresource === 'policy' ? text : parseS3Xml(text);
        if (body !== undefined) return { status: last.status ?? 200, body };
        last = { ok: false, status: last.status, kind: 'bad_body' };
      }
      const kind = last.kind ?? 'client';
      if (!isRetryable(kind) || attempt === this.opts.maxRetries) break;
      const exponential = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** attempt);
      // Full jitter keeps concurrent retries from arriving together.
      const waitMs = Math.round(exponential / 2 + (this.random() * exponential) / 2);
      this.opts.onRetry?.({ what, attempt: attempt + 1, waitMs, status: last.status, code: last.code });
      await this.opts.clock.sleep(waitMs);
    }
    const kind = last?.kind ?? 'client';
    const code = last?.code;
    throw new S3Error(kind, what, describeS3(kind, what, last?.status, code, last?.message), last?.status, code);
  }

  /** The headers of a signed GET (Authorization, x-amz-date, x-amz-content-sha256, host). `at` fixes the signing time (tests). */
  async signedHeaders(region: string, url: URL, subresource: string | undefined, at?: Date): Promise<Record<string, string>> {
    const signed = await this.signer.sign(
      {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: url.pathname,
        query: subresource ? { [subresource]: '' } : {},
        headers: { host: url.host, 'user-agent': this.opts.userAgent },
      },
      { signingRegion: region, signingDate: at },
    );
    return signed.headers;
  }

  private async attempt(region: string, url: URL, subresource: S3Subresource | undefined): Promise<Attempt> {
    this.requestCount++;
    let response: Response;
    let text: string;
    try {
      // fetch sets Host itself, to the same value that was signed.
      const { host: _host, ...headers } = await this.signedHeaders(region, url, subresource);
      response = await ky.get(url, {
        headers,
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
    const kind = kindFor(response.status);
    if (kind === null) return { ok: true, status: response.status, text };
    const { code, message } = errorOf(text);
    return { ok: false, status: response.status, kind, code, message };
  }
}

function describeS3(kind: ErrorKind, what: string, status: number | undefined, code: string | undefined, message: string | undefined): string {
  const said = code ? ` (${code}${message ? `: ${message}` : ''})` : '';
  switch (kind) {
    case 'server':
      return `Spaces answered ${status ?? '5xx'}${said} on ${what} after several retries.`;
    case 'timeout':
      return `${what} timed out after several retries.`;
    case 'network':
      return `Could not reach the Spaces endpoint for ${what} after several retries.`;
    case 'bad_body':
      return `${what} returned a body that is not the expected XML after several retries.`;
    default:
      return `Spaces answered ${status ?? 'an error'}${said} on ${what}.`;
  }
}
