import type { SpacesConfig } from '../config.js';
import type { DigitalOceanClient } from '../http/client.js';
import { ApiError } from '../http/errors.js';
import { paginate } from '../http/paginate.js';
import type { SpacesClient } from '../http/s3.js';
import { S3Error } from '../http/s3-error.js';
import { findStream } from '../streams/index.js';

/**
 * Least privilege for the Spaces key: DigitalOcean lists every Spaces key of the account with its grants
 * (GET /v2/spaces/keys, the spaces_keys stream; godo spaces_keys.go names the permissions read,
 * readwrite and fullaccess). check finds the configured key there and accepts it only when every grant
 * is `read`; then one ListBuckets proves that Spaces accepts the key's signature.
 */

export interface SpacesGrant {
  /** Empty: every bucket of the account. */
  bucket: string;
  permission: string;
}

export type SpacesKeyVerdict =
  | { state: 'read_only'; grants: SpacesGrant[] }
  | { state: 'too_broad'; excess: SpacesGrant[] }
  | { state: 'not_found'; listed: number }
  /** The configuration stops check from judging the key (no spaces_key:read, a secret Spaces refuses). */
  | { state: 'error'; detail: string }
  /** Check could not find out (an outage, a timeout): not an answer about the configuration. */
  | { state: 'unverified'; detail: string; internal: string };

/** A failure to learn anything, as opposed to an answer about the configuration. */
function couldNotFindOut(error: ApiError): boolean {
  return error.failureType !== 'config_error';
}

function internalOf(error: ApiError): string {
  return `${error.name} ${error.kind}${error.status !== undefined ? ` ${error.status}` : ''} on ${error.path}`;
}

const KEYS_PATH = findStream('spaces_keys')?.path ?? '/v2/spaces/keys';

function grantsOf(record: Record<string, unknown>): SpacesGrant[] {
  const grants = Array.isArray(record.grants) ? record.grants : [];
  return grants
    .filter((g): g is Record<string, unknown> => g !== null && typeof g === 'object')
    .map((g) => ({ bucket: typeof g.bucket === 'string' ? g.bucket : '', permission: String(g.permission) }));
}

export function describeGrant(grant: SpacesGrant): string {
  return `'${grant.permission}' on ${grant.bucket === '' ? 'all buckets' : `bucket '${grant.bucket}'`}`;
}

/** Looks the key up among the account's Spaces keys and judges its grants. */
export async function judgeSpacesKey(client: DigitalOceanClient, spaces: SpacesConfig, s3: SpacesClient): Promise<SpacesKeyVerdict> {
  let listed = 0;
  let found: Record<string, unknown> | undefined;
  try {
    for await (const page of paginate(client, KEYS_PATH, 'page', {}, {})) {
      const keys = Array.isArray(page.body.keys) ? (page.body.keys as Record<string, unknown>[]) : [];
      listed += keys.length;
      found = keys.find((k) => k !== null && typeof k === 'object' && k.access_key === spaces.accessKeyId);
      if (found) break;
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (couldNotFindOut(error)) return { state: 'unverified', detail: error.message, internal: internalOf(error) };
    const detail =
      error.kind === 'forbidden'
        ? `the API token lacks the scope 'spaces_key:read' (403 on GET ${KEYS_PATH}), which check needs to read the key's grants`
        : error.message;
    return { state: 'error', detail };
  }
  if (!found) return { state: 'not_found', listed };
  const grants = grantsOf(found);
  const excess = grants.filter((g) => g.permission !== 'read');
  if (excess.length > 0 || grants.length === 0) return { state: 'too_broad', excess };
  // The grants are fine; does Spaces accept the secret? One ListBuckets on the first region says so.
  try {
    await s3.listBuckets(spaces.regions[0]);
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    if (couldNotFindOut(error)) return { state: 'unverified', detail: `a signed ListBuckets failed: ${error.message}`, internal: internalOf(error) };
    return { state: 'error', detail: `Spaces did not accept a signed ListBuckets: ${error.message} Check spaces_secret_access_key` };
  }
  return { state: 'read_only', grants };
}

/** The sentence check adds for Spaces, and what it does to check's answer. */
export interface SpacesKeyLine {
  outcome: 'ok' | 'failed' | 'unverified';
  message: string;
  internal?: string;
}

export function describeSpacesKey(spaces: SpacesConfig | undefined, verdict: SpacesKeyVerdict | undefined): SpacesKeyLine {
  if (!spaces || !verdict) {
    return {
      outcome: 'ok',
      message:
        'No Spaces key is configured, so the Spaces bucket streams (spaces_buckets, spaces_bucket_acls …) are not offered; ' +
        'set spaces_access_key_id and spaces_secret_access_key (a key with read grants only) to read them.',
    };
  }
  const key = `The Spaces key '${spaces.accessKeyId}'`;
  switch (verdict.state) {
    case 'read_only':
      return {
        outcome: 'ok',
        message: `${key} holds only read grants (${verdict.grants.map(describeGrant).join(', ')}); Spaces buckets are read in ${spaces.regions.length} region(s): ${spaces.regions.join(', ')}.`,
      };
    case 'too_broad': {
      if (verdict.excess.length === 0) return { outcome: 'failed', message: `${key} has no grant at all; give it read access to the buckets to inventory.` };
      const names = verdict.excess.map(describeGrant).join(' and ');
      return {
        outcome: 'failed',
        message: `${key} holds the grant ${names}: this source must only read. Remove that grant (keep 'read'), or create a Spaces key with Read permission only, and configure that one.`,
      };
    }
    case 'not_found':
      return {
        outcome: 'failed',
        message: `${key} is not among the ${verdict.listed} Spaces keys of this account (GET ${KEYS_PATH}), so its grants cannot be checked. Use a key of the account the API token belongs to.`,
      };
    case 'error':
      return { outcome: 'failed', message: `Could not verify that the Spaces key '${spaces.accessKeyId}' is read-only: ${verdict.detail}. check fails closed when it cannot prove that.` };
    case 'unverified':
      return {
        outcome: 'unverified',
        message: `Could not verify that the Spaces key '${spaces.accessKeyId}' is read-only: ${verdict.detail} check does not succeed without that proof; retrying may help.`,
        internal: verdict.internal,
      };
  }
}
