/**
 * The credential detector: defence in depth behind the per-stream strip lists. Strip lists name the
 * secrets DigitalOcean documents; this catches the ones it does not (godo fields the OpenAPI omits, a
 * user's token pasted into a URL, a nested password). It runs on every record, after stripping, in one
 * walk that mutates the record in place; it never reads a value twice and never serialises the record.
 *
 * It removes:
 * - a string holding a URI with a password in its user info (`scheme://user:password@host`), or with
 *   a user info that is itself a token (`https://ghp_…@github.com/…`, the way Git hosts take tokens);
 * - a string holding a PEM private-key block;
 * - a string that is an HTTP credential (`Bearer …`, `Basic …`);
 * - a string or number under a credential-named key (see CREDENTIAL_TERMS);
 * - the `value` of a `{key, value}` pair in a list of headers or environment variables, or whose `key`
 *   is itself credential-named (`Authorization`, `DB_PASSWORD`), or whose `type` is `SECRET`.
 */

/** Why a value was removed; the LOG line groups removals by path and reason. */
export type RemovalReason =
  | 'strip list'
  | 'URI with credentials'
  | 'private key'
  | 'HTTP credential'
  | 'credential-named key'
  | 'header or env value';

/**
 * A key is credential-named when, split into lower-case words (`accessToken` → `access_token`,
 * `X-Api-Key` → `x_api_key`), it is one of these or ends with `_` + one of these. Matching the END of
 * the key is what keeps `token_expires_at`, `password_last_changed`, `certificate_expires_at`,
 * `api_key_uuid`, `thinking_token_budget` or `innodb_ft_max_token_size` (all in DigitalOcean's schemas)
 * out without an allowlist; the words "token(s)" as LLM counts (`max_tokens`) are plural and not listed.
 */
const CREDENTIAL_TERMS = [
  'password', 'passwd', 'passphrase', 'secret', 'secrets', 'private_key', 'auth_key', 'api_key', 'api_keys',
  'access_key', 'secret_key', 'token', 'bearer', 'authorization', 'credential', 'credentials', 'cookie',
  'signing_key', 'encryption_key', 'session_key', 'dsn',
];

/**
 * Keys that match the rule above but are not secrets, per stream, as record paths. Keep it short; each
 * entry says why.
 */
const NOT_SECRET: Readonly<Record<string, readonly string[]>> = {
  // The Spaces access key id (the stream's primary key); the secret half is `secret_key`, which the API
  // returns only once, at creation (OpenAPI `spaces_key`: "access_key: The Access Key ID used to access
  // a bucket"; godo spaces_keys.go `SpacesKey.AccessKey`).
  spaces_keys: ['access_key'],
};

/** Lists whose `{key, value}` elements are headers or environment variables: every value goes. */
const PAIR_LISTS = new Set(['headers', 'envs', 'env', 'environment', 'env_vars', 'environment_variables', 'variables', 'secrets']);

const termPattern = new RegExp(`(^|_)(${CREDENTIAL_TERMS.join('|')})$`);
const nameCache = new Map<string, boolean>();

/** Whether a key names a credential (cached: the same few hundred keys recur in every record). */
export function isCredentialKey(key: string): boolean {
  let named = nameCache.get(key);
  if (named === undefined) {
    const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
    named = termPattern.test(words);
    if (nameCache.size < 10_000) nameCache.set(key, named);
  }
  return named;
}

/** A value DigitalOcean (or a proxy) shows in place of a hidden secret. */
export function isMasked(value: string): boolean {
  return /^[*x\u2022.\s-]*$/i.test(value) || /^(redacted|hidden|null|<redacted>)$/i.test(value.trim());
}

/** Prefixes of tokens Git hosts and DigitalOcean issue, taken as a user name in clone URLs. */
const TOKEN_USER = /^(gh[pousr]_|github_pat_|glpat-|dop_v1_|x-access-token$|oauth2$)/i;

function userInfoIsCredential(userInfo: string): boolean {
  const colon = userInfo.indexOf(':');
  if (colon < 0) {
    // A user name alone: a token when it has a token's prefix, or is long, opaque and mixes digits and letters.
    return TOKEN_USER.test(userInfo) || (userInfo.length >= 20 && /^[A-Za-z0-9_-]+$/.test(userInfo) && /[0-9]/.test(userInfo) && /[A-Za-z]/.test(userInfo));
  }
  let password = userInfo.slice(colon + 1);
  try {
    password = decodeURIComponent(password);
  } catch {
    // A malformed escape is still a password-shaped value.
  }
  return password.length > 0 && !isMasked(password);
}

