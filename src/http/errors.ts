import type { FailureType } from '../protocol/messages.js';

/**
 * What went wrong with a request, in the terms the rest of the connector acts on. Status codes are
 * mapped here and nowhere else.
 */
export type ErrorKind =
  | 'unauthorized' // 401: the token was rejected; nothing else will work
  | 'forbidden' // 403: the token lacks the scope for this path
  | 'not_found' // 404
  | 'precondition' // 412: DigitalOcean refuses this call for this account's setup
  | 'rate_limited' // 429
  | 'server' // 5xx
  | 'timeout' // 408 or no answer in time
  | 'network' // connection refused, reset, DNS
  | 'bad_body' // 2xx whose body is not the JSON we expected (truncated, HTML)
  | 'too_large' // a body over the configured cap: not read further, not retried
  | 'redirect' // 3xx: never followed (the token and the records stay on the configured origin)
  | 'client' // any other 4xx: a bug on our side or an API change
  | 'pagination'; // the API's paging contradicted itself (repeated page, more pages than meta.total)

const RETRYABLE: ReadonlySet<ErrorKind> = new Set(['rate_limited', 'server', 'timeout', 'network', 'bad_body']);

export function kindForStatus(status: number): ErrorKind | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 412) return 'precondition';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'client';
}

export function isRetryable(kind: ErrorKind): boolean {
  return RETRYABLE.has(kind);
}

export function failureTypeFor(kind: ErrorKind): FailureType {
  switch (kind) {
    case 'unauthorized':
    case 'forbidden':
    case 'precondition':
    case 'redirect':
      return 'config_error';
    case 'rate_limited':
    case 'server':
    case 'timeout':
    case 'network':
    case 'bad_body':
      return 'transient_error';
    default:
      return 'system_error';
  }
}

/**
 * A failed request. The message names the path and what happened, never the token or the host's
 * credentials; `apiMessage` is DigitalOcean's own explanation when it gave one.
 */
export class ApiError extends Error {
  readonly failureType: FailureType;

  constructor(
    readonly kind: ErrorKind,
    readonly path: string,
    message: string,
    readonly status?: number,
    readonly apiMessage?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.failureType = failureTypeFor(kind);
  }

  get retryable(): boolean {
    return isRetryable(this.kind);
  }

  /** For the platform's job log: the class, the kind and status, and the request; never a body or a secret. */
  get internal(): string {
    return `${this.name} ${this.kind}${this.status !== undefined ? ` ${this.status}` : ''} on GET ${this.path}`;
  }
}

/** The internal message of any error: an ApiError's request line, else the error's class and message. */
export function internalMessageOf(error: unknown): string {
  if (error instanceof ApiError) return error.internal;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * A sentence for the user describing a failed status, before any stream-specific wording is added.
 * `attempts` is how many requests were actually made (the wording never claims retries that did not
 * happen); `received` says what came back, for bodies we could not use.
 */
export function describeStatus(kind: ErrorKind, path: string, status?: number, attempts?: number, received?: string): string {
  const where = `GET ${path}`;
  const tries = attempts === undefined ? '' : attempts === 1 ? ' (one attempt)' : ` on each of ${attempts} attempts`;
  switch (kind) {
    case 'unauthorized':
      return `DigitalOcean rejected the API token (401 on ${where}). Check that the token is valid and not revoked.`;
    case 'forbidden':
      return `The API token is not allowed to call ${where} (403).`;
    case 'not_found':
      return `${where} was not found (404).`;
    case 'precondition':
      return `DigitalOcean refused ${where} for this account (412).`;
    case 'rate_limited':
      return `DigitalOcean kept answering 429 (rate limited) on ${where}.`;
    case 'server':
      return `DigitalOcean answered ${status ?? '5xx'} on ${where}${tries}.`;
    case 'timeout':
      return `${where} timed out${tries}.`;
    case 'network':
      return `Could not reach the DigitalOcean API for ${where}${tries}.`;
    case 'bad_body':
      return `${where} returned ${received ?? 'a body that is not the expected JSON'} instead of a JSON object${tries}.`;
    case 'too_large':
      return `${where} returned a body larger than ${received ?? 'the size cap'}; it was not read further nor retried.`;
    case 'redirect':
      return `${where} answered ${status ?? '3xx'}, a redirect to ${received ?? 'another location'}, which is never followed (the token and the records stay on the configured api_url). Check api_url.`;
    case 'pagination':
      return `The paging of ${where} contradicted itself; stopped rather than loop or miss records.`;
    default:
      return `${where} failed with status ${status ?? 'unknown'}.`;
  }
}
