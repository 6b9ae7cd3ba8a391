import nock from 'nock';
import t from 'tap';
import { S3Error } from '../../src/http/s3-error.js';
import { MAX_XML_TAGS, parseS3Xml, SpacesClient, type SpacesClientOptions } from '../../src/http/s3.js';
import { extractS3Records } from '../../src/records/s3.js';

nock.disableNetConnect();

const SECRET = 'unit-test-spaces-secret-0123456789abcd';
const sleeps: number[] = [];
function client(extra: Partial<SpacesClientOptions> = {}): SpacesClient {
  return new SpacesClient({
    accessKeyId: 'DO00UNITTEST00000001',
    secretAccessKey: SECRET,
    clock: { now: () => 0, sleep: async (ms) => void sleeps.push(ms) },
    maxConcurrency: 2,
    requestsPerSecond: 1_000,
    timeoutMs: 5_000,
    maxRetries: 3,
    backoffBaseMs: 100,
    backoffMaxMs: 1_000,
    userAgent: 'test',
    random: () => 0.5,
    ...extra,
  });
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>${body}`;
const error = (code: string) => xml(`<Error><Code>${code}</Code><Message>m</Message><RequestId>tx1</RequestId></Error>`);
const AUTH = /^AWS4-HMAC-SHA256 Credential=DO00UNITTEST00000001\/\d{8}\/(nyc3|fra1)\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/;

t.afterEach(() => {
  nock.cleanAll();
  sleeps.length = 0;
});

t.test('signing reproduces the signature of AWS documented example (GET Bucket Lifecycle)', async (t) => {
  // "Examples: Signature Calculations in AWS Signature Version 4" (AWS S3 API reference): example key,
  // 2013-05-24, GET /?lifecycle on examplebucket, expected signature fea454ca….
  const aws = client({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
  const headers = await aws.signedHeaders('us-east-1', new URL('https://examplebucket.s3.amazonaws.com/'), 'lifecycle', new Date('2013-05-24T00:00:00Z'));
  t.equal(
    headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
  );
});

t.test('ListBuckets: signed for the region, on the region endpoint, XML parsed with names kept as strings', async (t) => {
  const scope = nock('https://fra1.digitaloceanspaces.com')
    .get('/')
    .matchHeader('authorization', (v) => AUTH.test(v) && v.includes('/fra1/'))
    .matchHeader('x-amz-date', /^\d{8}T\d{6}Z$/)
    .reply(200, xml('<ListAllMyBucketsResult><Owner><ID>1</ID></Owner><Buckets><Bucket><Name>2024</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>'));
  const response = await client().listBuckets('fra1');
  t.ok(scope.isDone());
  t.same(extractS3Records('ListBuckets', response.body, 'fra1'), [{ name: '2024', creation_date: '2024-01-01T00:00:00.000Z', region: 'fra1' }]);
});

t.test('503 SlowDown is retried with backoff, then succeeds', async (t) => {
  nock('https://nyc3.digitaloceanspaces.com').get('/b?acl').times(2).reply(503, error('SlowDown'));
  nock('https://nyc3.digitaloceanspaces.com')
    .get('/b?acl')
    .reply(200, xml('<AccessControlPolicy><Owner><ID>1</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>'));
  const retries: (string | undefined)[] = [];
  const response = await client({ onRetry: (i) => retries.push(i.code) }).bucketSubresource('nyc3', 'b', 'acl');
  t.same(retries, ['SlowDown', 'SlowDown'], 'two retries, each naming SlowDown');
  t.same(sleeps, [75, 150], 'exponential backoff with jitter');
  const [acl] = extractS3Records('acl', response.body, 'nyc3');
  t.equal(acl.public, true, 'a READ grant to AllUsers makes the bucket public');
  t.match(acl.grants, [{ grantee_type: 'Group', grantee_uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ', public: true }]);
});

t.test('error codes reach the caller; 4xx and 501 are not retried; the secret is in no message', async (t) => {
  for (const [status, code] of [[404, 'NoSuchCORSConfiguration'], [403, 'AccessDenied'], [501, 'NotImplemented']] as const) {
    nock('https://nyc3.digitaloceanspaces.com').get('/b?cors').once().reply(status, error(code));
    const failure = await client().bucketSubresource('nyc3', 'b', 'cors').catch((e: unknown) => e);
    t.ok(failure instanceof S3Error, `${code}: an S3Error`);
    t.equal((failure as S3Error).code, code);
    t.match((failure as S3Error).message, /GET \/b\?cors on nyc3/, 'names the call and region');
    t.notOk((failure as S3Error).message.includes(SECRET));
  }
  t.same(sleeps, [], 'no retry');
});

t.test('a policy is JSON; a body that is not XML is retried as bad_body', async (t) => {
  nock('https://nyc3.digitaloceanspaces.com').get('/b?policy').reply(200, '{"Version":"2012-10-17","Statement":[]}');
  const policy = await client().bucketSubresource('nyc3', 'b', 'policy');
  t.same(extractS3Records('policy', policy.body, 'nyc3'), [{ policy: { Version: '2012-10-17', Statement: [] } }]);
  nock('https://nyc3.digitaloceanspaces.com').get('/b?versioning').times(4).reply(200, '<html>proxy');
  const failure = await client().bucketSubresource('nyc3', 'b', 'versioning').catch((e: unknown) => e);
  t.equal((failure as S3Error).kind, 'bad_body');
});

t.test('a body declaring a DOCTYPE or ENTITY is refused unparsed, at once, naming bucket and call', async (t) => {
  // Billion laughs: ten entities each ten times the one before; expanded it would be 10^9 "lol"s.
  const laughs = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
  const bodies = {
    'billion laughs': xml(`<!DOCTYPE lolz [<!ENTITY lol0 "lol">${laughs}]><AccessControlPolicy><Owner><ID>&lol9;</ID></Owner></AccessControlPolicy>`),
    'DOCTYPE only': xml('<!DOCTYPE AccessControlPolicy SYSTEM "http://127.0.0.1:9/x.dtd"><AccessControlPolicy/>'),
    'lower-case doctype': '<!doctype html><AccessControlPolicy/>',
    'ENTITY outside a DOCTYPE': '<AccessControlPolicy><!ENTITY x "y"></AccessControlPolicy>',
    'an error body with a DOCTYPE': '<!DOCTYPE Error [<!ENTITY c "AccessDenied">]><Error><Code>&c;</Code></Error>',
  };
  for (const [name, body] of Object.entries(bodies)) {
    const status = name.startsWith('an error') ? 403 : 200;
    const scope = nock('https://nyc3.digitaloceanspaces.com').get('/my-bucket?acl').once().reply(status, body);
    const started = process.hrtime.bigint();
    const failure = await client().bucketSubresource('nyc3', 'my-bucket', 'acl').catch((e: unknown) => e);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    t.ok(scope.isDone(), `${name}: one request`);
    t.ok(failure instanceof S3Error, `${name}: an S3Error`);
    const error = failure as S3Error;
    t.equal(error.kind, 'bad_body', name);
    t.equal(error.refused, true, `${name}: marked refused`);
    t.equal(error.code, undefined, `${name}: no S3 code is read from a refused body`);
    t.equal(error.message, "GET /my-bucket?acl on nyc3 (bucket 'my-bucket') returned an XML document with a DOCTYPE or ENTITY declaration, which no S3 answer holds; it was refused unparsed (entity expansion) and not retried. Check spaces_endpoint.", name);
    t.ok(ms < 2_000, `${name}: answered in ${ms.toFixed(0)} ms`);
  }
  t.same(sleeps, [], 'never retried');
  nock('https://fra1.digitaloceanspaces.com').get('/').reply(200, bodies['billion laughs']);
  const listing = await client().listBuckets('fra1').catch((e: unknown) => e);
  t.match((listing as S3Error).message, /^ListBuckets \(GET \/ on fra1\) returned an XML document with a DOCTYPE/, 'ListBuckets is named as such');
});

t.test('entity processing is off: predefined entities and character references are decoded once, nothing else', async (t) => {
  nock('https://nyc3.digitaloceanspaces.com')
    .get('/b?lifecycle')
    .reply(200, xml('<LifecycleConfiguration><Rule><ID>a &amp;amp; b &lt;c&gt; &#65;&#x42; &quot;q&apos; &unknown; &#0;</ID><Status>Enabled</Status><Prefix>x</Prefix></Rule></LifecycleConfiguration>'));
  const response = await client().bucketSubresource('nyc3', 'b', 'lifecycle');
  const [rule] = extractS3Records('lifecycle', response.body as Record<string, unknown>, 'nyc3');
  t.equal(rule.rule_id, 'a &amp; b <c> AB "q\' &unknown; &#0;', '&amp;amp; decodes to &amp; (one pass); unknown names and invalid references stay as sent');
  t.same(parseS3Xml('<A b="&lt;&amp;"/>'), { A: { '@b': '<&' } }, 'attributes too');
});

t.test('a document with more tags than any S3 answer is refused unparsed', async (t) => {
  const bucket = '<Bucket><Name>b</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket>';
  const wrap = (n: number) => xml(`<ListAllMyBucketsResult><Buckets>${bucket.repeat(n)}</Buckets></ListAllMyBucketsResult>`);
  // Six tags per bucket, four around them, one for the declaration: 33,332 buckets is 199,997 tags.
  nock('https://nyc3.digitaloceanspaces.com').get('/').once().reply(200, wrap(33_332));
  const fits = await client().listBuckets('nyc3');
  t.equal(extractS3Records('ListBuckets', fits.body as Record<string, unknown>, 'nyc3').length, 33_332, `up to ${MAX_XML_TAGS} tags: parsed`);
  nock('https://nyc3.digitaloceanspaces.com').get('/').once().reply(200, wrap(33_334));
  const failure = (await client().listBuckets('nyc3').catch((e: unknown) => e)) as S3Error;
  t.equal(failure.refused, true);
  t.equal(failure.message, 'ListBuckets (GET / on nyc3) returned an XML document with more than 200,000 tags, far more than any Spaces answer holds; it was refused unparsed (parsing takes about 1 KB of memory per element) and not retried. Check spaces_endpoint.');
  t.same(sleeps, [], 'not retried');
});

t.test('the API v2 body cap holds for S3: a body over it is not read further nor retried', async (t) => {
  nock('https://nyc3.digitaloceanspaces.com').get('/').once().reply(200, xml(`<ListAllMyBucketsResult><Buckets>${'<Bucket><Name>b</Name></Bucket>'.repeat(2_000)}</Buckets></ListAllMyBucketsResult>`));
  const failure = await client({ maxBodyBytes: 4_096 }).listBuckets('nyc3').catch((e: unknown) => e);
  t.equal((failure as S3Error).kind, 'too_large');
  t.equal((failure as S3Error).message, 'ListBuckets (GET / on nyc3) returned a body larger than the 4096 bytes cap (max_response_size_mb); it was not read further nor retried.');
  nock('https://nyc3.digitaloceanspaces.com').get('/b?cors').once().reply(200, 'x', { 'content-length': String(65 * 1024 * 1024) });
  const declared = await client().bucketSubresource('nyc3', 'b', 'cors').catch((e: unknown) => e);
  t.match((declared as S3Error).message, "(bucket 'b') returned a body larger than the 64 MiB cap (max_response_size_mb)", 'the default cap is 64 MiB, a declared length over it is refused unread');
  t.same(sleeps, []);
});

t.test('a redirect is reported with its origin only, never followed, never retried', async (t) => {
  const scope = nock('https://nyc3.digitaloceanspaces.com')
    .get('/b?acl')
    .once()
    .reply(301, xml('<Error><Code>PermanentRedirect</Code></Error>'), { location: 'https://elsewhere.example.com/b?acl&leak=SECRET_QUERY' });
  const elsewhere = nock('https://elsewhere.example.com').get(/.*/).reply(200, xml('<AccessControlPolicy/>'));
  const failure = (await client().bucketSubresource('nyc3', 'b', 'acl').catch((e: unknown) => e)) as S3Error;
  t.ok(scope.isDone());
  t.notOk(elsewhere.isDone(), 'the target was never asked');
  t.equal(failure.kind, 'redirect');
  t.equal(failure.message, "GET /b?acl on nyc3 (bucket 'b') answered 301, a redirect to https://elsewhere.example.com, which is never followed (the signed request and the records stay on the configured endpoint). Check spaces_regions and spaces_endpoint.");
  t.same(sleeps, []);
});

t.test('a truncated document is retried as bad_body, then named with its size and the attempts', async (t) => {
  const truncated = xml('<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name></Bucket><Bucket><Na');
  nock('https://nyc3.digitaloceanspaces.com').get('/').times(4).reply(200, truncated);
  const failure = (await client().listBuckets('nyc3').catch((e: unknown) => e)) as S3Error;
  t.equal(failure.kind, 'bad_body');
  t.equal(failure.refused, false);
  t.equal(failure.message, `ListBuckets (GET / on nyc3) returned ${truncated.length} characters that are not a complete XML document instead of the expected XML on each of 4 attempts.`);
  t.same(sleeps, [75, 150, 300], 'the backoff floor of API v2: half a step at least');
});

t.test('an endpoint override takes every region, path-style; regions must be slugs otherwise', async (t) => {
  const local = client({ endpoint: 'http://127.0.0.1:9' });
  t.equal(local.originFor('nyc3'), 'http://127.0.0.1:9');
  t.throws(() => client().originFor('evil.example.com/'), /not a Spaces region/);
});

t.test('records: CORS rules, lifecycle rules, versioning, and an unknown document', async (t) => {
  const cors = { CORSConfiguration: { CORSRule: [{ AllowedOrigin: ['*'], AllowedMethod: ['GET'], MaxAgeSeconds: '30' }] } };
  t.same(extractS3Records('cors', cors, 'nyc3'), [
    { rule_index: 0, id: null, allowed_origins: ['*'], allowed_methods: ['GET'], allowed_headers: [], expose_headers: [], max_age_seconds: 30 },
  ]);
  const lifecycle = { LifecycleConfiguration: { Rule: [{ Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: '7' } }] } };
  t.match(extractS3Records('lifecycle', lifecycle, 'nyc3'), [{ rule_id: '#0', prefix: 'tmp/', expiration: { days: 7 } }]);
  t.same(extractS3Records('versioning', { VersioningConfiguration: '' }, 'nyc3'), [{ status: null, mfa_delete: null }], 'never enabled: no status');
  t.throws(() => extractS3Records('versioning', { ListBucketResult: {} }, 'nyc3'), /no <VersioningConfiguration>/);
});
