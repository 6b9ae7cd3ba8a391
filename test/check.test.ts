import t from 'tap';
import type { FakeApi } from '../fake-api/server.js';
import { checkRequestBound } from '../src/scopes/audit.js';
import { NIL_ID } from '../src/scopes/probe.js';
import { STREAMS } from '../src/streams/index.js';
import { runWithToken, startScopesFake, TOKENS } from './helpers/scopes-fake.js';

/**
 * check against the fake DigitalOcean API, one token per kind, in both orders of DigitalOcean's checks
 * (scope before lookup, and lookup before scope). Each run: exactly one CONNECTION_STATUS, exit 0, no
 * TRACE, no credential endpoint asked about a real id, no request repeated, within the stated bound.
 */

type Mode = 'scope-first' | 'lookup-first';
type Expect = { status: 'SUCCEEDED' | 'FAILED'; match: RegExp[]; notMatch?: RegExp[] };

const K8S = /'kubernetes:access_cluster'/;
const DB = /'database:view_credentials'/;
const HOLDS_K8S = /holds the scope 'kubernetes:access_cluster'/;
const HOLDS_DB = /holds the scope 'database:view_credentials'/;
const LOOKUP_NOTE = /looks ids up before it checks scopes, so requests about an id that cannot exist prove nothing here/;
const K8S_UNPROVEN = /'kubernetes:access_cluster' could not be ruled out by probing/;
const CUSTOM = /Create a custom-scoped token/;
const CLEAN = /holds neither kubernetes:access_cluster nor database:view_credentials/;

