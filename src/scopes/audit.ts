import type { ApiError } from '../http/errors.js';
import { extractRecords } from '../records/shape.js';
import { STREAMS } from '../streams/index.js';
import type { StreamDef } from '../streams/types.js';
import {
  calibrate,
  calibrationRequestBound,
  FORBIDDEN_SCOPES,
  judgeForbidden,
  needsCalibration,
  type Calibration,
  type ForbiddenScope,
  type ForbiddenVerdict,
  type PassiveProof,
} from './forbidden.js';
import { findCredentialLeaks, GUARDED_SCOPE, revealsCredentials } from './leak.js';
import type { ProbeOutcome, Prober } from './probe.js';
import { ACCOUNT_PATH, bucketOf, cheapQuery, planScopeProbes, runScopeReport, type ScopeResult } from './report.js';

/** A needed scope as check reports it. `unknown`: a nil-id probe answered 404 on a lookup-first API. */
export type ScopeState = 'granted' | 'missing' | 'unknown' | 'error';

export interface ScopeStatus {
  scope: string;
  state: ScopeState;
  /** Why the state is unknown or error. */
  detail?: string;
}

export interface ForbiddenResult {
  forbidden: ForbiddenScope;
  outcome: ProbeOutcome;
  verdict: ForbiddenVerdict;
}

export type TokenAudit =
  /** GET /v2/account failed: nothing else was asked. */
  | { kind: 'account_failed'; error: ApiError }
  | {
      kind: 'audited';
      scopes: ScopeStatus[];
      forbidden: ForbiddenResult[];
      /** Present when some nil-id answer needed it. */
      calibration?: Calibration;
      passive: PassiveProof;
      /** A 401 on a later probe (the token was revoked during check). */
      rejected?: ApiError;
    };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Records of a successful probe, or none when the body is not what the row describes. */
function recordsOf(def: StreamDef, outcome: ProbeOutcome): Record<string, unknown>[] {
  if (!outcome.ok || !isObject(outcome.body)) return [];
  try {
    return extractRecords(def, outcome.body);
  } catch {
    return [];
  }
}

/**
 * Child lists whose records carry database secrets (users, replicas, pools), each asked about the first
 * suitable parent that the scope report's own list probe returned. No other request is made for them.
 */
export function passiveChildren(streams: readonly StreamDef[] = STREAMS): StreamDef[] {
  const probed = new Set(planScopeProbes(streams).filter((p) => p.kind === 'list').map((p) => p.stream.name));
  return streams.filter((def) => def.parent && probed.has(def.parent.stream) && revealsCredentials(def.name));
}

function childPath(def: StreamDef, parent: Record<string, unknown>): string | undefined {
  const link = def.parent;
  if (!link) return undefined;
  if (link.filter && !link.filter.values.includes(String(parent[link.filter.field]))) return undefined;
  let complete = true;
  const path = def.path.replace(/\{([a-z_]+)\}/g, (_, field: string) => {
    const value = parent[link.keys[field] ?? ''];
    if (value === undefined || value === null || value === '' || typeof value === 'object') complete = false;
    return encodeURIComponent(String(value));
  });
  return complete ? path : undefined;
}

async function passiveProof(prober: Prober, report: readonly ScopeResult[], fetchChildren: boolean, streams: readonly StreamDef[]): Promise<PassiveProof> {
  const proof: PassiveProof = { inspected: 0 };
  const inspect = (def: StreamDef, outcome: ProbeOutcome): Record<string, unknown>[] => {
    const records = recordsOf(def, outcome);
    if (!revealsCredentials(def.name)) return records;
    proof.inspected += records.length;
    for (const record of proof.leakIn ? [] : records) {
      const found = findCredentialLeaks(def.name, record);
      if (found.length === 0) continue;
      proof.leakIn = def.name;
      proof.leakFields = found;
      break;
    }
    return records;
  };
  const parents = new Map<string, Record<string, unknown>[]>();
  for (const result of report) {
    if (result.probe.stream.scope === GUARDED_SCOPE) parents.set(result.probe.stream.name, inspect(result.probe.stream, result.outcome));
  }
  if (!fetchChildren || proof.leakIn) return proof;
  await Promise.all(
    passiveChildren(streams).map(async (def) => {
      const candidates = parents.get(def.parent?.stream ?? '') ?? [];
      const path = candidates.map((parent) => childPath(def, parent)).find((p) => p !== undefined);
      if (path) inspect(def, await prober.get(path, cheapQuery(def), bucketOf(def)));
    }),
  );
  return proof;
}

