import { isMasked, uriHasCredentials } from '../records/credentials.js';
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

export { uriHasCredentials };

function leafOf(path: string): string {
  const steps = parseStripPath(path);
  return steps.length > 0 ? steps[steps.length - 1].name : '';
}

/** Pushes onto `out` the path (`users[].password`) of each value at `steps` below `node` that `test` accepts. */
function collectAt(
  node: unknown,
  steps: readonly StripStep[],
  at: number,
  test: (value: unknown) => boolean,
  path: string,
  out: string[],
  depth = 0,
): void {
  if (depth > 16 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectAt(item, steps, at, test, `${path}[]`, out, depth + 1);
    return;
  }
  const object = node as Record<string, unknown>;
  const { name, deep } = steps[at];
  const last = at === steps.length - 1;
  for (const [key, value] of Object.entries(object)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (key === name) {
      if (!last) collectAt(value, steps, at + 1, test, here, out, depth + 1);
      else if (test(value)) out.push(here);
    }
    if (deep && key !== name) collectAt(value, steps, at, test, here, out, depth + 1);
  }
}

/** Paths of every string in `node` holding a URI with a password, whatever its key (`connection.ssl_uri`). */
function collectUris(node: unknown, path: string, out: string[], depth = 0): void {
  if (depth > 16 || node === null) return;
  if (typeof node === 'string') {
    if (uriHasCredentials(node)) out.push(path);
  } else if (Array.isArray(node)) {
    for (const item of node) collectUris(item, `${path}[]`, out, depth + 1);
  } else if (typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) collectUris(value, path === '' ? key : `${path}.${key}`, out, depth + 1);
  }
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
 * The fields of a raw record (before secrets are stripped) of the named stream that carry a non-empty
 * password, access key or certificate, or a URI with a password, where DigitalOcean hides them from
 * tokens without `database:view_credentials`: if any, the token holds that scope. Every one of them is
 * removed before output (they sit at the row's strip paths, or are URIs the credential detector
 * removes). Returns paths like `users[].password`, never a value; empty when nothing was found.
 */
export function findCredentialLeaks(streamName: string, rawRecord: unknown): string[] {
  const list = watchesOf(streamName);
  if (list.length === 0 || rawRecord === null || typeof rawRecord !== 'object') return [];
  const found: string[] = [];
  for (const w of list) collectAt(rawRecord, w.steps, 0, w.test, '', found);
  collectUris(rawRecord, '', found);
  return [...new Set(found)];
}

/** Whether a raw record of the named stream reveals database credentials (see findCredentialLeaks). */
export function detectCredentialLeak(streamName: string, rawRecord: unknown): boolean {
  return findCredentialLeaks(streamName, rawRecord).length > 0;
}

/** The WARN line for a read whose records revealed credentials at `found` (they are removed all the same). */
export function overPrivilegedWarning(streamName: string, found: readonly string[] = []): string {
  const what = found.length > 0 ? `database credentials (${found.join(', ')})` : 'database credentials';
  return (
    `The API token is over-privileged: a record of stream '${streamName}' carries ${what}, so the token ` +
    "holds the scope 'database:view_credentials'. These fields were removed before output (their values are never " +
    'logged), but this source never needs that scope: replace the token with a custom-scoped, read-only token without ' +
    'database:view_credentials.'
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
    if (warned) return undefined;
    const found = findCredentialLeaks(streamName, rawRecord);
    if (found.length === 0) return undefined;
    warned = true;
    return overPrivilegedWarning(streamName, found);
  };
}
