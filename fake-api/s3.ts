/**
 * The S3 side of Spaces, for the spaces_bucket* rows: path-style GET / (ListBuckets) and
 * GET /{bucket}?acl|policy|cors|lifecycle|versioning, with XML bodies shaped like Spaces' (the S3 API's
 * documents; a bucket policy is JSON). The region is the one the request was signed for (the SigV4
 * credential scope), so one loopback origin stands for every region's endpoint. Each request must carry
 * a well-formed SigV4 Authorization for a known key; the signature itself is verified by the end-to-end
 * test against s3rver, a server we did not write.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FakeSpacesKey {
  id: string;
  secret: string;
  name: string;
  grants: { bucket: string; permission: 'read' | 'readwrite' | 'fullaccess' }[];
}

/** Spaces keys of the fake account; /v2/spaces/keys lists them first (data/kinds/spaces.ts). */
export const FAKE_SPACES_KEYS = {
  readOnly: { id: 'DO00FAKEREADONLY0001', secret: 'fake-spaces-secret-read-only-0123456789', name: 'inventory-read-only', grants: [{ bucket: '', permission: 'read' }] },
  readWrite: {
    id: 'DO00FAKEREADWRITE001',
    secret: 'fake-spaces-secret-read-write-012345678',
    name: 'deploy-read-write',
    grants: [{ bucket: '', permission: 'read' }, { bucket: 'public-assets', permission: 'readwrite' }],
  },
  fullAccess: { id: 'DO00FAKEFULLACCESS01', secret: 'fake-spaces-secret-full-access-01234567', name: 'admin', grants: [{ bucket: '', permission: 'fullaccess' }] },
} as const satisfies Record<string, FakeSpacesKey>;

const OWNER_ID = '6174283';
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

interface FakeBucket {
  name: string;
  region: string;
  created: string;
  publicRead: boolean;
  /** Every bucket call is AccessDenied (a key limited to other buckets). */
  denied?: boolean;
  cors?: { origins: string[]; methods: string[]; headers: string[]; maxAge?: number }[];
  policy?: Record<string, unknown>;
  lifecycle?: { id: string; prefix: string; days?: number; abortDays?: number }[];
  versioning?: 'Enabled' | 'Suspended';
}

