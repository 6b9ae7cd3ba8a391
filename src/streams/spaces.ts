import type { S3Call, StreamDef } from './types.js';

/**
 * Spaces buckets and their configurations, read over the S3 protocol with a Spaces key (see
 * S3Transport in types.ts). Offered only when the config has a Spaces key.
 */
const BUCKET = { stream: 'spaces_buckets', keys: { region: 'region', bucket: 'name' } } as const;

function bucketCall(name: string, resource: string, call: Exclude<S3Call, 'ListBuckets'>, primaryKey: readonly string[]): StreamDef {
  return {
    name,
    resource,
    path: `/{bucket}?${call}`,
    recordsKey: null,
    shape: 'list',
    scope: null,
    primaryKey,
    parent: BUCKET,
    pagination: 'none',
    strip: [],
    transport: { kind: 's3', call },
    // S3 requests count against no API v2 quota, and an account has few buckets; an ACL or a policy is
    // what makes a bucket public.
    freshness: { kind: 'rotated', maxAgeHours: 1, evidence: 'S3 requests, outside the API v2 quota, on a few buckets; a bucket ACL or policy is what makes it public: every sync' },
  };
}

export const spacesStreams: readonly StreamDef[] = [
  {
    // ListBuckets answers with the buckets of the endpoint's own region (see docs/source-digitalocean.md):
    // it is asked on every configured region, and each bucket carries the region it was listed from.
    name: 'spaces_buckets',
    resource: 'Spaces Buckets',
    path: '/',
    recordsKey: null,
    shape: 'list',
    scope: null,
    primaryKey: ['region', 'name'],
    pagination: 'none',
    strip: [],
    transport: { kind: 's3', call: 'ListBuckets' },
  },
  bucketCall('spaces_bucket_acls', 'Spaces Bucket ACLs', 'acl', ['region', 'bucket']),
  bucketCall('spaces_bucket_policies', 'Spaces Bucket Policies', 'policy', ['region', 'bucket']),
  bucketCall('spaces_bucket_cors', 'Spaces Bucket CORS Rules', 'cors', ['region', 'bucket', 'rule_index']),
  bucketCall('spaces_bucket_lifecycle', 'Spaces Bucket Lifecycle Rules', 'lifecycle', ['region', 'bucket', 'rule_id']),
  bucketCall('spaces_bucket_versioning', 'Spaces Bucket Versioning', 'versioning', ['region', 'bucket']),
];