/** A nil-id scope probe's 404, read through the calibration. */
function resolveScope(result: ScopeResult, calibration: Calibration | undefined): ScopeStatus {
  const { scope } = result.probe;
  switch (result.finding) {
    case 'granted':
    case 'missing':
      return { scope, state: result.finding };
    case 'not_found':
      if (!calibration || calibration.kind === 'scope-first' || calibration.kind === 'none') return { scope, state: 'granted' };
      return { scope, state: 'unknown', detail: `GET ${result.probe.path} answered 404, which proves nothing on this API` };
    default:
      return { scope, state: 'error', detail: result.outcome.ok ? undefined : result.outcome.error.message };
  }
}

/**
 * Everything check needs to know about the token, in at most `checkRequestBound()` distinct requests:
 * the account, one probe per needed scope, one nil-id probe per forbidden scope, then (only when their
 * answers need it) the passive child lists and the calibration.
 */
export async function auditToken(prober: Prober, streams: readonly StreamDef[] = STREAMS): Promise<TokenAudit> {
  const account = await prober.get(ACCOUNT_PATH);
  if (!account.ok) return { kind: 'account_failed', error: account.error };

  const [report, outcomes] = await Promise.all([
    runScopeReport(prober, streams),
    Promise.all(FORBIDDEN_SCOPES.map((forbidden) => prober.get(forbidden.probePath))),
  ]);

  // The passive proof matters only when its nil-id probe did not already prove the scope absent (403).
  const passiveUndecided = FORBIDDEN_SCOPES.some((f, i) => {
    const outcome = outcomes[i];
    return f.passive && (outcome.ok || outcome.error.kind !== 'forbidden');
  });
  const passive = await passiveProof(prober, report, passiveUndecided, streams);

  const calibrationNeeded =
    report.some((r) => r.finding === 'not_found') ||
    FORBIDDEN_SCOPES.some((f, i) => needsCalibration(outcomes[i]) && !(f.passive && passive.leakIn));
  const calibration = calibrationNeeded ? await calibrate(prober, report, streams) : undefined;

  const rejectedResult = report.find((r) => r.finding === 'rejected');
  return {
    kind: 'audited',
    scopes: report.map((r) => resolveScope(r, calibration)),
    forbidden: FORBIDDEN_SCOPES.map((forbidden, i) => ({
      forbidden,
      outcome: outcomes[i],
      verdict: judgeForbidden(forbidden, outcomes[i], calibration, passive),
    })),
    calibration,
    passive,
    rejected: rejectedResult && !rejectedResult.outcome.ok ? rejectedResult.outcome.error : undefined,
  };
}

/**
 * The most distinct requests `check` can make (each may be retried by the HTTP client): the account, one
 * per needed scope (the account's own probe is the same request), one per forbidden scope, one per
 * passive child list, and the calibration's worst case.
 */
export function checkRequestBound(streams: readonly StreamDef[] = STREAMS): number {
  const scopeProbes = planScopeProbes(streams).filter((p) => !(p.path === ACCOUNT_PATH && Object.keys(p.query).length === 0)).length;
  return 1 + scopeProbes + FORBIDDEN_SCOPES.length + passiveChildren(streams).length + calibrationRequestBound(streams);
}

/** The most distinct requests `discover` can make: the account and one per needed scope. */
export function discoverRequestBound(streams: readonly StreamDef[] = STREAMS): number {
  return 1 + planScopeProbes(streams).filter((p) => !(p.path === ACCOUNT_PATH && Object.keys(p.query).length === 0)).length;
}
