import type { S3Call } from '../streams/types.js';
import type { Record_ } from './shape.js';

/**
 * The records of one S3 answer, in the snake_case the rest of the catalog uses. S3's element names are
 * AWS's (ListAllMyBucketsResult, AccessControlPolicy …, see the S3 API reference); Spaces answers with
 * the same documents. A document without its root element is an answer we do not understand: it throws
 * rather than pass for "no records".
 */

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => value !== null && typeof value === 'object' && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const nodes = (value: unknown): Node[] => list(value).filter(isNode);
const texts = (value: unknown): string[] => list(value).filter((v): v is string => typeof v === 'string');

function integer(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

function root(doc: unknown, name: string, call: S3Call): Node {
  if (!isNode(doc) || !(name in doc)) throw new Error(`the S3 answer to ${call} has no <${name}> element`);
  // An empty element (<VersioningConfiguration/>) parses as an empty string.
  const node = doc[name];
  return isNode(node) ? node : {};
}

/** Owner and grantee ids as S3 names them. */
function owner(node: unknown): Record_ | null {
  if (!isNode(node)) return null;
  return { id: text(node.ID), display_name: text(node.DisplayName) };
}

/** Grants to these groups make a bucket readable by anyone (AllUsers) or any S3 account (AuthenticatedUsers). */
const PUBLIC_GROUPS = ['http://acs.amazonaws.com/groups/global/AllUsers', 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'];

function grant(node: Node): Record_ {
  const grantee = isNode(node.Grantee) ? node.Grantee : {};
  const uri = text(grantee.URI);
  return {
    grantee_type: text(grantee['@type']),
    grantee_id: text(grantee.ID),
    grantee_display_name: text(grantee.DisplayName),
    grantee_uri: uri,
    grantee_email: text(grantee.EmailAddress),
    permission: text(node.Permission),
    public: uri !== null && PUBLIC_GROUPS.includes(uri),
  };
}

function lifecycleRule(node: Node, index: number): Record_ {
  const expiration = isNode(node.Expiration) ? node.Expiration : undefined;
  const abort = isNode(node.AbortIncompleteMultipartUpload) ? node.AbortIncompleteMultipartUpload : undefined;
  const noncurrent = isNode(node.NoncurrentVersionExpiration) ? node.NoncurrentVersionExpiration : undefined;
  const filter = isNode(node.Filter) ? node.Filter : undefined;
  return {
    // The ID is optional in S3; a rule without one is known by its position.
    rule_id: text(node.ID) ?? `#${index}`,
    status: text(node.Status),
    prefix: text(node.Prefix) ?? text(filter?.Prefix),
    expiration: expiration
      ? { days: integer(expiration.Days), date: text(expiration.Date), expired_object_delete_marker: text(expiration.ExpiredObjectDeleteMarker) === 'true' }
      : null,
    abort_incomplete_multipart_upload_days: abort ? integer(abort.DaysAfterInitiation) : null,
    noncurrent_version_expiration_days: noncurrent ? integer(noncurrent.NoncurrentDays) : null,
  };
}

/**
 * Records of one answer. `region` is where the request went: for ListBuckets, the region each bucket is
 * listed from is its region (each endpoint lists its own region's buckets).
 */
export function extractS3Records(call: S3Call, body: Node | string, region: string): Record_[] {
  if (call === 'policy') {
    if (typeof body !== 'string') throw new Error('the S3 answer to policy is not a JSON document');
    let policy: unknown;
    try {
      policy = JSON.parse(body);
    } catch {
      throw new Error('the bucket policy Spaces returned is not valid JSON');
    }
    if (!isNode(policy)) throw new Error('the bucket policy Spaces returned is not a JSON object');
    return [{ policy }];
  }
  if (typeof body === 'string') throw new Error(`the S3 answer to ${call} is not XML`);
  switch (call) {
    case 'ListBuckets': {
      const result = root(body, 'ListAllMyBucketsResult', call);
      const buckets = isNode(result.Buckets) ? nodes(result.Buckets.Bucket) : [];
      return buckets.map((b) => ({ name: text(b.Name), creation_date: text(b.CreationDate), region }));
    }
    case 'acl': {
      const policy = root(body, 'AccessControlPolicy', call);
      const grants = isNode(policy.AccessControlList) ? nodes(policy.AccessControlList.Grant).map(grant) : [];
      return [{ owner: owner(policy.Owner), grants, public: grants.some((g) => g.public === true) }];
    }
    case 'cors': {
      const config = root(body, 'CORSConfiguration', call);
      return nodes(config.CORSRule).map((rule, index) => ({
        rule_index: index,
        id: text(rule.ID),
        allowed_origins: texts(rule.AllowedOrigin),
        allowed_methods: texts(rule.AllowedMethod),
        allowed_headers: texts(rule.AllowedHeader),
        expose_headers: texts(rule.ExposeHeader),
        max_age_seconds: integer(rule.MaxAgeSeconds),
      }));
    }
    case 'lifecycle':
      return nodes(root(body, 'LifecycleConfiguration', call).Rule).map(lifecycleRule);
    case 'versioning': {
      const config = root(body, 'VersioningConfiguration', call);
      // No Status: versioning was never turned on.
      return [{ status: text(config.Status), mfa_delete: text(config.MfaDelete) }];
    }
  }
}