const URI_USERINFO = /[a-z][a-z0-9+.-]*:\/\/([^\s/?#@]+)@/gi;

/** Whether a string holds, anywhere, a URI whose user info is a credential. */
export function uriHasCredentials(value: string): boolean {
  if (value.indexOf('://') < 0 || value.indexOf('@') < 0) return false;
  URI_USERINFO.lastIndex = 0;
  for (let match = URI_USERINFO.exec(value); match; match = URI_USERINFO.exec(value)) {
    if (userInfoIsCredential(match[1])) return true;
  }
  return false;
}

const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
/**
 * `Bearer <token>` and the like: one opaque word of at least 8 characters holding a digit or a token
 * punctuation mark, so that prose ("Basic authentication", "Token rotation") is not taken for one.
 */
const HTTP_CREDENTIAL = /^(bearer|basic|token|digest)\s+(?=[A-Za-z._~+/=:-]*[0-9._~+/=-])[A-Za-z0-9._~+/=:-]{8,}\s*$/i;
/** Lower-case char codes of b, t, d. */
const SCHEME_INITIALS = new Set([0x62, 0x74, 0x64]);

/** Why a string is a secret by its content alone, or undefined. */
export function secretByContent(value: string): RemovalReason | undefined {
  if (value.length < 8) return undefined;
  if (value.indexOf('PRIVATE KEY') >= 0 && PEM_PRIVATE.test(value)) return 'private key';
  if (uriHasCredentials(value)) return 'URI with credentials';
  // Only strings opening with a scheme's first letter (b, t, d, any case) can be one: most skip the regex.
  if (value.length < 120 && SCHEME_INITIALS.has(value.charCodeAt(0) | 0x20) && HTTP_CREDENTIAL.test(value)) return 'HTTP credential';
  return undefined;
}

export type OnRemove = (path: string, reason: RemovalReason) => void;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A path as the LOG line shows it: `spec.services[].envs[].value`. */
function render(stack: readonly string[]): string {
  let out = '';
  for (const part of stack) out += part === '[]' ? part : out === '' ? part : `.${part}`;
  return out;
}

/**
 * Whether a value under a credential-named key is one to remove: a non-empty string, or a number (a PIN
 * or numeric key is still a secret). Booleans stay: one bit carries no credential, and DigitalOcean uses
 * them under such names as flags (app specs' CORS `allow_credentials`, OpenAPI apps_cors_policy). An
 * object or list under such a name is walked, not dropped: genai agents' `openai_api_key` /
 * `anthropic_api_key` are key descriptions (uuid, name, created_by; OpenAPI apiOpenAIAPIKeyInfo), and a
 * secret inside them still meets the rules below.
 */
function removable(value: unknown): boolean {
  return (typeof value === 'string' && value.length > 0) || typeof value === 'number' || typeof value === 'bigint';
}

function isPairList(listKey: string | undefined, element: Record<string, unknown>): boolean {
  if (!('value' in element) || typeof element.key !== 'string') return false;
  if (listKey !== undefined && PAIR_LISTS.has(listKey)) return true;
  return isCredentialKey(element.key) || (typeof element.type === 'string' && element.type.toUpperCase() === 'SECRET');
}

/**
 * The detector for one stream; `scrub` removes what it finds from a record (in place) and reports
 * each removal's path and reason, never its value.
 */
export class CredentialDetector {
  private readonly allowed: ReadonlySet<string>;
  private readonly stack: string[] = [];
  private onRemove: OnRemove = () => undefined;

  constructor(stream: string) {
    this.allowed = new Set(NOT_SECRET[stream] ?? []);
  }

  scrub(record: Record<string, unknown>, onRemove: OnRemove): void {
    this.onRemove = onRemove;
    this.stack.length = 0;
    this.object(record);
  }

  private remove(container: Record<string, unknown>, key: string, reason: RemovalReason): void {
    this.stack.push(key);
    const path = render(this.stack);
    this.stack.pop();
    if (reason === 'credential-named key' && this.allowed.has(path)) return;
    delete container[key];
    this.onRemove(path, reason);
  }

  private object(node: Record<string, unknown>, listKey?: string): void {
    const pair = listKey !== undefined && isPairList(listKey, node);
    const keys = Object.keys(node);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const value = node[key];
      if (typeof value === 'string') {
        if (pair && key === 'value' && value.length > 0) {
          this.remove(node, key, 'header or env value');
          continue;
        }
        const reason = secretByContent(value);
        if (reason) this.remove(node, key, reason);
        else if (value.length > 0 && isCredentialKey(key)) this.remove(node, key, 'credential-named key');
      } else if (value !== null && typeof value === 'object') {
        this.stack.push(key);
        const listSecret = Array.isArray(value) ? this.array(value, key) : (this.object(value as Record<string, unknown>), undefined);
        this.stack.pop();
        if (listSecret) this.remove(node, key, listSecret);
      } else if (removable(value) && ((pair && key === 'value') || isCredentialKey(key))) {
        this.remove(node, key, pair && key === 'value' ? 'header or env value' : 'credential-named key');
      }
    }
  }

  /**
   * Walks a list; returns a reason when it holds a secret scalar: a list of secrets (`api_keys: ["…"]`)
   * goes whole, its other elements being no safer.
   */
  private array(list: unknown[], key: string): RemovalReason | undefined {
    this.stack.push('[]');
    let found: RemovalReason | undefined;
    for (const item of list) {
      if (isObject(item)) this.object(item, key);
      else if (Array.isArray(item)) found ??= this.array(item, key);
      else if (typeof item === 'string') found ??= secretByContent(item) ?? (item.length > 0 && isCredentialKey(key) ? 'credential-named key' : undefined);
      else if (removable(item) && isCredentialKey(key)) found ??= 'credential-named key';
    }
    this.stack.pop();
    return found;
  }
}

/** Paths and reasons the detector would remove from a value, without changing it (for tests and checks). */
export function findCredentials(stream: string, value: unknown): string[] {
  if (!isObject(value)) return [];
  const found: string[] = [];
  new CredentialDetector(stream).scrub(structuredClone(value), (path, reason) => found.push(`${path} (${reason})`));
  return found;
}
