import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import ky from 'ky';
import type { Clock } from './clock.js';
import { describeBytes, DEFAULT_MAX_BODY_BYTES, locationOrigin, readCapped } from './client.js';
import { isRetryable, kindForStatus, type ErrorKind } from './errors.js';
import { S3Error } from './s3-error.js';
import { RateLimiter } from './limiter.js';
import { Semaphore } from './semaphore.js';

/**
 * The S3 side of DigitalOcean Spaces: the only place an S3 request is made. Each request is signed with
 * AWS's own SigV4 signer (@smithy/signature-v4) and sent with ky, like every API v2 request; it takes a
 * slot from its region's pacer and the shared concurrency bound, and 503 SlowDown, 5xx and network
 * failures are retried with exponential backoff (DigitalOcean asks for exactly that:
 * https://docs.digitalocean.com/products/spaces/details/limits/). The endpoint is configurable, so every
 * answer is treated as possibly hostile, with API v2's guards: the body cap, the whole-request timeout,
 * the backoff floor, no redirect followed; and a body declaring a DOCTYPE or ENTITY, or holding more tags
 * than any S3 answer, is refused before fast-xml-parser sees it (entity processing is off as well). Callers get the parsed document or an
 * S3Error carrying the S3 error code.
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
  /** Whole request, connect to last body byte (as API v2). */
  timeoutMs: number;
  /** Largest body read, in bytes (config max_response_size_mb, as API v2). */
  maxBodyBytes?: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  userAgent: string;
  random?: () => number;
  onRetry?: (info: { what: string; attempt: number; waitMs: number; status?: number; code?: string; received?: string }) => void;
}

export interface S3Response {
  status: number;
  /** The parsed XML document, or the raw text when the body is not XML (GetBucketPolicy answers JSON). */
  body: Record<string, unknown> | string;
}

/** Elements that may repeat, read as lists even when there is one (or none) of them. */
const REPEATED = new Set(['Bucket', 'Grant', 'CORSRule', 'Rule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader', 'Transition']);

/**
 * A DOCTYPE or ENTITY declaration: what every entity-expansion attack needs (billion laughs, and
 * fast-xml-parser's family of DOCTYPE CVEs), and what no S3 answer holds. A body with one is refused
 * before the parser sees it. Case-insensitive: a lenient parser may accept `<!doctype`.
 */
const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The five predefined XML entities and character references, decoded in one pass: the parser's own
 * entity processing is off, and what replaces it cannot expand (its output is never read again).
 */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g, (whole, name?: string, dec?: string, hex?: string) => {
    if (name !== undefined) return PREDEFINED[name];
    const code = dec !== undefined ? Number(dec) : parseInt(hex ?? '', 16);
    const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : whole;
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // xsi:type on a Grantee becomes @type: the grantee's kind (CanonicalUser, Group).
  removeNSPrefix: true,
  // Values stay the strings S3 sent: a bucket named 2024 is not a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // No DOCTYPE entity is ever defined or expanded (bodies declaring one are refused before parsing,
  // this is the second line); the predefined entities are decoded by decodeXmlText instead.
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name, value) => decodeXmlText(value),
  attributeValueProcessor: (_name, value) => decodeXmlText(value),
  isArray: (name) => REPEATED.has(name),
});

/** Parses an S3 XML body; undefined when it is not XML, or declares a DOCTYPE or ENTITY. */
export function parseS3Xml(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('<') || DECLARATION.test(text)) return undefined;
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
  return { code: typeof Code === 'string' ? Code.slice(0, 100) : undefined, message: typeof Message === 'string' ? Message.slice(0, 300) : undefined };
}

/** A few words on a body that is not the XML expected (a truncated document, an HTML page). */
function describeNotXml(text: string): string {
  if (text.length === 0) return 'an empty body';
  return `${text.length} characters that are not a complete XML document`;
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
  body?: Record<string, unknown> | string;
  kind?: ErrorKind;
  code?: string;
  message?: string;
  /** What came back, for a body we cannot use or a redirect (never a URL's path or query). */
  received?: string;
  /** Refused before parsing (refusalOf): the same body would come back, retrying cannot help. */
  final?: boolean;
}

/**
 * Tags in one document (opening and closing). fast-xml-parser takes about 1 KB of memory per element
 * while it parses (a 9 MB ListBuckets of 100,000 buckets: 220 MB), so the body cap alone would let a
 * 64 MiB document take gigabytes. 200,000 tags is a ListBuckets of some 33,000 buckets: Spaces allows
 * 100 per account unless raised, AWS pages ListBuckets at 10,000; a lifecycle of S3's maximum 1,000
 * rules is about 20,000 tags.
 */
export const MAX_XML_TAGS = 200_000;

/** Whether `text` holds more than `max` tags, counted without building anything. */
function tagsExceed(text: string, max: number): boolean {
  let count = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) if (++count > max) return true;
  return false;
}

