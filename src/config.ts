import { findStream } from './streams/index.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import compiledValidator from './generated/config-validator.js';
import { loadSpec } from './spec.js';

export interface SourceConfig {
  apiToken: string;
  /** Origin only (scheme://host[:port]); the token is sent nowhere else. */
  apiOrigin: string;
  startDate?: string;
  requestsPerMinute: number;
  maxConcurrency: number;
  /** Largest response body read, in bytes. */
  maxResponseBytes: number;
  /** Pages one list may have before it is stopped as endless. */
  maxPagesPerList: number;
  /** Request every parent's children, ignoring the row hints that prove some parents have none. */
  exhaustiveFanout?: boolean;
  /** Present when a Spaces key is configured: the spaces_bucket* streams are then offered. */
  spaces?: SpacesConfig;
  /** Requests one sync plans for (request_budget); absent: a share of the hourly quota. */
  requestBudget?: number;
  /** Freshness bounds of incremental child streams: multiplied by `hoursScale`, or set per stream. */
  freshness?: { hoursScale: number; hours: Readonly<Record<string, number>> };
}

export interface SpacesConfig {
  accessKeyId: string;
  /** Signs requests; never written anywhere (the protocol writer redacts it too). */
  secretAccessKey: string;
  regions: string[];
  /** An origin replacing https://{region}.digitaloceanspaces.com for every region; validated like api_url. */
  endpoint?: string;
}

/** Something the user must fix in the config. Messages name the field, never its value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function defaultOf(field: string): unknown {
  const properties = loadSpec().connectionSpecification.properties as Record<string, { default?: unknown }>;
  return properties[field]?.default;
}

function describeAjvError(error: ErrorObject): string {
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'required') {
    return `The config is missing the required field '${String(error.params.missingProperty)}'.`;
  }
  const where = field ? `The config field '${field}'` : 'The config';
  // ajv's messages describe the rule (type, bounds, format), never the offending value.
  return `${where} ${error.message ?? 'is invalid'}.`;
}

/**
 * spec.json compiled by ajv ahead of time (scripts/generate-config-validator.ts): no run loads ajv's
 * compiler. test/config.test.ts proves the committed code matches the spec.
 */
const validator = compiledValidator as unknown as ValidateFunction;