export const FAKE_BUCKETS: readonly FakeBucket[] = [
  {
    name: 'public-assets',
    region: 'nyc3',
    created: '2023-04-11T09:30:12.000Z',
    publicRead: true,
    cors: [
      { origins: ['https://www.example.com'], methods: ['GET', 'HEAD'], headers: ['*'], maxAge: 3000 },
      { origins: ['*'], methods: ['GET'], headers: [] },
    ],
    policy: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::public-assets/*'] }],
    },
    lifecycle: [{ id: 'expire-tmp', prefix: 'tmp/', days: 7 }],
    versioning: 'Enabled',
  },
  {
    name: 'private-backups',
    region: 'nyc3',
    created: '2022-11-02T17:05:44.000Z',
    publicRead: false,
    lifecycle: [
      { id: 'expire-daily', prefix: 'daily/', days: 30 },
      { id: 'abort-uploads', prefix: '', abortDays: 2 },
    ],
    versioning: 'Suspended',
  },
  { name: 'team-logs', region: 'fra1', created: '2024-02-20T12:00:00.000Z', publicRead: false },
  { name: 'restricted-vault', region: 'fra1', created: '2024-06-01T08:15:00.000Z', publicRead: false, denied: true },
];

const AUTH = /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export interface S3Check {
  ok: boolean;
  key?: FakeSpacesKey;
  region?: string;
  problem?: string;
}

/** Whether a request carries a well-formed SigV4 Authorization for a known key (not the signature's value). */
export function checkSigV4(headers: IncomingMessage['headers'], keys: readonly FakeSpacesKey[]): S3Check {
  const auth = headers.authorization ?? '';
  const m = AUTH.exec(auth);
  if (!m) return { ok: false, problem: 'AuthorizationHeaderMalformed' };
  const [, id, day, region, signed] = m;
  const date = String(headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(date) || date.slice(0, 8) !== day) return { ok: false, problem: 'AuthorizationHeaderMalformed' };
  const signedHeaders = signed.split(';');
  const sorted = [...signedHeaders].sort();
  if (!['host', 'x-amz-date', 'x-amz-content-sha256'].every((h) => signedHeaders.includes(h)) || sorted.join(';') !== signed) {
    return { ok: false, problem: 'AuthorizationHeaderMalformed' };
  }
  if (!/^[0-9a-f]{64}$|^UNSIGNED-PAYLOAD$/.test(String(headers['x-amz-content-sha256'] ?? ''))) return { ok: false, problem: 'AuthorizationHeaderMalformed' };
  const key = keys.find((k) => k.id === id);
  if (!key) return { ok: false, problem: 'InvalidAccessKeyId' };
  return { ok: true, key, region };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>${body}`;

function errorXml(code: string, message: string, resource: string): string {
  return xml(`<Error><Code>${code}</Code><Message>${esc(message)}</Message><Resource>${esc(resource)}</Resource><RequestId>tx00000fake-0000-nyc3a</RequestId><HostId>fake</HostId></Error>`);
}

const owner = `<Owner><ID>${OWNER_ID}</ID><DisplayName>${OWNER_ID}</DisplayName></Owner>`;

function aclXml(bucket: FakeBucket): string {
  const full = `<Grant><Grantee xmlns:xsi="${XSI}" xsi:type="CanonicalUser"><ID>${OWNER_ID}</ID><DisplayName>${OWNER_ID}</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>`;
  const pub = bucket.publicRead ? `<Grant><Grantee xmlns:xsi="${XSI}" xsi:type="Group"><URI>${ALL_USERS}</URI></Grantee><Permission>READ</Permission></Grant>` : '';
  return xml(`<AccessControlPolicy xmlns="${S3_NS}">${owner}<AccessControlList>${full}${pub}</AccessControlList></AccessControlPolicy>`);
}

function corsXml(rules: NonNullable<FakeBucket['cors']>): string {
  const each = rules.map(
    (r) =>
      '<CORSRule>' +
      r.origins.map((o) => `<AllowedOrigin>${esc(o)}</AllowedOrigin>`).join('') +
      r.methods.map((m) => `<AllowedMethod>${m}</AllowedMethod>`).join('') +
      r.headers.map((h) => `<AllowedHeader>${esc(h)}</AllowedHeader>`).join('') +
      (r.maxAge !== undefined ? `<MaxAgeSeconds>${r.maxAge}</MaxAgeSeconds>` : '') +
      '</CORSRule>',
  );
  return xml(`<CORSConfiguration xmlns="${S3_NS}">${each.join('')}</CORSConfiguration>`);
}

function lifecycleXml(rules: NonNullable<FakeBucket['lifecycle']>): string {
  const each = rules.map(
    (r) =>
      `<Rule><ID>${esc(r.id)}</ID><Prefix>${esc(r.prefix)}</Prefix><Status>Enabled</Status>` +
      (r.days !== undefined ? `<Expiration><Days>${r.days}</Days></Expiration>` : '') +
      (r.abortDays !== undefined ? `<AbortIncompleteMultipartUpload><DaysAfterInitiation>${r.abortDays}</DaysAfterInitiation></AbortIncompleteMultipartUpload>` : '') +
      '</Rule>',
  );
  return xml(`<LifecycleConfiguration xmlns="${S3_NS}">${each.join('')}</LifecycleConfiguration>`);
}

interface S3Reply {
  status: number;
  body: string;
  type: string;
}

const XML_TYPE = 'application/xml';

/** The answer to one S3 request of a checked key in `region`. */
export function answerS3(method: string, url: URL, region: string, buckets: readonly FakeBucket[] = FAKE_BUCKETS): S3Reply {
  const resource = url.pathname;
  if (method !== 'GET') return { status: 405, type: XML_TYPE, body: errorXml('MethodNotAllowed', 'read-only fake', resource) };
  if (url.pathname === '/') {
    const mine = buckets.filter((b) => b.region === region);
    const list = mine.map((b) => `<Bucket><Name>${b.name}</Name><CreationDate>${b.created}</CreationDate></Bucket>`).join('');
    return { status: 200, type: XML_TYPE, body: xml(`<ListAllMyBucketsResult xmlns="${S3_NS}">${owner}<Buckets>${list}</Buckets></ListAllMyBucketsResult>`) };
  }
  const name = decodeURIComponent(url.pathname.slice(1).replace(/\/$/, ''));
  const bucket = buckets.find((b) => b.name === name && b.region === region);
  if (!bucket) return { status: 404, type: XML_TYPE, body: errorXml('NoSuchBucket', 'The specified bucket does not exist.', resource) };
  if (bucket.denied) return { status: 403, type: XML_TYPE, body: errorXml('AccessDenied', 'Access Denied', resource) };
  const sub = [...url.searchParams.keys()][0];
  switch (sub) {
    case 'acl':
      return { status: 200, type: XML_TYPE, body: aclXml(bucket) };
    case 'cors':
      return bucket.cors
        ? { status: 200, type: XML_TYPE, body: corsXml(bucket.cors) }
        : { status: 404, type: XML_TYPE, body: errorXml('NoSuchCORSConfiguration', 'The CORS configuration does not exist', resource) };
    case 'policy':
      return bucket.policy
        ? { status: 200, type: 'application/json', body: JSON.stringify(bucket.policy) }
        : { status: 404, type: XML_TYPE, body: errorXml('NoSuchBucketPolicy', 'The bucket policy does not exist', resource) };
    case 'lifecycle':
      return bucket.lifecycle
        ? { status: 200, type: XML_TYPE, body: lifecycleXml(bucket.lifecycle) }
        : { status: 404, type: XML_TYPE, body: errorXml('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', resource) };
    case 'versioning': {
      const status = bucket.versioning ? `<Status>${bucket.versioning}</Status>` : '';
      return { status: 200, type: XML_TYPE, body: xml(`<VersioningConfiguration xmlns="${S3_NS}">${status}</VersioningConfiguration>`) };
    }
    default:
      return { status: 501, type: XML_TYPE, body: errorXml('NotImplemented', `the fake serves no ?${sub ?? ''} call`, resource) };
  }
}

export interface S3Log {
  method: string;
  path: string;
  region?: string;
  key?: string;
  status: number;
  problem?: string;
}

/** Serves one S3 request (anything outside /v2/ and /__fake/). */
export function handleS3Request(req: IncomingMessage, res: ServerResponse, url: URL, log: S3Log[], keys: readonly FakeSpacesKey[] = Object.values(FAKE_SPACES_KEYS)): void {
  const method = (req.method ?? 'GET').toUpperCase();
  const check = checkSigV4(req.headers, keys);
  let reply: S3Reply;
  if (!check.ok) {
    const status = check.problem === 'InvalidAccessKeyId' ? 403 : 400;
    reply = { status, type: XML_TYPE, body: errorXml(check.problem ?? 'AccessDenied', 'signature check failed', url.pathname) };
  } else {
    reply = answerS3(method, url, check.region ?? '');
  }
  log.push({ method, path: url.pathname + url.search, region: check.region, key: check.key?.id, status: reply.status, problem: check.problem });
  res.writeHead(reply.status, { 'content-type': reply.type, 'x-amz-request-id': 'tx00000fake' });
  res.end(reply.body);
}