/** Why a body is refused before parsing (the `received` of the failure), if it is. */
function refusalOf(text: string): string | undefined {
  if (DECLARATION.test(text)) return 'a DOCTYPE or ENTITY declaration, which no S3 answer holds; it was refused unparsed (entity expansion)';
  if (tagsExceed(text, MAX_XML_TAGS)) {
    return `more than ${MAX_XML_TAGS.toLocaleString('en-US')} tags, far more than any Spaces answer holds; it was refused unparsed (parsing takes about 1 KB of memory per element)`;
  }
  return undefined;
}

export class SpacesClient {
  private readonly signer: SignatureV4;
  private readonly semaphore: Semaphore;
  private readonly pacers = new Map<string, RateLimiter>();
  private readonly random: () => number;
  private readonly maxBodyBytes: number;
  requestCount = 0;

  constructor(private readonly opts: SpacesClientOptions) {
    this.semaphore = new Semaphore(opts.maxConcurrency);
    this.random = opts.random ?? Math.random;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
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
    let attempts = 0;
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      await this.pacerFor(region).acquire();
      attempts++;
      last = await this.semaphore.run(() => this.attempt(region, url, subresource));
      if (last.ok) return { status: last.status ?? 200, body: last.body ?? '' };
      const kind = last.kind ?? 'client';
      if (!isRetryable(kind) || last.final || attempt === this.opts.maxRetries) break;
      // The floor API v2 has (client.ts waitBeforeRetry): never less than half a backoff step, whatever
      // the server says; full jitter keeps concurrent retries from arriving together.
      const exponential = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** attempt);
      const waitMs = Math.round(exponential / 2 + (this.random() * exponential) / 2);
      this.opts.onRetry?.({ what, attempt: attempt + 1, waitMs, status: last.status, code: last.code, received: last.received });
      await this.opts.clock.sleep(waitMs);
    }
    const kind = last?.kind ?? 'client';
    const code = last?.code;
    const bucket = subresource ? decodeURIComponent(path.slice(1)) : undefined;
    const refused = last?.final === true;
    const message = describeS3({ kind, what, bucket, status: last?.status, code, message: last?.message, received: last?.received, attempts, refused });
    throw new S3Error(kind, what, message, last?.status, code, refused);
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
        // A redirect (S3's 301 PermanentRedirect for a bucket of another region, or a hostile endpoint)
        // is reported, not followed: the signed request and the records stay on the configured endpoint.
        redirect: 'manual',
        // Whole request, body included: a body that trickles in forever times out like one that never starts.
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      if (kindFor(response.status) === 'redirect') {
        await response.body?.cancel().catch(() => undefined);
        return { ok: false, status: response.status, kind: 'redirect', received: locationOrigin(response.headers.get('location'), url) };
      }
      // The body cap of API v2 (max_response_size_mb): an endless or huge body is not read past it.
      const read = await readCapped(response, this.maxBodyBytes);
      if (read === undefined) {
        return { ok: false, status: response.status, kind: 'too_large', received: `the ${describeBytes(this.maxBodyBytes)} cap (max_response_size_mb)` };
      }
      text = read;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      return { ok: false, kind: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }
    const refusal = refusalOf(text);
    if (refusal !== undefined) return { ok: false, status: response.status, kind: 'bad_body', received: refusal, final: true };
    const kind = kindFor(response.status);
    if (kind === null) {
      const body = subresource === 'policy' ? text : parseS3Xml(text);
      if (body === undefined) return { ok: false, status: response.status, kind: 'bad_body', received: describeNotXml(text) };
      return { ok: true, status: response.status, body };
    }
    const { code, message } = errorOf(text);
    return { ok: false, status: response.status, kind, code, message };
  }
}

interface Failure {
  kind: ErrorKind;
  what: string;
  /** The bucket a subresource call concerns; none for ListBuckets. */
  bucket?: string;
  status?: number;
  code?: string;
  message?: string;
  received?: string;
  attempts: number;
  /** Refused before parsing (refusalOf). */
  refused: boolean;
}

function describeS3({ kind, what, bucket, status, code, message, received, attempts, refused }: Failure): string {
  const said = code ? ` (${code}${message ? `: ${message}` : ''})` : '';
  const tries = attempts === 1 ? ' (one attempt)' : ` on each of ${attempts} attempts`;
  const call = bucket === undefined ? `ListBuckets (${what})` : `${what} (bucket '${bucket}')`;
  switch (kind) {
    case 'server':
      return `Spaces answered ${status ?? '5xx'}${said} on ${what}${tries}.`;
    case 'timeout':
      return `${what} timed out${tries}.`;
    case 'network':
      return `Could not reach the Spaces endpoint for ${what}${tries}.`;
    case 'too_large':
      return `${call} returned a body larger than ${received ?? 'the size cap'}; it was not read further nor retried.`;
    case 'redirect':
      return `${call} answered ${status ?? '3xx'}, a redirect to ${received ?? 'another location'}, which is never followed (the signed request and the records stay on the configured endpoint). Check spaces_regions and spaces_endpoint.`;
    case 'bad_body':
      if (refused) return `${call} returned an XML document with ${received ?? 'what no S3 answer holds'} and not retried. Check spaces_endpoint.`;
      return `${call} returned ${received ?? 'a body'} instead of the expected XML${tries}.`;
    default:
      return `Spaces answered ${status ?? 'an error'}${said} on ${what}.`;
  }
}
