import t from 'tap';
import { CredentialDetector, findCredentials, isCredentialKey, secretByContent, uriHasCredentials } from '../../src/records/credentials.js';
import { RecordShaper } from '../../src/records/shape.js';
import { compileStripper } from '../../src/records/strip.js';
import type { StreamDef } from '../../src/streams/types.js';

const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAq1w2', '-----END RSA PRIVATE KEY-----'].join('\n');

function scrub(stream: string, record: Record<string, unknown>): { record: Record<string, unknown>; removed: string[] } {
  const removed: string[] = [];
  new CredentialDetector(stream).scrub(record, (path, reason) => removed.push(`${path} ${reason}`));
  return { record, removed };
}

t.test('credential-named keys: matched on the end of the key, any case or style', async (t) => {
  for (const key of ['password', 'db_password', 'DB_PASSWORD', 'accessToken', 'refresh_token', 'X-Api-Key', 'Authorization', 'client_secret', 'auth_key', 'private_key', 'secret_key', 'registry_credentials', 'Bearer', 'hf_token', 'datadog_api_key']) {
    t.ok(isCredentialKey(key), key);
  }
  for (const key of ['token_expires_at', 'password_last_changed', 'certificate_expires_at', 'api_key_uuid', 'max_tokens', 'thinking_token_budget', 'innodb_ft_max_token_size', 'public_key', 'key', 'keys', 'pass_status', 'auth_plugin', 'ssh_keys', 'certificate']) {
    t.notOk(isCredentialKey(key), key);
  }
});

t.test('content: URIs with credentials, PEM private keys, HTTP credentials', async (t) => {
  t.ok(uriHasCredentials('postgresql://doadmin:s3cr%21t@db.example:25060/d'));
  t.ok(uriHasCredentials('run psql "postgresql://u:pw@h:1/db" now'), 'anywhere in the string');
  t.ok(uriHasCredentials('https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r.git'), 'a token as the user name');
  t.ok(uriHasCredentials('https://x-access-token@github.com/o/r.git'));
  t.notOk(uriHasCredentials('postgresql://doadmin@db.example:25060/d'), 'a user name alone');
  t.notOk(uriHasCredentials('postgresql://doadmin:@db.example/d'), 'an empty password');
  t.notOk(uriHasCredentials('postgresql://doadmin:*****@db.example/d'), 'a masked password');
  t.notOk(uriHasCredentials('https://github.com/digitalocean/sample-golang.git'));
  t.notOk(uriHasCredentials('mailto:someone@example.com'));
  t.equal(secretByContent(PEM), 'private key');
  t.equal(secretByContent('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl'), 'private key');
  t.equal(secretByContent('-----BEGIN PGP PRIVATE KEY BLOCK-----\nxyz'), 'private key');
  t.equal(secretByContent('-----BEGIN CERTIFICATE-----\nMIIB'), undefined, 'a certificate is public');
  t.equal(secretByContent('Bearer eyJhbGciOiJIUzI1NiJ9.abc'), 'HTTP credential');
  t.equal(secretByContent('Basic dXNlcjpwYXNzd29yZA=='), 'HTTP credential');
  t.equal(secretByContent('Bearer token for the API'), undefined, 'prose is not a credential');
  t.equal(secretByContent('Basic authentication'), undefined, 'nor is one long word');
  t.equal(secretByContent('Token 9f8e7d6c5b4a'), 'HTTP credential');
});

