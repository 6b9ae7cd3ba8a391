import type { SourceConfig } from '../config.js';
import type { ApiError } from '../http/errors.js';
import type { ProtocolWriter } from '../protocol/writer.js';
import { createRuntime } from '../runtime.js';
import { auditToken, FORBIDDEN_SCOPES, Prober, streamsDisabledBy, type Calibration, type TokenAudit } from '../scopes.js';
import type { ForbiddenResult } from '../scopes/audit.js';
import { describeSpacesKey, judgeSpacesKey, type SpacesKeyLine } from '../scopes/spaces-key.js';

/**
 * What check found out. `SUCCEEDED` and `FAILED` are answers about the configuration, given as a
 * CONNECTION_STATUS with exit 0. `UNVERIFIED` means check could not find out (an outage, a timeout, a
 * probe that kept failing): the Airbyte platform turns a FAILED status into a configuration error it never
 * retries (airbyte-platform SyncCheckConnectionResult.buildFailureOutput → FailureHelper.checkFailure,
 * CONFIG_ERROR, retryable false), so this is reported as a transient TRACE ERROR with a non-zero exit
 * instead, as the Python CDK's entrypoint does for an exception raised in check. Never SUCCEEDED.
 */
export type CheckAnswer =
  | { status: 'SUCCEEDED' | 'FAILED'; message: string }
  | { status: 'UNVERIFIED'; message: string; internal: string };

const FORBIDDEN_NAMES = FORBIDDEN_SCOPES.map((f) => f.scope);

