import type { S3Response, S3Subresource } from '../http/s3.js';
import { S3Error } from '../http/s3-error.js';
import { extractS3Records } from '../records/s3.js';
import type { PartitionKeys, Record_ } from '../records/shape.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';

/** The S3 error codes that mean "this bucket has none of it": no record, not an error. */
const ABSENT = new Set(['NoSuchCORSConfiguration', 'NoSuchBucketPolicy', 'NoSuchLifecycleConfiguration']);

/**
 * Codes that concern one bucket only: the stream goes on without it, after a LOG line naming bucket and
 * call. AccessDenied: a key limited to some buckets. NotImplemented: an S3 server without this call.
 * NoSuchBucket: deleted during the sync.
 */
const SKIP_BUCKET = new Set(['AccessDenied', 'NotImplemented', 'NoSuchBucket']);

/**
 * An answer about one bucket that was refused for what it is (a body over the cap, a redirect, a DOCTYPE
 * or ENTITY declaration): it concerns that bucket only, like AccessDenied, and the others are read. Left
 * to fail the stream, it would stop the buckets after it; and an endpoint able to send it could as well
 * leave the bucket out of ListBuckets, so skipping it (with a WARN) hides nothing more.
 */
function isRefusedAnswer(error: S3Error): boolean {
  return error.kind === 'too_large' || error.kind === 'redirect' || error.refused;
}

/** Raised when an S3 row is read without a Spaces key; read.ts turns it into a config_error. */
export class SpacesKeyMissing extends Error {
  constructor(stream: string) {
    super(
      `Stream '${stream}' reads Spaces buckets over the S3 API and needs a Spaces key: set spaces_access_key_id and ` +
        'spaces_secret_access_key in the config (a key whose grants are all read), or deselect the stream.',
    );
    this.name = 'SpacesKeyMissing';
  }
}

/**
 * The raw records of one partition of an S3 row: per configured region for ListBuckets, one bucket
 * subresource otherwise, asked on the bucket's own region (the region it was listed from).
 */
export async function* s3Records(def: StreamDef, keys: PartitionKeys | undefined, ctx: EngineContext): AsyncGenerator<Record_[]> {
  const call = def.transport?.call;
  const spaces = ctx.spaces;
  if (!call) throw new Error(`internal: ${def.name} is not an S3 row`);
  if (!spaces) throw new SpacesKeyMissing(def.name);
  if (call === 'ListBuckets') {
    const seen = new Map<string, string>();
    for (const region of spaces.regions) {
      const response = await spaces.client.listBuckets(region);
      const records = extractS3Records(call, response.body, region);
      for (const record of records) {
        const name = String(record.name);
        const first = seen.get(name);
        if (first !== undefined) {
          ctx.log('WARN', `Stream '${def.name}': bucket '${name}' is listed by both ${first} and ${region}; the endpoint lists more than its own region, so a bucket's region may be wrong (set spaces_regions to one region).`);
        } else seen.set(name, region);
      }
      yield records;
    }
    return;
  }
  const region = String(keys?.region ?? '');
  const bucket = String(keys?.bucket ?? '');
  let response: S3Response;
  try {
    response = await spaces.client.bucketSubresource(region, bucket, call as S3Subresource);
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    if (error.code !== undefined && ABSENT.has(error.code)) return;
    if (!(error.code !== undefined && SKIP_BUCKET.has(error.code)) && !isRefusedAnswer(error)) throw error;
    ctx.log('WARN', `Stream '${def.name}': ${error.message} Bucket '${bucket}' (${region}) is left out of this stream; the others are read.`);
    return;
  }
  yield extractS3Records(call, response.body, region);
}
