import { ApiError } from '../http/errors.js';
import { STREAMS } from '../streams/index.js';
import type { StreamDef } from '../streams/types.js';
import { NIL_ID, withNilIds, type ProbeOutcome, type Prober } from './probe.js';
import { neededScopes, type ScopeResult } from './report.js';

/** A scope this source must never be given, and a GET that needs only that scope, about an id that cannot exist. */
export interface ForbiddenScope {
  scope: string;
  /** What the scope would hand out, for the user. */
  exposes: string;
  probePath: string;
  /** Whether records listed with database:read reveal it (see leak.ts). */
  passive: boolean;
}

export const FORBIDDEN_SCOPES: readonly ForbiddenScope[] = [
  {
    scope: 'kubernetes:access_cluster',
    exposes: 'kubeconfigs with client certificates for every cluster',
    probePath: `/v2/kubernetes/clusters/${NIL_ID}/credentials`,
    passive: false,
  },
  {
    scope: 'database:view_credentials',
    exposes: 'database passwords, certificates and connection URIs',
    probePath: `/v2/vector-databases/${NIL_ID}/credentials`,
    passive: true,
  },
];

/**
 * Scopes outside the stream table, used only to calibrate when the token lacks none of the scopes the
 * streams need: each has a list (to learn the scope is missing) and a nil-UUID GET needing only that scope.
 * Chosen, in DigitalOcean's OpenAPI, among the read scopes no stream uses. Since the streams read
 * `security:read` and `dedicated_inference:read` (issue 16), none of those left (nfs:read,
 * block_storage_action:read, dedicated_inference_tokens:read) has a top-level list, so the list is one
 * below a real parent: a Volume's actions, the Volume taken from the first page of /v2/volumes (which
 * check already asks for when it probes block_storage:read). An account without Volumes cannot
 * calibrate this way. None of these answers reveals a secret.
 */
export interface CalibrationScope {
  scope: string;
  /** A list needing only `scope`; with `parent`, its `{id}` is filled with a real parent's id. */
  listPath: string;
  /** The same route about the nil UUID. */
  nilPath: string;
  /** Where the real parent comes from: the first record of a list (one record asked for). */
  parent?: { path: string; recordsKey: string; field: string };
}

export const EXTRA_CALIBRATION_SCOPES: readonly CalibrationScope[] = [
  {
    scope: 'block_storage_action:read',
    listPath: '/v2/volumes/{id}/actions',
    nilPath: `/v2/volumes/${NIL_ID}/actions`,
    parent: { path: '/v2/volumes', recordsKey: 'volumes', field: 'id' },
  },
];

