import t from 'tap';
import { discoverRequestBound } from '../src/scopes/audit.js';
import { requiredScopes } from '../src/scopes/report.js';
import { STREAMS } from '../src/streams/index.js';
import { runWithToken, startScopesFake, TOKEN_SCOPES, TOKENS } from './helpers/scopes-fake.js';

/** discover lists only the streams the token can read, with the same scope probes as check. */

process.env.SOURCE_DIGITALOCEAN_TIME_SCALE = '0.02';
t.teardown(() => {
  delete process.env.SOURCE_DIGITALOCEAN_TIME_SCALE;
});

function held(token: string, scope: string): boolean {
  const scopes = TOKEN_SCOPES[token].scopes;
  return scopes.includes(scope) || (scopes.includes('api:read') && scope.endsWith(':read'));
}

for (const lookupBeforeScope of [false, true]) {
  t.test(`discover (${lookupBeforeScope ? 'lookup' : 'scope'} first)`, async (t) => {
    const api = await startScopesFake(lookupBeforeScope);
    t.teardown(() => api.close());

    for (const kind of ['seed', 'partial', 'allStreams', 'readOnly', 'full'] as const) {
      t.test(kind, async (t) => {
        api.resetStats();
        const token = TOKENS[kind];
        const result = await runWithToken('discover', api, token);
        t.same(result.protocolErrors, []);
        t.equal(result.code, 0);
        const catalogs = result.messages.filter((m) => m.type === 'CATALOG');
        t.equal(catalogs.length, 1, 'exactly one CATALOG');
        const names = catalogs[0]?.catalog?.streams.map((s) => s.name) ?? [];
        // A child-only scope cannot be proven missing on a lookup-first API: its streams stay in.
        // (A row whose parent only fills query parameters, NFS by region, is listed like a top-level one.)
        const alone = (d: (typeof STREAMS)[number]) => !d.path.includes('{') && Object.keys(d.parent?.keys ?? {}).every((k) => d.parent?.queryKeys?.[k] !== undefined);
        const provable = (scope: string) => !lookupBeforeScope || STREAMS.some((d) => d.scope === scope && alone(d));
        // Without a Spaces key the S3 rows are never offered (test/spaces/ covers them).
        const expected = STREAMS.filter((def) => !def.transport && requiredScopes(def).every((scope) => held(token, scope) || !provable(scope))).map((d) => d.name);
        t.same(names, expected, 'exactly the streams whose scopes the token holds, in table order');
        const leftOut = STREAMS.filter((d) => !d.transport && !names.includes(d.name));
        const logs = result.messages.filter((m) => m.type === 'LOG' && /left out of the catalog/.test(m.log?.message ?? ''));
        if (leftOut.length === 0) {
          t.equal(logs.length, 0, 'nothing left out, nothing logged');
        } else {
          t.equal(logs.length, 1, 'one LOG line lists what was left out');
          for (const def of leftOut) {
            // Only what can be proven: a child-only scope (function:admin) is unprovable on a lookup-first API.
            const missing = requiredScopes(def).filter((s) => !held(token, s) && provable(s));
            t.match(logs[0]?.log?.message, new RegExp(`\\b${def.name} \\(needs ${missing.join(', ')}\\)`), `${def.name} and the scope it needs`);
          }
        }
        t.equal(result.messages.filter((m) => m.type === 'TRACE').length, 0, 'no TRACE');
        const stats = api.stats();
        t.ok(stats.requests <= discoverRequestBound(), `${stats.requests} requests, within ${discoverRequestBound()}`);
        t.same(stats.credentialCalls, {}, 'discover never calls a credential endpoint');
        for (const [path, calls] of Object.entries(stats.byPath)) t.equal(calls, 1, `${path} asked once`);
      });
    }
  });
}

t.test('discover with a token it cannot use: one TRACE ERROR (config_error), non-zero exit', async (t) => {
  const api = await startScopesFake(false);
  t.teardown(() => api.close());
  for (const [token, re] of [
    [TOKENS.revoked, /rejected the API token \(401/],
    [TOKENS.noAccount, /lacks the scope 'account:read'/],
  ] as const) {
    const result = await runWithToken('discover', api, token);
    t.same(result.protocolErrors, []);
    t.not(result.code, 0);
    const traces = result.messages.filter((m) => m.type === 'TRACE');
    t.equal(traces.length, 1);
    t.equal(traces[0]?.trace?.error?.failure_type, 'config_error');
    t.match(traces[0]?.trace?.error?.message, re);
    t.equal(result.messages.filter((m) => m.type === 'CATALOG').length, 0);
  }
});

t.test('discover when DigitalOcean fails', async (t) => {
  t.test('the account probe fails for good: transient_error', async (t) => {
    const api = await startScopesFake(false, { faults: { rules: [{ pathRegex: '^/v2/account$', fault: { kind: 'status', status: 503 } }] } });
    t.teardown(() => api.close());
    const result = await runWithToken('discover', api, TOKENS.seed);
    t.not(result.code, 0);
    const traces = result.messages.filter((m) => m.type === 'TRACE');
    t.equal(traces.length, 1);
    t.equal(traces[0]?.trace?.error?.failure_type, 'transient_error');
  });

  t.test('a scope probe fails: its streams are listed anyway, with a WARN', async (t) => {
    const api = await startScopesFake(false, { faults: { rules: [{ pathRegex: '^/v2/droplets\\?', fault: { kind: 'status', status: 503 } }] } });
    t.teardown(() => api.close());
    const result = await runWithToken('discover', api, TOKENS.allStreams);
    t.equal(result.code, 0);
    const names = result.messages.find((m) => m.type === 'CATALOG')?.catalog?.streams.map((s) => s.name) ?? [];
    t.ok(names.includes('droplets'));
    t.ok(result.messages.some((m) => m.log?.level === 'WARN' && /Could not check the scope 'droplet:read'.*listed anyway/.test(m.log.message)));
  });

  t.test('the token revoked during discover', async (t) => {
    const api = await startScopesFake(false, { faults: { rules: [{ after: 1, fault: { kind: 'status', status: 401 } }] } });
    t.teardown(() => api.close());
    const result = await runWithToken('discover', api, TOKENS.seed);
    t.not(result.code, 0);
    t.match(result.messages.find((m) => m.type === 'TRACE')?.trace?.error, { failure_type: 'config_error', message: /rejected/ });
  });
});