function validate(raw: unknown): void {
  if (!validator(raw)) {
    const first = validator.errors?.[0];
    throw new ConfigError(first ? describeAjvError(first) : 'The config is invalid.');
  }
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Check the rules JSON Schema cannot express; return the origin the token may be sent to. */
export function parseApiUrl(value: string, field = 'api_url'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`The config field '${field}' is not a valid URL.`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`The config field '${field}' must not contain a user name or password.`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new ConfigError(`The config field '${field}' must be a bare origin such as https://api.digitalocean.com, without a path or query.`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigError(`The config field '${field}' must use https; plain http is accepted only for a loopback host.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`The config field '${field}' must use https.`);
  }
  return url.origin;
}

/**
 * Shortest token accepted. Every DigitalOcean token is far longer (legacy ones 64 hex characters,
 * current ones `dop_v1_` plus 64 hex), and a value this long is no common word, so redacting the token
 * from messages cannot garble ordinary text. Mirrors minLength in spec.json.
 */
export const MIN_TOKEN_LENGTH = 16;

function checkToken(token: string): void {
  if (token.trim() === '') throw new ConfigError("The config field 'api_token' is empty.");
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(`The config field 'api_token' is too short to be a DigitalOcean token (at least ${MIN_TOKEN_LENGTH} characters); paste the whole token.`);
  }
  // A pasted token with a newline or a space would be sent as a broken header; say so instead.
  if (/[\s\x00-\x1f\x7f]/.test(token)) {
    throw new ConfigError("The config field 'api_token' contains whitespace or control characters; paste the token alone.");
  }
  // Anything beyond printable ASCII (a typographic quote picked up with the paste) cannot go in an HTTP
  // header: fetch would fail every request with an error that looks like a network failure.
  if (/[^\x21-\x7e]/.test(token)) {
    throw new ConfigError("The config field 'api_token' contains characters that are not plain ASCII (such as typographic quotes); paste the token alone.");
  }
}

/** Validate a parsed config file against spec.json and the rules beyond it; apply defaults. */
export function parseConfig(raw: unknown): SourceConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object.');
  }
  // Tools that build configs from forms (PyAirbyte, Meltano) send unset optional fields as null.
  const input = Object.fromEntries(Object.entries(raw).filter(([key, value]) => value !== null || key === 'api_token'));
  // The token's own rules first: they say more than the schema's generic length message.
  if (typeof input.api_token === 'string') checkToken(input.api_token);
  validate(input);
  const token = input.api_token as string;
  const apiUrl = typeof input.api_url === 'string' ? input.api_url : (defaultOf('api_url') as string);
  return {
    apiToken: token,
    apiOrigin: parseApiUrl(apiUrl),
    startDate: typeof input.start_date === 'string' ? input.start_date : undefined,
    requestsPerMinute: (input.requests_per_minute as number | undefined) ?? (defaultOf('requests_per_minute') as number),
    maxConcurrency: (input.max_concurrency as number | undefined) ?? (defaultOf('max_concurrency') as number),
    maxResponseBytes: ((input.max_response_size_mb as number | undefined) ?? (defaultOf('max_response_size_mb') as number)) * 1024 * 1024,
    maxPagesPerList: (input.max_pages_per_list as number | undefined) ?? (defaultOf('max_pages_per_list') as number),
    spaces: parseSpaces(input),
    ...(input.exhaustive_fanout === true ? { exhaustiveFanout: true } : {}),
    ...(typeof input.request_budget === 'number' ? { requestBudget: input.request_budget } : {}),
    ...(input.freshness_hours_scale !== undefined || input.freshness_hours !== undefined
      ? { freshness: { hoursScale: (input.freshness_hours_scale as number | undefined) ?? (defaultOf('freshness_hours_scale') as number), hours: parseFreshnessHours(input.freshness_hours) } }
      : {}),
  };
}

/** Per-stream bounds: only streams that have one (a freshness class) may be named. */
function parseFreshnessHours(raw: unknown): Record<string, number> {
  if (raw === undefined) return {};
  // A list of {stream, hours}, not an object keyed by stream: Airbyte's UI cannot show an object without
  // properties, and its acceptance tests refuse one (TestSpec.test_object_not_empty).
  const hours: Record<string, number> = {};
  for (const { stream, hours: bound } of raw as { stream: string; hours: number }[]) {
    if (!findStream(stream)?.freshness) {
      throw new ConfigError(`The config field 'freshness_hours' names '${stream.slice(0, 80)}', which is not a stream with a freshness bound; see the README's freshness table for the streams that have one.`);
    }
    hours[stream] = bound;
  }
  return hours;
}

/** The Spaces key is optional, but its two halves go together; a key pasted with whitespace would sign wrongly. */
function parseSpaces(input: Record<string, unknown>): SpacesConfig | undefined {
  const id = input.spaces_access_key_id;
  const secret = input.spaces_secret_access_key;
  if (id === undefined && secret === undefined) return undefined;
  if (typeof id !== 'string' || typeof secret !== 'string') {
    const missing = id === undefined ? 'spaces_access_key_id' : 'spaces_secret_access_key';
    throw new ConfigError(`The config field '${missing}' is missing: a Spaces key needs both its access key ID and its secret.`);
  }
  for (const [field, value] of [['spaces_access_key_id', id], ['spaces_secret_access_key', secret]] as const) {
    if (/[^\x21-\x7e]/.test(value)) throw new ConfigError(`The config field '${field}' contains whitespace or characters that are not plain ASCII; paste the key alone.`);
  }
  return {
    accessKeyId: id,
    secretAccessKey: secret,
    regions: [...((input.spaces_regions as string[] | undefined) ?? (defaultOf('spaces_regions') as string[]))],
    endpoint: typeof input.spaces_endpoint === 'string' ? parseApiUrl(input.spaces_endpoint, 'spaces_endpoint') : undefined,
  };
}
