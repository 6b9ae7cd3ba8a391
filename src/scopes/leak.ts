import { parseStripPath, type StripStep } from '../records/strip.js';
import { findStream } from '../streams/index.js';

/**
 * The passive proof of `database:view_credentials`: DigitalOcean hides database passwords, and the
 * passwords inside connection URIs, from tokens without that scope. A record listed with `database:read`
 * that still carries one proves the token holds the scope. Only looks; never logs or keeps a value.
 */

/** The scope whose records reveal the credentials when the token also holds database:view_credentials. */
export const GUARDED_SCOPE = 'database:read';

/** Strip-path leaves DigitalOcean empties for tokens without the scope: passwords, keys, certificates, URIs. */
const SECRET_LEAVES: ReadonlySet<string> = new Set(['password', 'access_key', 'access_cert']);
const URI_LEAF = 'uri';

/** A value DigitalOcean (or a proxy) uses in place of a hidden secret. */
function isMasked(value: string): boolean {
  return /^[*x\u2022.\s-]*$/i.test(value) || /^(redacted|hidden|null|<redacted>)$/i.test(value.trim());
}

/** Whether a URI names a password in its user info (`scheme://user:password@host`). */
export function uriHasCredentials(value: string): boolean {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(value.trim());
  if (!match) return false;
  const colon = match[1].indexOf(':');
  if (colon < 0) return false;
  let password = match[1].slice(colon + 1);
  try {
    password = decodeURIComponent(password);
  } catch {
    // A malformed escape is still a password-shaped value.
  }
  return password.length > 0 && !isMasked(password);
}

function leafOf(path: string): string {
  const steps = parseStripPath(path);
  return steps.length > 0 ? steps[steps.length - 1].name : '';
}

/** Whether `test` holds for some value at `steps` below `node`. */
function anyAt(node: unknown, steps: readonly StripStep[], at: number, test: (value: unknown) => boolean, depth = 0): boolean {
  if (depth > 16 || node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((item) => anyAt(item, steps, at, test, depth + 1));
  const object = node as Record<string, unknown>;
  const { name, deep } = steps[at];
  const last = at === steps.length - 1;
  for (const [key, value] of Object.entries(object)) {
    if (key === name && (last ? test(value) : anyAt(value, steps, at + 1, test, depth + 1))) return true;
    if (deep && key !== name && anyAt(value, steps, at, test, depth + 1)) return true;
  }
  return false;
}

function isSecretValue(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && !isMasked(value);
}

interface Watch {
  steps: StripStep[];
  test(value: unknown): boolean;
}

const watches = new Map<string, Watch[]>();

/**
 * Where the passive proof looks in a stream's records: its strip paths ending in a password, access key,
 * certificate or URI. Only rows needing database:read whose strip paths include a password take part
 * (clusters, users, replicas, pools): other secrets (log sink URLs, app env vars) are not governed by
 * database:view_credentials and prove nothing about it.
 */
function watchesOf(streamName: string): Watch[] {
  let found = watches.get(streamName);
  if (!found) {
    const def = findStream(streamName);
    found = [];
    if (def && def.scope === GUARDED_SCOPE && def.strip.some((path) => leafOf(path) === 'password')) {
      for (const path of def.strip) {
        const leaf = leafOf(path);
        if (SECRET_LEAVES.has(leaf)) found.push({ steps: parseStripPath(path), test: isSecretValue });
        else if (leaf === URI_LEAF) found.push({ steps: parseStripPath(path), test: (v) => typeof v === 'string' && uriHasCredentials(v) });
      }
    }
    watches.set(streamName, found);
  }
  return found;
}

/** Whether the passive proof looks at this stream's records at all. */
export function revealsCredentials(streamName: string): boolean {
  return watchesOf(streamName).length > 0;
}

/**
 * True when a raw record (before secrets are stripped) of the named stream carries a non-empty password,
 * access key or certificate, or a URI with a password, where DigitalOcean hides them from tokens without
 * `database:view_credentials`: the token holds that scope. Never logs or keeps a value.
 */
export function detectCredentialLeak(streamName: string, rawRecord: unknown): boolean {
  const list = watchesOf(streamName);
  return list.length > 0 && list.some((w) => anyAt(rawRecord, w.steps, 0, w.test));
}

/** The WARN line for a read whose records revealed credentials (they are stripped all the same). */
export function overPrivilegedWarning(streamName: string): string {
  return (
    `The API token is over-privileged: records of stream '${streamName}' carry database credentials, so the token ` +
    "holds the scope 'database:view_credentials'. The credentials were removed before output, but this source never " +
    'needs that scope: replace the token with a custom-scoped, read-only token without database:view_credentials.'
  );
}

/**
 * The read-time hook: call it with every raw record (before stripping); it returns the WARN message the
 * first time a record reveals credentials, and undefined otherwise. One watch per command; once it has
 * warned it stops looking, so its cost after that is a single check.
 */
export function createLeakWatch(): (streamName: string, rawRecord: unknown) => string | undefined {
  let warned = false;
  return (streamName, rawRecord) => {
    if (warned || !detectCredentialLeak(streamName, rawRecord)) return undefined;
    warned = true;
    return overPrivilegedWarning(streamName);
  };
}