t.test('the detector removes what it finds, in place, and reports paths and reasons', async (t) => {
  const { record, removed } = scrub('things', {
    id: 'a',
    connection: { host: 'h', ssl_uri: 'rediss://default:pw-1@h:1', port: 25061 },
    nested: [{ deeper: { db_password: 'pw-2', token_expires_at: '2030-01-01T00:00:00Z', allow_credentials: true } }],
    tls: { key: PEM, certificate: '-----BEGIN CERTIFICATE-----\nMIIB' },
    headers: [{ key: 'X-Trace', value: 'trace-value' }],
    envs: [{ key: 'LOG_LEVEL', value: 'debug', scope: 'RUN_TIME', type: 'GENERAL' }],
    taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    extra: [{ key: 'DB_PASSWORD', value: 'pw-3' }, { key: 'S', value: 'pw-4', type: 'SECRET' }],
    api_keys: ['k-1', 'k-2'],
    pin: { token: 123456 },
    empty: { password: '' },
    auth: 'Bearer abcdefgh1jklmnop',
  });
  t.same(record, {
    id: 'a',
    connection: { host: 'h', port: 25061 },
    nested: [{ deeper: { token_expires_at: '2030-01-01T00:00:00Z', allow_credentials: true } }],
    tls: { certificate: '-----BEGIN CERTIFICATE-----\nMIIB' },
    headers: [{ key: 'X-Trace' }],
    envs: [{ key: 'LOG_LEVEL', scope: 'RUN_TIME', type: 'GENERAL' }],
    taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    extra: [{ key: 'DB_PASSWORD' }, { key: 'S', type: 'SECRET' }],
    pin: {},
    empty: { password: '' },
  });
  t.same(removed.sort(), [
    'api_keys credential-named key',
    'auth HTTP credential',
    'connection.ssl_uri URI with credentials',
    'envs[].value header or env value',
    'extra[].value header or env value',
    'extra[].value header or env value',
    'headers[].value header or env value',
    'nested[].deeper.db_password credential-named key',
    'pin.token credential-named key',
    'tls.key private key',
  ]);
});

t.test('the allowlist: the Spaces access key id stays, on that stream only', async (t) => {
  t.same(scrub('spaces_keys', { access_key: 'DO00ABCDEF', name: 'k' }).record, { access_key: 'DO00ABCDEF', name: 'k' });
  t.same(scrub('database_users', { access_key: 'kafka-private-key', name: 'k' }).record, { name: 'k' });
  t.same(scrub('spaces_keys', { access_key: 'postgresql://u:pw@h/db' }).record, {}, 'content rules still apply');
});

t.test('findCredentials looks without changing the value', async (t) => {
  const value = { a: { password: 'pw' } };
  t.same(findCredentials('x', value), ['a.password (credential-named key)']);
  t.same(value, { a: { password: 'pw' } });
  t.same(findCredentials('x', 'text'), []);
});

t.test('the strip list reports each removed value by its strip path', async (t) => {
  const heard: string[] = [];
  const strip = compileStripper(['a.password', '..uri', 'list[].secret']);
  strip({ a: { password: 'p' }, b: { c: { uri: 'u' } }, list: [{ secret: 's' }, { secret: null }, { secret: '' }] }, (p) => heard.push(p));
  t.same(heard, ['a.password', '..uri', 'list[].secret']);
  const record = { a: { password: 'p' } };
  strip(record);
  t.same(record, { a: {} }, 'works without a listener');
});

t.test('RecordShaper: strip list, then detector, then parent keys; one summary line per stream', async (t) => {
  const def: StreamDef = {
    name: 'things', resource: 'Things', path: '/v2/things', recordsKey: 'things', shape: 'list', scope: null,
    primaryKey: ['id'], pagination: 'none', strip: ['connection.password'],
  };
  const shaper = new RecordShaper(def);
  t.equal(shaper.summary(), undefined, 'nothing removed, no line');
  for (let i = 0; i < 3; i++) {
    const out = shaper.shape({ id: i, connection: { password: `pw-${i}`, uri: `mysql://u:pw-${i}@h/db` }, note: 'ok' }, { parent_id: 'p' });
    t.same(out, { id: i, connection: {}, note: 'ok', parent_id: 'p' });
  }
  const line = shaper.summary() ?? '';
  t.equal(line, "Stream 'things': removed 6 secret value(s) before output (values are never logged): connection.password x3 (strip list); connection.uri x3 (URI with credentials).");
  t.notMatch(line, /pw-/);
  t.same(shaper.removals().map((r) => r.count), [3, 3]);
});

t.test('the summary caps the paths it names', async (t) => {
  const def: StreamDef = {
    name: 'many', resource: 'Many', path: '/v2/many', recordsKey: 'many', shape: 'list', scope: null,
    primaryKey: [], pagination: 'none', strip: [],
  };
  const shaper = new RecordShaper(def);
  const record: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) record[`f${i}`] = { password: 'x' };
  shaper.shape(record, undefined);
  t.match(shaper.summary(), /removed 30 secret value\(s\).*; and 5 more paths\.$/);
});