/** The first record's `field` of a list answer, if there is one. */
function firstId(body: unknown, recordsKey: string, field: string): string | undefined {
  const list = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[recordsKey] : undefined;
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  const id = first !== null && typeof first === 'object' ? (first as Record<string, unknown>)[field] : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Requests one extra scope's list may take: its parent's list, then its own. */
const extraRequests = (extra: CalibrationScope): number => (extra.parent ? 2 : 1);

/**
 * How DigitalOcean orders its checks, learnt on the token itself from a scope it lacks.
 * `scope-first`: a nil-id GET needing that scope answered 403, so a 404 elsewhere means "scope granted".
 * `lookup-first`: it answered 404, so a nil-id 404 proves nothing. `none`: the token lacks no scope we
 * could calibrate with; nil-id answers are taken at face value.
 */
export type Calibration =
  | { kind: 'scope-first' | 'lookup-first'; scope: string; path: string }
  | { kind: 'none' }
  | { kind: 'rejected'; error: ApiError }
  | { kind: 'error'; scope: string; path: string; error: ApiError };

/** A nil-id GET needing only one scope the token lacks: what calibration asks. */
export interface CalibrationCandidate {
  scope: string;
  path: string;
}

/**
 * Nil-id GETs needing only `scope`: child rows of the table under a parent of the same scope, i.e. real
 * routes whose scope the table states, asked about a parent that cannot exist. (A `{list}/{id}` guess is
 * not used: its route may not exist, or may need another scope, and a 404 from it would prove nothing.)
 */
export function nilPathsFor(scope: string, streams: readonly StreamDef[] = STREAMS): string[] {
  const byName = new Map(streams.map((def) => [def.name, def] as const));
  const paths = streams
    .filter((def) => def.scope === scope && def.parent && byName.get(def.parent.stream)?.scope === scope)
    .map((def) => withNilIds(def.path));
  return [...new Set(paths)];
}

/** Nil-id GETs whose answers decide calibration before it gives up (a 404 may be a route's quirk). */
export const CALIBRATION_ATTEMPTS = 2;

type Candidate = CalibrationCandidate | { scope: string; path: string; error: ApiError };

/**
 * The candidates, lazily: first the scopes the stream probes found missing on a list endpoint; when
 * none of them has a nil-id route, the extra calibration scopes, each list probed (one record) only
 * once the previous candidates are used up.
 */
async function* candidates(
  prober: Prober,
  report: readonly ScopeResult[],
  streams: readonly StreamDef[],
  extras: readonly CalibrationScope[],
): AsyncGenerator<Candidate> {
  const missing = report.filter((r) => r.probe.kind === 'list' && r.finding === 'missing').map((r) => r.probe.scope);
  // One route per scope, so that a second attempt asks about another scope (and another service).
  const fromStreams = missing.flatMap((scope) => nilPathsFor(scope, streams).slice(0, 1).map((path) => ({ scope, path })));
  yield* fromStreams;
  if (fromStreams.length > 0) return;
  const covered = new Set(neededScopes(streams));
  for (const extra of extras) {
    if (covered.has(extra.scope)) continue;
    let listPath = extra.listPath;
    if (extra.parent) {
      const parents = await prober.get(extra.parent.path, { per_page: '1' });
      // No parent to ask about (no such resource, or its scope is missing too): this scope cannot help.
      const id = parents.ok ? firstId(parents.body, extra.parent.recordsKey, extra.parent.field) : undefined;
      if (id === undefined) continue;
      listPath = listPath.replace(/\{[^}]+\}/, encodeURIComponent(id));
    }
    const list = await prober.get(listPath, { per_page: '1' });
    if (list.ok) continue;
    // A route this API does not serve (404, other 4xx) cannot calibrate: go on. Transient trouble is
    // reported, so that it does not quietly become "no calibration" and nil-id answers taken at face value.
    if (list.error.kind === 'unauthorized' || list.error.retryable) yield { scope: extra.scope, path: listPath, error: list.error };
    else if (list.error.kind === 'forbidden') yield { scope: extra.scope, path: extra.nilPath };
  }
}

/**
 * Learns the order of DigitalOcean's checks from scopes the token lacks: a 403 on a nil-id GET proves
 * scope-first; a 404 means lookup-first unless another candidate (up to CALIBRATION_ATTEMPTS) answers 403.
 */
export async function calibrate(
  prober: Prober,
  report: readonly ScopeResult[],
  streams: readonly StreamDef[] = STREAMS,
  extras: readonly CalibrationScope[] = EXTRA_CALIBRATION_SCOPES,
): Promise<Calibration> {
  let lookupFirst: CalibrationCandidate | undefined;
  let failure: { scope: string; path: string; error: ApiError } | undefined;
  let attempts = 0;
  for await (const candidate of candidates(prober, report, streams, extras)) {
    let error: ApiError | undefined;
    if ('error' in candidate) {
      error = candidate.error;
    } else {
      attempts++;
      const outcome = await prober.get(candidate.path);
      error = outcome.ok ? unexpectedSuccess(candidate.path) : outcome.error;
    }
    const found = { scope: candidate.scope, path: candidate.path };
    if (error.kind === 'unauthorized') return { kind: 'rejected', error };
    if (error.kind === 'forbidden') return { kind: 'scope-first', ...found };
    if (error.kind === 'not_found') lookupFirst ??= found;
    else failure ??= { ...found, error };
    if (attempts >= CALIBRATION_ATTEMPTS || 'error' in candidate) break;
  }
  if (lookupFirst) return { kind: 'lookup-first', ...lookupFirst };
  if (failure) return { kind: 'error', ...failure };
  return { kind: 'none' };
}

