import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import t from 'tap';
import { spawnCli } from '../helpers/e2e.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { errorTraces, records, recordErrors, statuses } from '../helpers/protocol.js';

/**
 * The Spaces rows against s3rver (npm, 3.7.1), an S3 server nobody in this project wrote: the built CLI
 * lists its buckets and reads their CORS rules over real S3 XML. s3rver checks that the key id exists
 * but does not verify V4 signatures (its authentication middleware says so); the signature's value is
 * proven against AWS's documented example in s3-client.test.ts. s3rver answers bucket ACLs with 501
 * NotImplemented: a LOG line per bucket, like AccessDenied, and the stream completes.
 */
const CORS =
  '<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>' +
  '<AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>';

t.test('spaces_buckets, spaces_bucket_cors and spaces_bucket_acls against s3rver', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'site-assets', configs: [CORS] }, { name: 'plain-bucket', configs: [] }],
  });
  const { port } = (await server.run()) as { port: number };
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const secret = 'S3RVER';
  const names = ['spaces_buckets', 'spaces_bucket_cors', 'spaces_bucket_acls'];
  const files = writeInputs({
    // The API token is not used by read of these rows; the API origin is a closed loopback port.
    'config.json': {
      api_token: 'unused-token-s3rver-0000',
      api_url: 'http://127.0.0.1:9',
      spaces_access_key_id: 'S3RVER',
      spaces_secret_access_key: secret,
      spaces_regions: ['nyc3'],
      spaces_endpoint: `http://127.0.0.1:${port}`,
    },
    'catalog.json': catalogFor(names),
  });
  const result = await spawnCli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  t.equal(result.code, 0, `exit 0 (${result.stderr.slice(0, 300)})`);
  t.same(result.protocolErrors, []);
  t.same(errorTraces(result.messages), []);
  for (const name of names) {
    t.same(statuses(result.messages, name), ['STARTED', 'RUNNING', 'COMPLETE'], `${name} completes`);
    t.same(records(result.messages, name).flatMap((r) => recordErrors(name, r)), [], `${name} records match the schema`);
  }
  const buckets = records(result.messages, 'spaces_buckets');
  t.same(buckets.map((b) => b.name).sort(), ['plain-bucket', 'site-assets'], 'ListBuckets parsed');
  t.ok(buckets.every((b) => b.region === 'nyc3' && typeof b.creation_date === 'string'), 'region and creation date');
  t.same(records(result.messages, 'spaces_bucket_cors'), [
    {
      rule_index: 0,
      id: null,
      allowed_origins: ['https://app.example.com'],
      allowed_methods: ['GET', 'PUT'],
      allowed_headers: ['*'],
      expose_headers: ['ETag'],
      max_age_seconds: 3000,
      region: 'nyc3',
      bucket: 'site-assets',
    },
  ], "site-assets' rule; plain-bucket's NoSuchCORSConfiguration is no record");
  const notImplemented = result.messages.filter((m) => m.type === 'LOG' && /NotImplemented/.test(m.log?.message ?? ''));
  t.equal(notImplemented.length, 2, 'GetBucketAcl: one LOG line per bucket');
  t.match(notImplemented.map((m) => m.log?.message).join('\n'), /GET \/site-assets\?acl on nyc3/);
  t.equal(records(result.messages, 'spaces_bucket_acls').length, 0);

  // A child alone: its parent (spaces_buckets) is read silently, as for any other parent.
  const alone = writeInputs({ 'catalog.json': catalogFor(['spaces_bucket_cors']) });
  const child = await spawnCli(['read', '--config', files['config.json'], '--catalog', alone['catalog.json']]);
  t.equal(child.code, 0);
  t.same(records(child.messages).map((r) => r.bucket), ['site-assets'], 'only the CORS record; the buckets are not emitted');
});