const EXPECTED: Record<Mode, Record<keyof typeof TOKENS, Expect>> = {
  'scope-first': {
    seed: { status: 'SUCCEEDED', match: [CLEAN, /Missing optional scopes.*'app:read' \(disables apps, app_deployments/], notMatch: [LOOKUP_NOTE, /'droplet:read' \(/] },
    full: { status: 'FAILED', match: [HOLDS_K8S, HOLDS_DB, CUSTOM, /"Full Access" and "Read Only" presets include them/] },
    readOnly: { status: 'FAILED', match: [HOLDS_K8S, HOLDS_DB, CUSTOM] },
    seedViewCredentials: { status: 'FAILED', match: [HOLDS_DB, CUSTOM, /records of stream 'database_clusters'/], notMatch: [HOLDS_K8S] },
    seedAccessCluster: { status: 'FAILED', match: [HOLDS_K8S, CUSTOM, /checks scopes before it looks ids up \(GET \S+ answered 403 for the missing scope/], notMatch: [HOLDS_DB] },
    noAccount: { status: 'FAILED', match: [/lacks the scope 'account:read' \(403 on GET \/v2\/account\)/] },
    partial: { status: 'SUCCEEDED', match: [CLEAN, /'droplet:read' \(disables droplets, droplet_backups/, /'database:read' \(disables database_clusters, database_users/] },
    allStreams: { status: 'SUCCEEDED', match: [CLEAN, new RegExp(`holds all \\d+ scopes the streams need`)], notMatch: [/Missing optional/] },
    allStreamsAccessCluster: { status: 'FAILED', match: [HOLDS_K8S, /'block_storage_action:read'/], notMatch: [HOLDS_DB] },
    // billing:read is the first missing scope with a child route (invoice_items below invoices).
    partialAccessCluster: { status: 'FAILED', match: [HOLDS_K8S, /customers\/my\/invoices\/0{8}-0{4}-0{4}-0{4}-0{12} answered 403/], notMatch: [HOLDS_DB] },
    revoked: { status: 'FAILED', match: [/the token was rejected/] },
  },
  'lookup-first': {
    seed: { status: 'SUCCEEDED', match: [LOOKUP_NOTE, K8S_UNPROVEN, /does not hold 'database:view_credentials'/, /Missing optional scopes/] },
    // The presets lack nfs:list here, whose child route (nfs_access_points) calibrates: lookup-first, so
    // the nil-UUID probes prove nothing; the passive proof still catches database:view_credentials.
    full: { status: 'FAILED', match: [HOLDS_DB, LOOKUP_NOTE, K8S_UNPROVEN], notMatch: [HOLDS_K8S] },
    readOnly: { status: 'FAILED', match: [HOLDS_DB, LOOKUP_NOTE, K8S_UNPROVEN], notMatch: [HOLDS_K8S] },
    seedViewCredentials: { status: 'FAILED', match: [HOLDS_DB, LOOKUP_NOTE, K8S_UNPROVEN], notMatch: [HOLDS_K8S] },
    seedAccessCluster: { status: 'SUCCEEDED', match: [LOOKUP_NOTE, K8S_UNPROVEN, /Make sure the token does not hold it/] },
    noAccount: { status: 'FAILED', match: [/lacks the scope 'account:read'/] },
    partial: { status: 'SUCCEEDED', match: [LOOKUP_NOTE, K8S_UNPROVEN, /'droplet:read' \(disables droplets/] },
    allStreams: { status: 'SUCCEEDED', match: [LOOKUP_NOTE, /'block_storage_action:read', which the token lacks/, K8S_UNPROVEN] },
    allStreamsAccessCluster: { status: 'SUCCEEDED', match: [LOOKUP_NOTE, K8S_UNPROVEN] },
    partialAccessCluster: { status: 'SUCCEEDED', match: [LOOKUP_NOTE, K8S_UNPROVEN] },
    revoked: { status: 'FAILED', match: [/the token was rejected/] },
  },
};

/** Tokens that hold no forbidden scope: whatever the API's order, check must never fail them. */
const LEAST_PRIVILEGED: (keyof typeof TOKENS)[] = ['seed', 'partial', 'allStreams'];

for (const mode of ['scope-first', 'lookup-first'] as const) {
  t.test(`check, DigitalOcean ${mode}`, async (t) => {
    const api: FakeApi = await startScopesFake(mode === 'lookup-first');
    t.teardown(() => api.close());
    for (const [kind, token] of Object.entries(TOKENS) as [keyof typeof TOKENS, string][]) {
      t.test(kind, async (t) => {
        api.resetStats();
        const result = await runWithToken('check', api, token);
        const expected = EXPECTED[mode][kind];
        t.same(result.protocolErrors, [], 'every line is a valid AirbyteMessage');
        t.equal(result.code, 0, 'exit 0');
        const statuses = result.messages.filter((m) => m.type === 'CONNECTION_STATUS');
        t.equal(statuses.length, 1, 'exactly one CONNECTION_STATUS');
        t.equal(result.messages.filter((m) => m.type === 'TRACE').length, 0, 'no TRACE message');
        const status = statuses[0]?.connectionStatus;
        t.equal(status?.status, expected.status, `${kind}: ${expected.status}`);
        const message = status?.message ?? '';
        for (const re of expected.match) t.match(message, re);
        for (const re of expected.notMatch ?? []) t.notMatch(message, re);
        t.notOk(result.stdout.includes(token), 'the token is never printed');
        if (LEAST_PRIVILEGED.includes(kind)) t.equal(expected.status, 'SUCCEEDED', 'a least-privileged token is never failed');

        const stats = api.stats();
        t.ok(stats.requests <= checkRequestBound(), `${stats.requests} requests, within the bound of ${checkRequestBound()}`);
        for (const [path, calls] of Object.entries(stats.byPath)) t.equal(calls, 1, `${path} asked once`);
        for (const path of Object.keys(stats.credentialCalls)) {
          t.ok(path.includes(NIL_ID), `credential endpoint ${path} asked only about the nil UUID`);
          t.notMatch(path, /kubeconfig/, 'the kubeconfig endpoint is never called');
          t.notMatch(path, /\/v2\/databases\/metrics\/credentials/, 'the metrics credentials are never asked');
        }
        t.ok(Object.values(stats.credentialCalls).every((n) => n <= 1));
        if (kind === 'revoked' || kind === 'noAccount') t.equal(stats.requests, 1, 'nothing else is asked');
      });
    }
  });
}

t.test('the database passive proof alone fails a token when the nil-id probe proves nothing', async (t) => {
  // The fake serves vector database credentials for any id; make that probe answer 404, as a lookup-first API would.
  const api = await startScopesFake(true, {
    faults: { rules: [{ pathPrefix: '/v2/vector-databases/', fault: { kind: 'status', status: 404 } }] },
  });
  t.teardown(() => api.close());
  const held = await runWithToken('check', api, TOKENS.seedViewCredentials);
  t.equal(held.messages.find((m) => m.connectionStatus)?.connectionStatus?.status, 'FAILED');
  t.match(held.messages.find((m) => m.connectionStatus)?.connectionStatus?.message, /holds the scope 'database:view_credentials'.*records of stream 'database_clusters'/);

  const clean = await runWithToken('check', api, TOKENS.seed);
  const status = clean.messages.find((m) => m.connectionStatus)?.connectionStatus;
  t.equal(status?.status, 'SUCCEEDED', 'an inconclusive probe never fails a token');
  t.match(status?.message, /'database:view_credentials' was checked passively only: none of the \d+ database records/);
  const stats = api.stats();
  t.ok(stats.byPath[`/v2/databases`] >= 1);
  t.ok(Object.keys(stats.byPath).some((p) => /^\/v2\/databases\/[^/]+\/users$/.test(p) && !p.includes(NIL_ID)), 'the users of a real cluster were listed for the passive proof');
  t.equal(STREAMS.find((d) => d.name === 'database_users')?.scope, 'database:read');
});

t.test('no database to inspect: the message says the passive proof had nothing to look at', async (t) => {
  const api = await startScopesFake(true, {
    counts: { database_clusters: 0 },
    faults: { rules: [{ pathPrefix: '/v2/vector-databases/', fault: { kind: 'status', status: 404 } }] },
  });
  t.teardown(() => api.close());
  const result = await runWithToken('check', api, TOKENS.seed);
  const status = result.messages.find((m) => m.connectionStatus)?.connectionStatus;
  t.equal(status?.status, 'SUCCEEDED');
  t.match(status?.message, /'database:view_credentials' could not be ruled out: there was no database record/);
});
