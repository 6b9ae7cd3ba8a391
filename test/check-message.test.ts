import t from 'tap';
import { describeAudit } from '../src/commands/check.js';
import { ApiError } from '../src/http/errors.js';
import type { TokenAudit } from '../src/scopes/audit.js';
import { FORBIDDEN_SCOPES } from '../src/scopes/forbidden.js';

/** The CONNECTION_STATUS wording for audits the fake API does not easily produce. */

const [k8s, db] = FORBIDDEN_SCOPES;
const err = (kind: ApiError['kind'], path = '/v2/x') => new ApiError(kind, path, `GET ${path} failed (${kind}).`);
const notFound = { ok: false as const, error: err('not_found') };
const audited = (over: Partial<Extract<TokenAudit, { kind: 'audited' }>> = {}): TokenAudit => ({
  kind: 'audited',
  scopes: [{ scope: 'droplet:read', state: 'granted' }],
  forbidden: [
    { forbidden: k8s, outcome: notFound, verdict: { state: 'absent' } },
    { forbidden: db, outcome: notFound, verdict: { state: 'absent' } },
  ],
  passive: { inspected: 0 },
  ...over,
});

t.test('account failures', async (t) => {
  t.match(describeAudit({ kind: 'account_failed', error: err('unauthorized', '/v2/account') }), { status: 'FAILED', message: /the token was rejected/ });
  t.match(describeAudit({ kind: 'account_failed', error: err('forbidden', '/v2/account') }), { status: 'FAILED', message: /'account:read'/ });
  // Failing to find out is no answer about the configuration: the platform must be able to retry.
  t.match(describeAudit({ kind: 'account_failed', error: err('network', '/v2/account') }), {
    status: 'UNVERIFIED',
    message: /Could not verify the API token.*Retrying may help/,
    internal: 'ApiError network on GET /v2/account',
  });
  for (const kind of ['server', 'timeout', 'rate_limited', 'bad_body', 'too_large', 'client'] as const) {
    t.match(describeAudit({ kind: 'account_failed', error: err(kind, '/v2/account') }), { status: 'UNVERIFIED' }, kind);
  }
  // A redirect or a 404 says api_url is wrong: that is the configuration's answer.
  for (const kind of ['redirect', 'not_found'] as const) {
    t.match(describeAudit({ kind: 'account_failed', error: err(kind, '/v2/account') }), { status: 'FAILED', message: /Check api_url/ }, kind);
  }
});

t.test('a 401 anywhere later is a rejected token', async (t) => {
  t.match(describeAudit(audited({ rejected: err('unauthorized', '/v2/droplets') })), { status: 'FAILED', message: /401 on GET \/v2\/droplets.*rejected/ });
  const forbidden = audited();
  if (forbidden.kind === 'audited') forbidden.forbidden[0].verdict = { state: 'rejected', error: err('unauthorized') };
  t.match(describeAudit(forbidden), { status: 'FAILED', message: /rejected/ });
});

t.test('a clean token, every scope granted', async (t) => {
  t.same(describeAudit(audited()), {
    status: 'SUCCEEDED',
    message: 'The API token is valid and holds neither kubernetes:access_cluster nor database:view_credentials. It holds all 1 scopes the streams need.',
  });
});

t.test('scopes that are unknown or could not be checked are reported, not failed', async (t) => {
  const answer = describeAudit(
    audited({
      scopes: [
        { scope: 'droplet:read', state: 'missing' },
        { scope: 'block_storage_snapshot:read', state: 'unknown', detail: 'GET /v2/volumes/x/snapshots answered 404' },
        { scope: 'vpc:read', state: 'error', detail: 'GET /v2/vpcs timed out' },
      ],
    }),
  );
  t.equal(answer.status, 'SUCCEEDED');
  t.match(answer.message, /'droplet:read' \(disables droplets, droplet_backups/);
  t.notMatch(answer.message, /'droplet:read' \([^)]*not a read scope/);
  t.match(answer.message, /Could not tell whether the token holds 'block_storage_snapshot:read' \(GET \/v2\/volumes\/x\/snapshots answered 404\); its streams stay in the catalog/);
  t.match(answer.message, /Could not check the scope 'vpc:read' \(GET \/v2\/vpcs timed out\); retrying may help/);
});

t.test('a held scope and an unverifiable one are both said', async (t) => {
  const answer = describeAudit(
    audited({
      forbidden: [
        { forbidden: k8s, outcome: notFound, verdict: { state: 'present', evidence: 'proof' } },
        { forbidden: db, outcome: notFound, verdict: { state: 'error', detail: 'GET /v2/y failed.' } },
      ],
    }),
  );
  t.equal(answer.status, 'FAILED');
  t.match(answer.message, /holds the scope 'kubernetes:access_cluster', which exposes kubeconfigs.*: proof\./);
  t.match(answer.message, /presets include it\)/);
  t.match(answer.message, /Could not verify that the API token lacks 'database:view_credentials' either: GET \/v2\/y failed\. Retrying may help/);
});

t.test('an unverifiable forbidden scope alone: UNVERIFIED, never SUCCEEDED', async (t) => {
  const answer = describeAudit(
    audited({
      forbidden: [
        { forbidden: k8s, outcome: notFound, verdict: { state: 'absent' } },
        { forbidden: db, outcome: notFound, verdict: { state: 'error', detail: 'GET /v2/y failed.' } },
      ],
    }),
  );
  t.match(answer, { status: 'UNVERIFIED', message: /Could not verify that the API token lacks 'database:view_credentials': GET \/v2\/y failed\. .*retrying may help/ });
});

t.test('a missing scope that is not a read scope is said to be one', async (t) => {
  const answer = describeAudit(audited({ scopes: [{ scope: 'function:admin', state: 'missing' }] }));
  t.equal(answer.status, 'SUCCEEDED');
  t.match(answer.message, /'function:admin' \(disables functions_access_keys; not a read scope: grant it only if you want those streams\)/);
});
