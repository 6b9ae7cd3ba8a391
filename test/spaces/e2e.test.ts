import t from 'tap';
import { FAKE_BUCKETS, FAKE_SPACES_KEYS } from '../../fake-api/s3.js';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi } from '../../fake-api/server.js';
import { STREAMS } from '../../src/streams/index.js';
import { spacesStreams } from '../../src/streams/spaces.js';
import { spawnCli } from '../helpers/e2e.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { errorTraces, records, recordErrors, statuses } from '../helpers/protocol.js';

/**
 * The Spaces rows end to end: the built CLI against the fake API, which serves both API v2 (the Spaces
 * keys and their grants) and the S3 calls (fake-api/s3.ts) on one loopback origin.
 */
const TOKEN = DEFAULT_TOKENS.readOnly;
const NAMES = spacesStreams.map((d) => d.name);
const NO_SPACES_KEY_SCOPE = 'fake-token-without-spaces-key-read';
type Key = (typeof FAKE_SPACES_KEYS)[keyof typeof FAKE_SPACES_KEYS];

function config(api: FakeApi, key?: Key): Record<string, unknown> {
  const base = { api_token: TOKEN, api_url: api.url, max_concurrency: 4 };
  if (!key) return base;
  return { ...base, spaces_access_key_id: key.id, spaces_secret_access_key: key.secret, spaces_regions: ['nyc3', 'fra1'], spaces_endpoint: api.url };
}

async function run(api: FakeApi, command: 'check' | 'discover' | 'read', key?: Key) {
  const files = writeInputs({ 'config.json': config(api, key), 'catalog.json': catalogFor(NAMES) });
  const args = [command, '--config', files['config.json'], ...(command === 'read' ? ['--catalog', files['catalog.json']] : [])];
  const result = await spawnCli(args);
  if (key) t.notOk(result.stdout.includes(key.secret) || result.stderr.includes(key.secret), `${command}: the Spaces secret appears nowhere`);
  return result;
}

t.test('read: every Spaces stream, each bucket on its own region, denied bucket logged, stream complete', async (t) => {
  const api = await startFakeApi({ seed: 3, scale: 5, rateLimits: false });
  t.teardown(() => api.close());
  const result = await run(api, 'read', FAKE_SPACES_KEYS.readOnly);
  t.equal(result.code, 0, `exit 0 (${result.stderr.slice(0, 200)})`);
  t.same(result.protocolErrors, []);
  t.same(errorTraces(result.messages), [], 'no error trace');
  for (const name of NAMES) {
    t.same(statuses(result.messages, name), ['STARTED', 'RUNNING', 'COMPLETE'], `${name} completes`);
    t.same(records(result.messages, name).flatMap((r) => recordErrors(name, r)), [], `${name} records match the schema`);
  }
  const buckets = records(result.messages, 'spaces_buckets');
  t.same(buckets.map((b) => `${b.region}/${b.name}`).sort(), FAKE_BUCKETS.map((b) => `${b.region}/${b.name}`).sort(), 'every bucket, with the region it was listed from');

  const acls = records(result.messages, 'spaces_bucket_acls');
  t.same(acls.map((a) => a.bucket).sort(), ['private-backups', 'public-assets', 'team-logs'], 'one ACL per readable bucket');
  t.same(acls.filter((a) => a.public === true).map((a) => a.bucket), ['public-assets'], 'the public-read bucket is flagged');
  t.match(acls.find((a) => a.bucket === 'public-assets'), { region: 'nyc3', grants: [{ permission: 'FULL_CONTROL', grantee_type: 'CanonicalUser' }, { grantee_type: 'Group', grantee_uri: /AllUsers$/, permission: 'READ' }] });

  t.same(records(result.messages, 'spaces_bucket_cors').map((r) => `${r.bucket}#${r.rule_index}`), ['public-assets#0', 'public-assets#1'], 'NoSuchCORSConfiguration is no record');
  t.same(records(result.messages, 'spaces_bucket_policies').map((r) => r.bucket), ['public-assets'], 'NoSuchBucketPolicy is no record');
  t.match(records(result.messages, 'spaces_bucket_policies')[0], { policy: { Statement: [{ Principal: '*' }] } });
  t.same(records(result.messages, 'spaces_bucket_lifecycle').map((r) => `${r.bucket}:${r.rule_id}`).sort(), ['private-backups:abort-uploads', 'private-backups:expire-daily', 'public-assets:expire-tmp']);
  t.same(records(result.messages, 'spaces_bucket_versioning').map((r) => `${r.bucket}:${r.status}`).sort(), ['private-backups:Suspended', 'public-assets:Enabled', 'team-logs:null']);

  const denied = result.messages.filter((m) => m.type === 'LOG' && /restricted-vault/.test(m.log?.message ?? '') && /AccessDenied/.test(m.log?.message ?? ''));
  t.equal(denied.length, 5, 'one LOG line per bucket call the key may not make, naming bucket and call');
  t.match(denied[0]?.log?.message, /GET \/restricted-vault\?\w+ on fra1/);

  const log = api.s3Log();
  t.same(log.filter((e) => e.problem), [], 'every S3 request carried a well-formed SigV4 Authorization of the key');
  t.equal(log.filter((e) => e.path === '/').length, 2, 'ListBuckets once per region');
  for (const bucket of FAKE_BUCKETS) {
    const calls = log.filter((e) => e.path.startsWith(`/${bucket.name}?`));
    t.equal(calls.length, 5, `${bucket.name}: each subresource asked once`);
    t.ok(calls.every((e) => e.region === bucket.region), `${bucket.name}: signed for and sent to ${bucket.region}`);
  }
});