/** A nil-id GET that answered 2xx for a scope the token lacks: an answer we cannot interpret. */
function unexpectedSuccess(path: string): ApiError {
  return new ApiError('client', path, `GET ${path} answered 2xx about an id that cannot exist, for a scope the token lacks.`);
}

/** Requests the extra scopes' lists may take (E in docs/check.md): each list, and its parent's list. */
export function extraCalibrationRequests(streams: readonly StreamDef[] = STREAMS, extras: readonly CalibrationScope[] = EXTRA_CALIBRATION_SCOPES): number {
  const covered = new Set(neededScopes(streams));
  return extras.filter((e) => !covered.has(e.scope)).reduce((n, e) => n + extraRequests(e), 0);
}

/** Most requests calibration can make: the extra scopes' lists, plus CALIBRATION_ATTEMPTS nil-id GETs. */
export function calibrationRequestBound(streams: readonly StreamDef[] = STREAMS): number {
  return extraCalibrationRequests(streams) + CALIBRATION_ATTEMPTS;
}

export type ForbiddenVerdict =
  /** 403 on the nil-id probe: the scope check ran and failed. */
  | { state: 'absent' }
  /** Proven held: a nil-id 404 with scope-first (or uncalibrated) order, a 2xx, or a leaked credential. */
  | { state: 'present'; evidence: string }
  /** A nil-id 404 on an API that looks ids up first, and no passive proof: neither proven nor disproven. */
  | { state: 'inconclusive'; passiveChecked: boolean }
  | { state: 'rejected'; error: ApiError }
  /** Could not be verified (5xx after retries, timeout, unexpected status, or calibration failed). */
  | { state: 'error'; detail: string };

/** True when a nil-id probe answered 404, which only calibration can interpret. */
export function needsCalibration(outcome: ProbeOutcome): boolean {
  return !outcome.ok && outcome.error.kind === 'not_found';
}

export interface PassiveProof {
  /** How many records that can reveal credentials (listed with database:read) were inspected. */
  inspected: number;
  /** The first stream whose records carried a credential. */
  leakIn?: string;
  /** Where, in the first such record (paths like `connection.password`, never values). */
  leakFields?: readonly string[];
}

export function judgeForbidden(
  forbidden: ForbiddenScope,
  outcome: ProbeOutcome,
  calibration: Calibration | undefined,
  passive: PassiveProof,
): ForbiddenVerdict {
  const where = `GET ${forbidden.probePath}`;
  if (forbidden.passive && passive.leakIn) {
    return {
      state: 'present',
      evidence:
        `records of stream '${passive.leakIn}' listed with database:read carry database credentials` +
        `${passive.leakFields?.length ? ` (${passive.leakFields.join(', ')})` : ''}, which DigitalOcean shows only to tokens holding it`,
    };
  }
  if (outcome.ok) return { state: 'present', evidence: `${where} (an id that cannot exist) answered ${outcome.status} instead of 403` };
  const error = outcome.error;
  switch (error.kind) {
    case 'forbidden':
      return { state: 'absent' };
    case 'unauthorized':
      return { state: 'rejected', error };
    case 'not_found':
      break;
    default:
      return { state: 'error', detail: `${where} failed: ${error.message}` };
  }
  const cal = calibration ?? { kind: 'none' };
  switch (cal.kind) {
    case 'scope-first':
      return {
        state: 'present',
        evidence: `${where} (an id that cannot exist) answered 404, not 403; this API checks scopes before it looks ids up (GET ${cal.path} answered 403 for the missing scope '${cal.scope}')`,
      };
    case 'none':
      return {
        state: 'present',
        evidence: `${where} (an id that cannot exist) answered 404, not 403, so DigitalOcean found the scope and went on to look the id up`,
      };
    case 'lookup-first':
      return { state: 'inconclusive', passiveChecked: forbidden.passive && passive.inspected > 0 };
    case 'rejected':
      return { state: 'rejected', error: cal.error };
    case 'error':
      return {
        state: 'error',
        detail: `${where} answered 404, which means something only once calibrated, and the calibration request GET ${cal.path} (about the scope '${cal.scope}') failed: ${cal.error.message}`,
      };
  }
}
