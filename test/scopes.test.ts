import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import t from 'tap';
import { ApiError } from '../src/http/errors.js';
import { packageRoot } from '../src/paths.js';
import { createRuntime } from '../src/runtime.js';
import { ProtocolWriter } from '../src/protocol/writer.js';
import { checkRequestBound, discoverRequestBound, passiveChildren } from '../src/scopes/audit.js';
import {
  calibrate,
  calibrate as calibrateWith,
  calibrationRequestBound,
  CALIBRATION_ATTEMPTS,
  EXTRA_CALIBRATION_SCOPES,
  extraCalibrationRequests,
  FORBIDDEN_SCOPES,
  judgeForbidden,
  nilPathsFor,
  type Calibration,
  type CalibrationScope,
} from '../src/scopes/forbidden.js';
import { createLeakWatch, detectCredentialLeak, findCredentialLeaks, overPrivilegedWarning, revealsCredentials, uriHasCredentials } from '../src/scopes/leak.js';
import { NIL_ID, Prober, withNilIds, type ProbeOutcome } from '../src/scopes/probe.js';
import {
  findingOf,
  missingScopes,
  neededScopes,
  planScopeProbes,
  readableStreams,
  requiredScopes,
  streamsDisabledBy,
  type ScopeResult,
} from '../src/scopes/report.js';
import { findStream, STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';
import { Writable } from 'node:stream';

const ORIGIN = 'https://api.scopes.test';
const TOKEN = 'dop_v1_scopes_unit_test_token_00000000000000';

const ok = (body: unknown = {}): ProbeOutcome => ({ ok: true, status: 200, body });
const fail = (kind: ApiError['kind'], path = '/x', status?: number): ProbeOutcome => ({
  ok: false,
  error: new ApiError(kind, path, `GET ${path} failed (${kind})`, status),
});

/** A Prober answering from a table of path → outcome, recording what was asked. */
function stubProber(answers: Record<string, ProbeOutcome>, fallback: ProbeOutcome = fail('not_found')) {
  const asked: string[] = [];
  const prober = {
    get: async (path: string, query: Record<string, string> = {}) => {
      const key = Object.keys(query).length > 0 ? `${path}?${new URLSearchParams(query).toString()}` : path;
      asked.push(key);
      return answers[key] ?? answers[path] ?? fallback;
    },
  } as unknown as Prober;
  return { prober, asked };
}

function silentWriter(): ProtocolWriter {
  return new ProtocolWriter(new Writable({ write: (_c, _e, done) => done() }));
}

t.test('the scope report plans one probe per distinct scope of the table', async (t) => {
  const probes = planScopeProbes();
  const scopes = neededScopes();
  t.same(probes.map((p) => p.scope), scopes, 'one per scope, in table order');
  t.equal(new Set(scopes).size, scopes.length);
  t.notOk(scopes.includes(null as unknown as string), 'rows with a null scope need none');
  for (const probe of probes) {
    t.notMatch(probe.path, /\{/, `${probe.scope}: no placeholder left`);
    if (probe.kind === 'list') {
      // Top-level, or a parent that only fills query parameters (NFS: ?region=, given a sample value).
      const queryOnly = Object.keys(probe.stream.parent?.keys ?? {}).every((k) => probe.stream.parent?.queryKeys?.[k] !== undefined);
      t.ok(queryOnly, `${probe.scope}: list probes need no parent record`);
      for (const [k, v] of Object.entries(probe.stream.parent?.queryKeys ?? {})) t.equal(probe.query[k], v, `${probe.scope}: ${k} sent`);
      t.equal(probe.query.per_page, probe.stream.pagination === 'none' ? undefined : '1', `${probe.scope}: per_page=1 when the list pages`);
    } else {
      t.ok(probe.stream.parent, `${probe.scope}: nil-id probes are for scopes only reachable below a parent`);
      t.ok(probe.path.includes(NIL_ID));
      t.notOk(STREAMS.some((d) => d.scope === probe.scope && !d.parent), `${probe.scope}: no top-level row has it`);
    }
  }
  // godo nfs.go List always sends region; without it the API (and the fake) answers 422.
  const nfs = probes.find((p) => p.scope === 'nfs:list');
  t.same([nfs?.kind, nfs?.path, nfs?.query], ['list', '/v2/nfs', { region: 'atl1', per_page: '1' }], 'nfs:list: a list probe in one region');
  const account = probes.find((p) => p.scope === 'account:read');
  t.equal(account?.path, '/v2/account', 'account:read is probed by the request check makes first');
});

t.test('a child-only scope is probed with the nil-id technique (synthetic table)', async (t) => {
  const parent: StreamDef = { name: 'p', resource: 'P', path: '/v2/p', recordsKey: 'p', shape: 'list', scope: 'p:read', primaryKey: ['id'], pagination: 'page', strip: [] };
  const child: StreamDef = {
    name: 'c', resource: 'C', path: '/v2/p/{p_id}/c', recordsKey: 'c', shape: 'list', scope: 'c:read', primaryKey: ['p_id', 'id'],
    parent: { stream: 'p', keys: { p_id: 'id' } }, pagination: 'none', strip: [],
  };
  const free: StreamDef = { ...parent, name: 'f', path: '/v2/f', scope: null };
  const table = [parent, child, free];
  const probes = planScopeProbes(table);
  t.same(probes.map((p) => [p.scope, p.kind, p.path]), [
    ['p:read', 'list', '/v2/p'],
    ['c:read', 'nil-id', `/v2/p/${NIL_ID}/c`],
  ]);
  t.same(requiredScopes(child, table), ['c:read', 'p:read'], 'a child needs its parent scope too');
  t.same(streamsDisabledBy('p:read', table).map((d) => d.name), ['p', 'c']);
  const results: ScopeResult[] = [
    { probe: probes[0], outcome: fail('forbidden'), finding: 'missing' },
    { probe: probes[1], outcome: ok(), finding: 'granted' },
  ];
  t.same(missingScopes(results), ['p:read']);
  t.same(readableStreams(results, table).map((d) => d.name), ['f'], 'the child goes with its parent; scope-free rows stay');
  t.same(readableStreams([], table).map((d) => d.name), ['p', 'c', 'f'], 'nothing proven missing: everything stays');
});

t.test('requiredScopes and streamsDisabledBy on the real table', async (t) => {
  for (const def of STREAMS) {
    const scopes = requiredScopes(def);
    if (def.scope) t.equal(scopes[0], def.scope, `${def.name}: own scope first`);
    for (const scope of scopes) t.ok(streamsDisabledBy(scope).includes(def), `${def.name} is disabled by ${scope}`);
  }
  const nullScoped = STREAMS.filter((d) => !d.scope && !d.parent);
  for (const def of nullScoped) t.same(requiredScopes(def), [], `${def.name} needs no scope`);
});

t.test('findingOf: what one probe answer means', async (t) => {
  t.equal(findingOf(ok(), 'list'), 'granted');
  t.equal(findingOf(fail('forbidden'), 'list'), 'missing');
  t.equal(findingOf(fail('unauthorized'), 'list'), 'rejected');
  t.equal(findingOf(fail('not_found'), 'list'), 'error', 'a list that 404s is not an answer about its scope');
  t.equal(findingOf(fail('not_found'), 'nil-id'), 'not_found', 'a nil-id 404 waits for calibration');
  t.equal(findingOf(fail('server'), 'nil-id'), 'error');
});

t.test('nil paths for calibration are real child routes under a parent of the same scope', async (t) => {
  for (const scope of neededScopes()) {
    for (const path of nilPathsFor(scope)) {
      t.ok(path.includes(NIL_ID), path);
      t.notMatch(path, /\{/, path);
      const row = STREAMS.find((d) => withNilIds(d.path) === path);
      t.equal(row?.scope, scope, `${path} needs ${scope}`);
      t.equal(STREAMS.find((d) => d.name === row?.parent?.stream)?.scope, scope, `${path}: its parent needs ${scope} too`);
    }
  }
  t.same(nilPathsFor('account:read'), [], 'no child route: no candidate (no guessed {list}/{id} route)');
  t.ok(nilPathsFor('droplet:read').includes(`/v2/droplets/${NIL_ID}/backups`));
  t.notOk(nilPathsFor('droplet:read').some((p) => p.includes('/firewalls')), 'droplet_firewalls needs firewall:read: not a droplet:read route');
});

t.test('extra calibration scopes are outside the table and ask only about the nil UUID', async (t) => {
  const needed = new Set(neededScopes());
  t.ok(EXTRA_CALIBRATION_SCOPES.length > 0, 'a token holding every stream scope can still be calibrated');
  for (const extra of EXTRA_CALIBRATION_SCOPES) {
    t.notOk(needed.has(extra.scope), `${extra.scope} is not a stream scope (else the scope report covers it)`);
    t.equal(extra.nilPath, extra.parent ? withNilIds(extra.listPath) : `${extra.listPath}/${NIL_ID}`);
    if (extra.parent) t.ok(STREAMS.some((d) => d.path === extra.parent?.path && d.recordsKey === extra.parent.recordsKey), `${extra.scope}: the parent list is a stream's`);
  }
  for (const forbidden of FORBIDDEN_SCOPES) {
    t.match(forbidden.probePath, /\/credentials$/, `${forbidden.scope}: the credentials endpoint`);
    t.ok(forbidden.probePath.includes(NIL_ID), `${forbidden.scope}: about the nil UUID`);
    t.notMatch(forbidden.probePath, /kubeconfig/, 'never the kubeconfig endpoint');
  }
  t.same(FORBIDDEN_SCOPES.map((f) => f.scope).sort(), ['database:view_credentials', 'kubernetes:access_cluster']);
});

t.test('calibrate', async (t) => {
  const probes = planScopeProbes();
  const report = (missing: string[]): ScopeResult[] =>
    probes.map((probe) => {
      const isMissing = missing.includes(probe.scope);
      return { probe, outcome: isMissing ? fail('forbidden') : ok(), finding: isMissing ? 'missing' : 'granted' };
    });
  const droplet = `/v2/droplets/${NIL_ID}/backups`;
  const firstApp = nilPathsFor('app:read')[0];

  t.test('403 on a missing scope\'s nil-id route: scope-first', async (t) => {
    const { prober, asked } = stubProber({ [droplet]: fail('forbidden', droplet) });
    const cal = await calibrate(prober, report(['droplet:read']));
    t.same(cal, { kind: 'scope-first', scope: 'droplet:read', path: droplet });
    t.same(asked, [droplet]);
  });

  t.test('404 then 403: scope-first (one route\'s 404 is not enough)', async (t) => {
    const { prober, asked } = stubProber({ [droplet]: fail('not_found', droplet), [firstApp]: fail('forbidden', firstApp) });
    const cal = await calibrate(prober, report(['droplet:read', 'app:read']));
    t.equal(cal.kind, 'scope-first');
    t.equal(asked.length, 2);
    t.not(asked[0], asked[1], 'the second attempt is another scope\'s route');
  });

  t.test('404 twice: lookup-first, after CALIBRATION_ATTEMPTS requests', async (t) => {
    const { prober, asked } = stubProber({});
    const cal = await calibrate(prober, report(['droplet:read', 'app:read', 'database:read']));
    t.equal(cal.kind, 'lookup-first');
    t.equal(asked.length, CALIBRATION_ATTEMPTS);
  });

  t.test('a failing calibration request is an error, unless a 404 was seen', async (t) => {
    const a = stubProber({}, fail('server'));
    t.equal((await calibrate(a.prober, report(['droplet:read']))).kind, 'error');
    const b = stubProber({ [droplet]: fail('not_found') }, fail('timeout'));
    t.equal((await calibrate(b.prober, report(['droplet:read', 'app:read']))).kind, 'lookup-first');
    const c = stubProber({ [droplet]: ok() });
    t.equal((await calibrate(c.prober, report(['droplet:read']))).kind, 'error', '2xx about the nil id for a missing scope cannot be read');
    const d = stubProber({ [droplet]: fail('unauthorized') });
    t.equal((await calibrate(d.prober, report(['droplet:read']))).kind, 'rejected');
  });

  t.test('no missing stream scope: the extra scopes, listed one at a time', async (t) => {
    // Two top-level extras (the shape they had before the streams covered security:read and
    // dedicated_inference:read), passed in: the order and early stops are what is tested here.
    const extras: CalibrationScope[] = [
      { scope: 'first:read', listPath: '/v2/first', nilPath: `/v2/first/${NIL_ID}` },
      { scope: 'second:read', listPath: '/v2/second', nilPath: `/v2/second/${NIL_ID}` },
    ];
    const calibrate = (prober: Prober, results: ScopeResult[]) => calibrateWith(prober, results, STREAMS, extras);
    const [first, second] = extras;
    const list = (e: CalibrationScope) => `${e.listPath}?per_page=1`;

    const held = stubProber({ [list(first)]: ok(), [list(second)]: ok() });
    t.same(await calibrate(held.prober, report([])), { kind: 'none' }, 'the token holds them all: face value');
    t.same(held.asked, [list(first), list(second)]);

    const lacks = stubProber({ [list(first)]: fail('forbidden'), [first.nilPath]: fail('forbidden') });
    t.same(await calibrate(lacks.prober, report([])), { kind: 'scope-first', scope: first.scope, path: first.nilPath });
    t.same(lacks.asked, [list(first), first.nilPath], 'stops at the first answer that decides');

    const unserved = stubProber({ [list(first)]: fail('not_found'), [list(second)]: fail('forbidden'), [second.nilPath]: fail('not_found') });
    t.same(await calibrate(unserved.prober, report([])), { kind: 'lookup-first', scope: second.scope, path: second.nilPath }, 'a route the API lacks is skipped');

    const flaky = stubProber({ [list(first)]: fail('server') });
    const cal = await calibrate(flaky.prober, report([]));
    t.equal(cal.kind, 'error', 'transient trouble is not "no calibration"');
    t.same(flaky.asked, [list(first)]);

    const revoked = stubProber({ [list(first)]: fail('unauthorized') });
    t.equal((await calibrate(revoked.prober, report([]))).kind, 'rejected');
  });

  t.test('a child-only missing scope (found by a nil-id probe) does not calibrate', async (t) => {
    const results = report([]).map((r) => (r.probe.kind === 'nil-id' ? { ...r, outcome: fail('forbidden'), finding: 'missing' as const } : r));
    const { prober, asked } = stubProber({}, ok());
    t.same(await calibrate(prober, results), { kind: 'none' });
    t.ok(asked.every((a) => EXTRA_CALIBRATION_SCOPES.some((e) => a.startsWith(e.parent?.path ?? e.listPath))), 'only the extra lists were asked');
  });

  t.test('an extra scope listed below a real parent: the first Volume\'s actions', async (t) => {
    const [volumeActions] = EXTRA_CALIBRATION_SCOPES;
    const volumeId = '7724db7c-e098-11e5-b522-000f53304e51';
    const parentList = `${volumeActions.parent?.path}?per_page=1`;
    const actions = `/v2/volumes/${volumeId}/actions?per_page=1`;
    const lacks = stubProber({ [parentList]: ok({ volumes: [{ id: volumeId }] }), [actions]: fail('forbidden'), [volumeActions.nilPath]: fail('not_found') });
    t.same(await calibrate(lacks.prober, report([])), { kind: 'lookup-first', scope: 'block_storage_action:read', path: volumeActions.nilPath });
    t.same(lacks.asked, [parentList, actions, volumeActions.nilPath], 'parent list, the real Volume\'s actions, then the nil UUID');
    const noVolume = stubProber({ [parentList]: ok({ volumes: [] }) });
    t.same(await calibrate(noVolume.prober, report([])), { kind: 'none' }, 'no Volume: nothing to calibrate with');
    t.same(noVolume.asked, [parentList]);
    const noScope = stubProber({ [parentList]: fail('forbidden') });
    t.same(await calibrate(noScope.prober, report([])), { kind: 'none' }, 'Volumes not readable: nothing to calibrate with');
  });
});

t.test('judgeForbidden: every answer of a forbidden-scope probe', async (t) => {
  const [k8s, db] = FORBIDDEN_SCOPES;
  const none: Calibration = { kind: 'none' };
  const scopeFirst: Calibration = { kind: 'scope-first', scope: 'droplet:read', path: '/d' };
  const lookupFirst: Calibration = { kind: 'lookup-first', scope: 'droplet:read', path: '/d' };
  const noProof = { inspected: 0 };
  t.same(judgeForbidden(k8s, fail('forbidden'), undefined, noProof), { state: 'absent' }, '403 needs no calibration');
  t.same(judgeForbidden(k8s, fail('forbidden'), lookupFirst, noProof), { state: 'absent' }, '403 is proof whatever the order');
  t.equal(judgeForbidden(k8s, fail('not_found'), scopeFirst, noProof).state, 'present');
  t.match(judgeForbidden(k8s, fail('not_found'), scopeFirst, noProof), { evidence: /checks scopes before.*'droplet:read'/ });
  t.equal(judgeForbidden(k8s, fail('not_found'), none, noProof).state, 'present', 'nothing to calibrate with: face value');
  t.equal(judgeForbidden(k8s, fail('not_found'), undefined, noProof).state, 'present');
  t.same(judgeForbidden(k8s, fail('not_found'), lookupFirst, noProof), { state: 'inconclusive', passiveChecked: false });
  t.same(judgeForbidden(db, fail('not_found'), lookupFirst, { inspected: 4 }), { state: 'inconclusive', passiveChecked: true });
  t.equal(judgeForbidden(k8s, ok(), undefined, noProof).state, 'present', '2xx: the scope check passed');
  t.equal(judgeForbidden(k8s, fail('unauthorized'), undefined, noProof).state, 'rejected');
  for (const kind of ['server', 'timeout', 'network', 'rate_limited', 'client', 'bad_body', 'precondition'] as const) {
    const verdict = judgeForbidden(k8s, fail(kind), undefined, noProof);
    t.equal(verdict.state, 'error', `${kind}: fails closed`);
  }
  const calError: Calibration = { kind: 'error', scope: 'x:read', path: '/x', error: new ApiError('server', '/x', 'GET /x failed.') };
  t.match(judgeForbidden(k8s, fail('not_found'), calError, noProof), { state: 'error', detail: /calibration request GET \/x/ });
  const calRejected: Calibration = { kind: 'rejected', error: new ApiError('unauthorized', '/x', 'no') };
  t.equal(judgeForbidden(k8s, fail('not_found'), calRejected, noProof).state, 'rejected');
  const leak = { inspected: 3, leakIn: 'database_users' };
  t.match(judgeForbidden(db, fail('forbidden'), undefined, leak), { state: 'present', evidence: /database_users/ }, 'the passive proof wins');
  t.match(
    judgeForbidden(db, fail('forbidden'), undefined, { ...leak, leakFields: ['password', 'settings.password'] }),
    { evidence: /database_users.*\(password, settings\.password\)/ },
    'the evidence names the fields found',
  );
  t.equal(judgeForbidden(k8s, fail('forbidden'), undefined, leak).state, 'absent', 'a database leak says nothing about kubernetes');
});

t.test('Prober: memoized, refuses real credential ids, keeps no credential body', async (t) => {
  const scope = nock(ORIGIN)
    .get('/v2/droplets').query({ per_page: '1', a: 'b' }).once().reply(200, { droplets: [] })
    .get(`/v2/vector-databases/${NIL_ID}/credentials`).reply(200, { credentials: { password: 'x' } })
    .get('/v2/account').reply(503, {}).get('/v2/account').reply(503, {});
  t.teardown(() => nock.cleanAll());
  const writer = silentWriter();
  const { client } = await createRuntime(
    { apiToken: TOKEN, apiOrigin: ORIGIN, requestsPerMinute: 240, maxConcurrency: 4 },
    writer,
  );
  (client as unknown as { opts: { maxRetries: number } }).opts.maxRetries = 1;
  (client as unknown as { opts: { backoffBaseMs: number } }).opts.backoffBaseMs = 1;
  const prober = new Prober(client);
  const [a, b] = await Promise.all([prober.get('/v2/droplets', { per_page: '1', a: 'b' }), prober.get('/v2/droplets', { a: 'b', per_page: '1' })]);
  t.same(a, b, 'the same request, in any query order, is sent once');
  t.equal(prober.distinctRequests, 1);
  const cred = await prober.get(`/v2/vector-databases/${NIL_ID}/credentials`);
  t.same(cred, { ok: true, status: 200, body: undefined }, 'only the status of a credential path is kept');
  const account = await prober.get('/v2/account');
  t.match(account, { ok: false, error: { kind: 'server' } }, 'an ApiError becomes an outcome');
  t.throws(() => prober.get('/v2/kubernetes/clusters/1234/kubeconfig'), /refusing to request credentials/);
  t.throws(() => prober.get('/v2/kubernetes/clusters/abc/credentials'), /refusing to request credentials/);
  t.throws(() => prober.get('/v2/databases/{id}/users'), /unfilled placeholder/);
  t.ok(scope.isDone());
});

t.test('Prober rethrows what is not an ApiError', async (t) => {
  const client = { urlFor: (p: string) => new URL(p, ORIGIN), get: async () => { throw new TypeError('boom'); } };
  const prober = new Prober(client as never);
  await t.rejects(prober.get('/v2/account'), TypeError);
});

t.test('detectCredentialLeak: the passive proof of database:view_credentials', async (t) => {
  const hidden = { id: 'c1', engine: 'pg', connection: { uri: 'postgresql://db.example:25060/defaultdb?sslmode=require', host: 'db.example', port: 25060 }, users: [{ name: 'doadmin', role: 'primary' }] };
  t.notOk(detectCredentialLeak('database_clusters', hidden), 'credentials hidden: nothing found');
  t.notOk(detectCredentialLeak('database_clusters', { ...hidden, connection: { uri: 'postgresql://doadmin@db.example:25060/d', password: '' } }), 'empty password, user without password');
  t.notOk(detectCredentialLeak('database_clusters', { connection: { password: '********' } }), 'a masked password');
  t.ok(detectCredentialLeak('database_clusters', { connection: { password: 'hunter2hunter2' } }), 'a password');
  t.ok(detectCredentialLeak('database_clusters', { connection: { uri: 'postgresql://doadmin:s3cr%21t@db.example:25060/d' } }), 'a URI with a password');
  t.ok(detectCredentialLeak('database_clusters', { private_connection: { uri: 'rediss://default:pw@h:1' } }));
  t.ok(detectCredentialLeak('database_clusters', { users: [{ name: 'a' }, { name: 'b', password: 'pw-b' }] }), 'an embedded user');
  t.ok(detectCredentialLeak('database_users', { name: 'u', password: 'pw' }));
  t.ok(detectCredentialLeak('database_users', { name: 'u', access_cert: '-----BEGIN CERTIFICATE-----' }), 'a Kafka user certificate');
  t.ok(detectCredentialLeak('database_replicas', { name: 'r', connection: { password: 'pw' } }));
  t.ok(detectCredentialLeak('database_connection_pools', { name: 'p', connection: { uri: 'postgresql://u:pw@h:1/db' } }));
  t.notOk(detectCredentialLeak('database_users', { name: 'u', role: 'normal', mysql_settings: { auth_plugin: 'caching_sha2_password' } }), 'other fields never count');
  t.notOk(detectCredentialLeak('database_log_sinks', { config: { url: 'https://user:pw@logs.example' } }), 'log sink secrets are not governed by the scope');
  t.notOk(detectCredentialLeak('droplets', { connection: { password: 'pw' } }), 'streams outside database:read never count');
  t.notOk(detectCredentialLeak('no_such_stream', { password: 'pw' }));
  t.notOk(detectCredentialLeak('database_clusters', null));
  t.notOk(detectCredentialLeak('database_clusters', 'text'));
  t.ok(revealsCredentials('database_clusters'));
  t.notOk(revealsCredentials('database_backups'));
  t.match(overPrivilegedWarning('database_users'), /over-privileged.*database_users.*database:view_credentials/);
  t.notMatch(overPrivilegedWarning('database_users'), /pw/);
});

t.test('findCredentialLeaks names each field found, including URIs and passwords the row does not name', async (t) => {
  const raw = {
    connection: { password: 'pw-1', uri: 'postgresql://doadmin:pw-1@h:25060/d', ssl_uri: 'postgresql://doadmin:pw-1@h:25061/d' },
    metrics_endpoints: [{ host: 'h', port: 9273, uri: 'https://m:pw-2@h:9273/metrics' }],
    users: [{ name: 'a', password: 'pw-3', settings: { password: 'pw-4' } }],
  };
  const found = findCredentialLeaks('database_clusters', raw);
  t.same(found.sort(), ['connection.password', 'connection.ssl_uri', 'connection.uri', 'metrics_endpoints[].uri', 'users[].password', 'users[].settings.password']);
  const warning = overPrivilegedWarning('database_clusters', found);
  t.match(warning, /database credentials \(connection\.password, .*users\[\]\.settings\.password\).*removed before output/);
  t.notMatch(warning, /pw-/, 'never a value');
  t.same(findCredentialLeaks('database_log_sinks', raw), [], 'streams outside the proof find nothing');
});

t.test('createLeakWatch: one WARN per command, at the first leaking record', async (t) => {
  const watch = createLeakWatch();
  t.equal(watch('database_users', { name: 'a' }), undefined);
  t.equal(watch('droplets', { password: 'pw' }), undefined);
  t.equal(watch('database_users', { name: 'b', password: 'pw' }), overPrivilegedWarning('database_users', ['password']));
  t.equal(watch('database_clusters', { connection: { password: 'pw' } }), undefined, 'warned once already');
  t.equal(createLeakWatch()('database_clusters', { connection: { password: 'pw' } }), overPrivilegedWarning('database_clusters', ['connection.password']), 'a new command warns again');
});

t.test('uriHasCredentials', async (t) => {
  t.ok(uriHasCredentials('postgresql://doadmin:abc@h:25060/db'));
  t.ok(uriHasCredentials('mongodb+srv://u:p%40ss@h/db'));
  t.ok(uriHasCredentials('mysql://u:%E0%A4%A@h/db'), 'a malformed escape is still a password');
  t.notOk(uriHasCredentials('postgresql://doadmin@h:25060/db'));
  t.notOk(uriHasCredentials('postgresql://doadmin:@h:25060/db'));
  t.notOk(uriHasCredentials('postgresql://doadmin:****@h:25060/db'));
  t.notOk(uriHasCredentials('postgresql://h:25060/db'));
  t.notOk(uriHasCredentials('not a uri'));
  t.notOk(uriHasCredentials('https://h/path?x=a:b@c'), 'an @ after the authority is not user info');
});

t.test('passive children: the secret-bearing lists below the probed cluster list', async (t) => {
  const names = passiveChildren().map((d) => d.name).sort();
  t.same(names, ['database_connection_pools', 'database_replicas', 'database_users']);
  for (const name of names) t.ok(revealsCredentials(name));
  t.equal(findStream('database_users')?.parent?.stream, 'database_clusters');
});

t.test('the request bound is the one docs/check.md states', async (t) => {
  const S = neededScopes().length;
  const P = passiveChildren().length;
  const E = extraCalibrationRequests();
  t.equal(E, 2, 'the Volume list and one Volume\'s actions');
  t.equal(calibrationRequestBound(), E + CALIBRATION_ATTEMPTS);
  t.equal(checkRequestBound(), 1 + (S - 1) + FORBIDDEN_SCOPES.length + P + E + CALIBRATION_ATTEMPTS);
  t.equal(discoverRequestBound(), S);
  const doc = readFileSync(join(packageRoot(), 'docs', 'check.md'), 'utf8');
  const stated = /S = (\d+), P = (\d+), E = (\d+), so \*\*at most (\d+) requests\*\*/.exec(doc);
  t.ok(stated, 'docs/check.md states the bound');
  t.same(
    stated?.slice(1).map(Number),
    [S, P, E, checkRequestBound()],
    'docs/check.md must state the current S, P, E and bound (update it when rows are added)',
  );
  const discover = /at most 1 \+ \(S − 1\) = \*\*(\d+) requests\*\*/.exec(doc);
  t.equal(Number(discover?.[1]), discoverRequestBound(), 'docs/check.md states the discover bound');
});