t.test('check: read-only key succeeds; readwrite and fullaccess grants fail, named; unknown key fails; no key is reported', async (t) => {
  const allButSpacesKeys = [...new Set(STREAMS.flatMap((d) => (d.scope && d.scope !== 'spaces_key:read' ? [d.scope] : [])))];
  const api = await startFakeApi({ seed: 3, scale: 5, rateLimits: false, tokens: { [NO_SPACES_KEY_SCOPE]: { name: 'no-spaces-key', scopes: allButSpacesKeys } } });
  t.teardown(() => api.close());
  const verdict = async (key?: Key | { id: string; secret: string }) => {
    const result = await run(api, 'check', key as Key | undefined);
    t.equal(result.code, 0);
    return result.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus as { status: string; message: string };
  };
  const readOnly = await verdict(FAKE_SPACES_KEYS.readOnly);
  t.equal(readOnly.status, 'SUCCEEDED', readOnly.message);
  t.match(readOnly.message, /The Spaces key 'DO00FAKEREADONLY0001' holds only read grants \('read' on all buckets\)/);
  const readWrite = await verdict(FAKE_SPACES_KEYS.readWrite);
  t.equal(readWrite.status, 'FAILED');
  t.match(readWrite.message, /holds the grant 'readwrite' on bucket 'public-assets'/);
  const full = await verdict(FAKE_SPACES_KEYS.fullAccess);
  t.equal(full.status, 'FAILED');
  t.match(full.message, /'fullaccess' on all buckets/);
  const unknown = await verdict({ id: 'DO00NOTINTHISACCOUNT', secret: 'x'.repeat(40) });
  t.equal(unknown.status, 'FAILED');
  t.match(unknown.message, /is not among the \d+ Spaces keys of this account/);
  // check reads the grants with the token: without spaces_key:read it cannot prove the key read-only.
  const files = writeInputs({ 'config.json': { ...config(api, FAKE_SPACES_KEYS.readOnly), api_token: NO_SPACES_KEY_SCOPE } });
  const blind = (await spawnCli(['check', '--config', files['config.json']])).messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
  t.equal(blind?.status, 'FAILED');
  t.match(blind?.message, /lacks the scope 'spaces_key:read'.*fails closed/);
  const none = await verdict();
  t.equal(none.status, 'SUCCEEDED');
  t.match(none.message, /No Spaces key is configured/);
});

t.test('discover: the Spaces streams only with a key', async (t) => {
  const api = await startFakeApi({ seed: 3, scale: 5, rateLimits: false });
  t.teardown(() => api.close());
  const names = async (key?: Key) => {
    const result = await run(api, 'discover', key);
    return result.messages.find((m) => m.type === 'CATALOG')?.catalog?.streams.map((s) => s.name) ?? [];
  };
  t.same((await names()).filter((n) => NAMES.includes(n)), [], 'absent without a key');
  t.same((await names(FAKE_SPACES_KEYS.readOnly)).filter((n) => NAMES.includes(n)), NAMES, 'all six with one');
});
