/**
 * What the API token may do, learnt by probing: the scope report (which optional scopes are missing and
 * which streams they disable), the proof that the token holds no forbidden scope, and the passive proof
 * used during read. Uses http/ and streams/ only. The code lives in src/scopes/.
 */
export { auditToken, checkRequestBound, discoverRequestBound, passiveChildren, type ScopeStatus, type TokenAudit } from './scopes/audit.js';
export { EXTRA_CALIBRATION_SCOPES, FORBIDDEN_SCOPES, type Calibration, type ForbiddenScope, type ForbiddenVerdict } from './scopes/forbidden.js';
export { createLeakWatch, detectCredentialLeak, overPrivilegedWarning } from './scopes/leak.js';
export { NIL_ID, Prober } from './scopes/probe.js';
export { ACCOUNT_PATH, readableStreams, requiredScopes, runScopeReport, streamsDisabledBy, type ScopeResult } from './scopes/report.js';