function quoteList(items: readonly string[]): string {
  const quoted = items.map((item) => `'${item}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

function rejected(error: ApiError): CheckAnswer {
  return {
    status: 'FAILED',
    message: `DigitalOcean rejected the API token (401 on GET ${error.path}): the token was rejected. Check that it is valid, not expired and not revoked.`,
  };
}

function accountFailure(error: ApiError): CheckAnswer {
  if (error.kind === 'unauthorized') return rejected(error);
  if (error.kind === 'forbidden') {
    return {
      status: 'FAILED',
      message: `The API token lacks the scope 'account:read' (403 on GET ${error.path}), which check needs to verify the token. Add account:read to the custom-scoped token.`,
    };
  }
  // A redirect or a 404 means api_url does not point at DigitalOcean's API: the configuration's answer.
  if (error.kind === 'redirect' || error.kind === 'not_found') {
    return { status: 'FAILED', message: `Could not verify the API token: ${error.message} Check api_url.` };
  }
  return unverified(`Could not verify the API token: ${error.message} Retrying may help.`, error);
}

/** Check could not find out: said as a transient error, with the request and its outcome for the job log. */
function unverified(message: string, error: ApiError | string): CheckAnswer {
  const internal =
    typeof error === 'string' ? error : `${error.name} ${error.kind}${error.status !== undefined ? ` ${error.status}` : ''} on GET ${error.path}`;
  return { status: 'UNVERIFIED', message, internal };
}

function scopeReport(audit: Extract<TokenAudit, { kind: 'audited' }>): string {
  const parts: string[] = [];
  const missing = audit.scopes.filter((s) => s.state === 'missing');
  if (missing.length === 0 && audit.scopes.every((s) => s.state === 'granted')) {
    parts.push(`It holds all ${audit.scopes.length} scopes the streams need.`);
  } else if (missing.length > 0) {
    // A scope that is not a read scope (function:admin, which DigitalOcean asks even to list access keys)
    // is said to be one: least privilege may well mean leaving it out.
    const each = missing.map(
      (s) => `'${s.scope}' (disables ${streamsDisabledBy(s.scope).map((d) => d.name).join(', ')}${s.scope.endsWith(':read') ? '' : '; not a read scope: grant it only if you want those streams'})`,
    );
    parts.push(`Missing optional scopes, whose streams discover leaves out: ${each.join('; ')}.`);
  }
  for (const s of audit.scopes.filter((x) => x.state === 'unknown')) {
    parts.push(`Could not tell whether the token holds '${s.scope}' (${s.detail ?? 'inconclusive'}); its streams stay in the catalog.`);
  }
  for (const s of audit.scopes.filter((x) => x.state === 'error')) {
    parts.push(`Could not check the scope '${s.scope}' (${s.detail ?? 'the probe failed'}); retrying may help.`);
  }
  return parts.join(' ');
}

function calibrationNote(calibration: Calibration | undefined): string {
  if (calibration?.kind !== 'lookup-first') return '';
  return (
    `GET ${calibration.path} answered 404, not 403, for the scope '${calibration.scope}', which the token lacks: this API looks ids up ` +
    'before it checks scopes, so requests about an id that cannot exist prove nothing here.'
  );
}

function inconclusiveNote(result: ForbiddenResult, inspected: number): string {
  const { scope } = result.forbidden;
  if (result.forbidden.passive) {
    return result.verdict.state === 'inconclusive' && result.verdict.passiveChecked
      ? `'${scope}' was checked passively only: none of the ${inspected} database records listed with database:read carries a password or a URI with credentials.`
      : `'${scope}' could not be ruled out: there was no database record listed with database:read to inspect. Make sure the token does not hold it.`;
  }
  return `'${scope}' could not be ruled out by probing, and nothing else reveals it. Make sure the token does not hold it.`;
}

/** What the nil-id probes could not settle on a lookup-first API, and what was proven instead. */
function inconclusiveNotes(audit: Extract<TokenAudit, { kind: 'audited' }>): string[] {
  const inconclusive = audit.forbidden.filter((r) => r.verdict.state === 'inconclusive');
  if (inconclusive.length === 0) return [];
  const notes = [calibrationNote(audit.calibration)];
  const proven = audit.forbidden.filter((r) => r.verdict.state === 'absent').map((r) => r.forbidden.scope);
  if (proven.length > 0) notes.push(`The token does not hold ${quoteList(proven)} (403 on a GET that needs only that scope).`);
  for (const result of inconclusive) notes.push(inconclusiveNote(result, audit.passive.inspected));
  return notes;
}

/** The CONNECTION_STATUS for an audit: FAILED on a rejected token, a missing account:read, or a forbidden scope. */
export function describeAudit(audit: TokenAudit): CheckAnswer {
  if (audit.kind === 'account_failed') return accountFailure(audit.error);
  if (audit.rejected) return rejected(audit.rejected);
  for (const { verdict } of audit.forbidden) if (verdict.state === 'rejected') return rejected(verdict.error);

  const present = audit.forbidden.filter((r) => r.verdict.state === 'present');
  const errors = audit.forbidden.filter((r) => r.verdict.state === 'error');
  const notes = inconclusiveNotes(audit);
  const report = scopeReport(audit);
  const sentences: string[] = [];
  for (const { forbidden, verdict } of present) {
    const evidence = verdict.state === 'present' ? verdict.evidence : '';
    sentences.push(`The API token holds the scope '${forbidden.scope}', which exposes ${forbidden.exposes}: ${evidence}.`);
  }
  if (present.length > 0) {
    const names = quoteList(present.map((r) => r.forbidden.scope));
    sentences.push(
      `This source must never be given ${names}. Create a custom-scoped token with only the read scopes the streams need, without ${names} ` +
        `(the "Full Access" and "Read Only" presets include ${present.length > 1 ? 'them' : 'it'}).`,
    );
  }
  // A forbidden scope proven present is the answer, whatever else could not be verified; both are said.
  for (const { forbidden, verdict } of present.length > 0 ? errors : []) {
    const detail = verdict.state === 'error' ? verdict.detail : '';
    sentences.push(`Could not verify that the API token lacks '${forbidden.scope}' either: ${detail} Retrying may help.`);
  }
  if (present.length === 0 && errors.length > 0) {
    const each = errors.map(({ forbidden, verdict }) => `Could not verify that the API token lacks '${forbidden.scope}': ${verdict.state === 'error' ? verdict.detail : ''}`);
    return unverified(
      `${each.join(' ')} check does not succeed without that proof; retrying may help.`,
      `forbidden-scope probe failed for ${errors.map((e) => e.forbidden.scope).join(', ')}`,
    );
  }
  const failed = present.length > 0;
  if (!failed) {
    sentences.push(notes.length > 0 ? 'The API token is valid.' : `The API token is valid and holds neither ${FORBIDDEN_NAMES.join(' nor ')}.`);
  }
  sentences.push(...notes);
  if (report) sentences.push(report);
  return { status: failed ? 'FAILED' : 'SUCCEEDED', message: sentences.join(' ') };
}

/** The token's answer combined with the Spaces key's: a FAILED either way is the answer. */
function withSpacesKey(answer: CheckAnswer, line: SpacesKeyLine): CheckAnswer {
  if (line.outcome === 'failed') return { status: 'FAILED', message: answer.status === 'UNVERIFIED' ? line.message : `${line.message} ${answer.message}` };
  if (answer.status === 'FAILED') return answer;
  if (line.outcome === 'unverified') return unverified(answer.status === 'UNVERIFIED' ? `${answer.message} ${line.message}` : line.message, line.internal ?? line.message);
  return answer.status === 'UNVERIFIED' ? answer : { ...answer, message: `${answer.message} ${line.message}` };
}

/**
 * A CONNECTION_STATUS (exit 0) when check knows the answer, FAILED being a normal answer; one transient
 * TRACE ERROR and exit 1 when it could not find out.
 */
export async function checkCommand(config: SourceConfig, writer: ProtocolWriter): Promise<number> {
  const { client, spaces } = await createRuntime(config, writer);
  const audit = await auditToken(new Prober(client));
  let answer = describeAudit(audit);
  // The Spaces key is judged once the token is known to work: its grants are read with the token.
  if (audit.kind === 'audited' && !audit.rejected) {
    const verdict = config.spaces && spaces ? await judgeSpacesKey(client, config.spaces, spaces.client) : undefined;
    answer = withSpacesKey(answer, describeSpacesKey(config.spaces, verdict));
  }
  if (answer.status === 'UNVERIFIED') {
    await writer.error(answer.message, 'transient_error', { internal: answer.internal });
    return 1;
  }
  await writer.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: answer.status, message: answer.message } });
  return 0;
}
