import { STREAMS } from '../streams/index.js';
import type { StreamDef } from '../streams/types.js';
import { hasPlaceholder, withNilIds, type ProbeOutcome, type Prober } from './probe.js';

/** The scope check asks about first: every other probe is pointless without it. */
export const ACCOUNT_PATH = '/v2/account';

/**
 * How one scope is probed. `list`: the first page (one record) of a top-level list that needs the scope.
 * `nil-id`: for a scope reachable only below a parent, a child path about a parent that cannot exist.
 */
export interface ScopeProbe {
  scope: string;
  kind: 'list' | 'nil-id';
  stream: StreamDef;
  path: string;
  query: Readonly<Record<string, string>>;
  bucket?: { key: string; limit: number; windowMs: number };
}

/**
 * What a probe says about its scope. `not_found` comes only from a nil-id probe: the scope is granted if
 * DigitalOcean checks scopes before it looks ids up, and unknown otherwise (see calibration).
 */
export type ProbeFinding = 'granted' | 'missing' | 'not_found' | 'rejected' | 'error';

export interface ScopeResult {
  probe: ScopeProbe;
  outcome: ProbeOutcome;
  finding: ProbeFinding;
}

/** The distinct scopes the given streams need, in table order. Rows with a null scope need none. */
export function neededScopes(streams: readonly StreamDef[] = STREAMS): string[] {
  return [...new Set(streams.flatMap((def) => (def.scope ? [def.scope] : [])))];
}

/** Every scope reading a stream takes: its own and its ancestors' (a child is read through its parents). */
export function requiredScopes(def: StreamDef, streams: readonly StreamDef[] = STREAMS): string[] {
  const scopes: string[] = [];
  const seen = new Set<string>();
  const parentOf = (row: StreamDef) => (row.parent ? streams.find((d) => d.name === row.parent?.stream) : undefined);
  for (let row: StreamDef | undefined = def; row && !seen.has(row.name); row = parentOf(row)) {
    seen.add(row.name);
    if (row.scope && !scopes.includes(row.scope)) scopes.push(row.scope);
  }
  return scopes;
}

/** The streams a missing scope disables, directly or through a parent. */
export function streamsDisabledBy(scope: string, streams: readonly StreamDef[] = STREAMS): StreamDef[] {
  return streams.filter((def) => requiredScopes(def, streams).includes(scope));
}

/**
 * The query that makes a list probe cheap: one record when the list pages. A row whose parent only
 * fills query parameters (NFS: `?region=`) gets the sample values its link names.
 */
export function cheapQuery(def: StreamDef): Record<string, string> {
  const query = { ...(def.query ?? {}), ...(def.parent?.queryKeys ?? {}) };
  return def.pagination === 'none' ? query : { ...query, per_page: '1' };
}

/** A list that can be asked for with no parent record: no path placeholder, and no parent key outside the query. */
function listableAlone(def: StreamDef): boolean {
  if (hasPlaceholder(def.path)) return false;
  const link = def.parent;
  return !link || Object.keys(link.keys).every((field) => link.queryKeys?.[field] !== undefined);
}

export function bucketOf(def: StreamDef): ScopeProbe['bucket'] {
  return def.rateLimit ? { key: def.path, limit: def.rateLimit.requests, windowMs: def.rateLimit.windowMs } : undefined;
}

/** One probe per needed scope: a top-level list when one needs the scope, else a nil-id child path. */
export function planScopeProbes(streams: readonly StreamDef[] = STREAMS): ScopeProbe[] {
  return neededScopes(streams).map((scope) => {
    const top = streams.find((def) => def.scope === scope && listableAlone(def));
    if (top) return { scope, kind: 'list', stream: top, path: top.path, query: cheapQuery(top), bucket: bucketOf(top) };
    const child = streams.find((def) => def.scope === scope) as StreamDef;
    return { scope, kind: 'nil-id', stream: child, path: withNilIds(child.path), query: {}, bucket: bucketOf(child) };
  });
}

export function findingOf(outcome: ProbeOutcome, kind: ScopeProbe['kind']): ProbeFinding {
  if (outcome.ok) return 'granted';
  switch (outcome.error.kind) {
    case 'forbidden':
      return 'missing';
    case 'unauthorized':
      return 'rejected';
    case 'not_found':
      return kind === 'nil-id' ? 'not_found' : 'error';
    default:
      return 'error';
  }
}

/** Runs every scope probe at once (the client keeps them within the rate limit and the concurrency bound). */
export async function runScopeReport(prober: Prober, streams: readonly StreamDef[] = STREAMS): Promise<ScopeResult[]> {
  return Promise.all(
    planScopeProbes(streams).map(async (probe) => {
      const outcome = await prober.get(probe.path, probe.query, probe.bucket);
      return { probe, outcome, finding: findingOf(outcome, probe.kind) };
    }),
  );
}

/** Scopes proven missing, in table order. */
export function missingScopes(results: readonly ScopeResult[]): string[] {
  return results.filter((r) => r.finding === 'missing').map((r) => r.probe.scope);
}

/** A stream belongs in the catalog unless a scope it requires is proven missing. */
export function readableStreams(results: readonly ScopeResult[], streams: readonly StreamDef[] = STREAMS): StreamDef[] {
  const missing = new Set(missingScopes(results));
  return streams.filter((def) => !requiredScopes(def, streams).some((scope) => missing.has(scope)));
}
