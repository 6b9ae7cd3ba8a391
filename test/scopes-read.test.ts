import t from 'tap';
import { detectCredentialLeak, revealsCredentials } from '../src/scopes/leak.js';
import { STREAMS } from '../src/streams/index.js';
import { catalogFor, writeInputs } from './helpers/files.js';
import { errorTraces, records, runInProcess, statuses } from './helpers/protocol.js';
import { startScopesFake, TOKENS } from './helpers/scopes-fake.js';

/**
 * read and scopes: a 403 on a configured stream is that stream's config_error and the others go on;
 * read never calls a credential endpoint; the passive proof recognises the fake account's credentials.
 */

process.env.SOURCE_DIGITALOCEAN_TIME_SCALE = '0.02';
t.teardown(() => {
  delete process.env.SOURCE_DIGITALOCEAN_TIME_SCALE;
});

t.test('a 403 on a configured stream: INCOMPLETE + TRACE ERROR naming the scope, the others go on, exit non-zero', async (t) => {
  const api = await startScopesFake(false);
  t.teardown(() => api.close());
  const files = writeInputs({
    'config.json': { api_token: TOKENS.partial, api_url: api.url },
    'catalog.json': catalogFor(['droplets', 'ssh_keys', 'database_users', 'vpcs']),
  });
  const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  t.same(result.protocolErrors, []);
  t.not(result.code, 0, 'exits non-zero');
  const errors = errorTraces(result.messages);
  const byStream = new Map(errors.map((e) => [e.stream_descriptor?.name, e]));
  for (const [stream, scope] of [['droplets', 'droplet:read'], ['database_users', 'database:read']] as const) {
    t.same(statuses(result.messages, stream).at(-1), 'INCOMPLETE', `${stream} is INCOMPLETE`);
    const error = byStream.get(stream);
    t.equal(error?.failure_type, 'config_error', `${stream}: config_error`);
    t.match(error?.message, new RegExp(`'${scope}'`), `${stream}: the message names ${scope}`);
  }
  for (const stream of ['ssh_keys', 'vpcs']) {
    t.same(statuses(result.messages, stream).at(-1), 'COMPLETE', `${stream} went on and completed`);
    t.ok(records(result.messages, stream).length > 0, `${stream} has records`);
  }
  t.equal(errors.length, 2, 'one TRACE ERROR per failing stream');
  t.same(api.stats().credentialCalls, {}, 'read never calls a credential endpoint');
});

t.test('read with an over-privileged token never calls a credential endpoint, and emits no password', async (t) => {
  const api = await startScopesFake(false);
  t.teardown(() => api.close());
  const streams = ['database_clusters', 'database_users', 'database_replicas', 'database_connection_pools', 'kubernetes_clusters'];
  const files = writeInputs({ 'config.json': { api_token: TOKENS.full, api_url: api.url }, 'catalog.json': catalogFor(streams) });
  const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  t.same(result.protocolErrors, []);
  t.equal(result.code, 0);
  t.same(api.stats().credentialCalls, {});
  for (const stream of streams) {
    for (const data of records(result.messages, stream)) {
      if (detectCredentialLeak(stream, data)) {
        t.fail(`${stream}: an emitted record still carries a credential`);
        break;
      }
    }
  }
});

t.test('the passive proof on the fake account: credentials found with the scope, never without', async (t) => {
  const api = await startScopesFake(false, { scale: 20 });
  t.teardown(() => api.close());
  const revealing = STREAMS.filter((d) => revealsCredentials(d.name)).map((d) => d.name);
  t.same(revealing.sort(), ['database_clusters', 'database_connection_pools', 'database_replicas', 'database_users']);
  for (const def of STREAMS.filter((d) => d.scope === 'database:read')) {
    let seen = 0;
    for (const raw of api.account.expectedRecords(def.name, { withSecrets: false, raw: true })) {
      seen++;
      if (detectCredentialLeak(def.name, raw)) {
        t.fail(`${def.name}: a record served without database:view_credentials was taken for a leak`);
        break;
      }
    }
    if (!revealsCredentials(def.name)) continue;
    let leaks = 0;
    for (const raw of api.account.expectedRecords(def.name, { withSecrets: true, raw: true })) if (detectCredentialLeak(def.name, raw)) leaks++;
    t.ok(seen === 0 || leaks > 0, `${def.name}: ${leaks} of ${seen} records served with the scope reveal it`);
  }
});
