import t, { type Test } from 'tap';
import type { FaultRule } from '../fake-api/server.js';
import { DigitalOceanClient } from '../src/http/client.js';
import { checkRequestBound } from '../src/scopes/audit.js';
import { NIL_ID } from '../src/scopes/probe.js';
import type { CliResult } from './helpers/protocol.js';
import { runWithToken, startScopesFake, TOKENS } from './helpers/scopes-fake.js';

/** check when DigitalOcean misbehaves: a probe that cannot answer fails closed, never open. */

process.env.SOURCE_DIGITALOCEAN_TIME_SCALE = '0.01';
t.teardown(() => {
  delete process.env.SOURCE_DIGITALOCEAN_TIME_SCALE;
});

const K8S_PROBE = `/v2/kubernetes/clusters/${NIL_ID}/credentials`;
const DB_PROBE = `/v2/vector-databases/${NIL_ID}/credentials`;

function answer(result: CliResult): { status?: string; message: string } {
  const status = result.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
  return { status: status?.status, message: status?.message ?? '' };
}

async function checkWith(t: Test, token: string, rules: FaultRule[], lookupBeforeScope = false) {
  const api = await startScopesFake(lookupBeforeScope, { faults: { rules } });
  t.teardown(() => api.close());
  const result = await runWithToken('check', api, token);
  t.same(result.protocolErrors, []);
  t.equal(result.code, 0, 'exit 0');
  t.equal(result.messages.filter((m) => m.type === 'CONNECTION_STATUS').length, 1, 'one CONNECTION_STATUS');
  t.equal(result.messages.filter((m) => m.type === 'TRACE').length, 0, 'no TRACE');
  return { result, api, ...answer(result) };
}

/**
 * check could not find out. A CONNECTION_STATUS FAILED would end the job as a configuration error that is
 * never retried (airbyte-platform 310e6cb: airbyte-workers/.../SyncCheckConnectionResult.kt buildFailureOutput
 * → airbyte-commons-worker/.../FailureHelper.kt checkFailure, CONFIG_ERROR, retryable false); a TRACE ERROR
 * without a status becomes the check's failureReason with its own type (airbyte-connector-sidecar/
 * .../ConnectorMessageProcessor.kt setOutput), and a transient one is retried (ConnectionManagerWorkflowImpl
 * reportFailure retries any type but CONFIG_ERROR).
 */
async function unverifiedWith(t: Test, token: string, rules: FaultRule[], lookupBeforeScope = false) {
  const api = await startScopesFake(lookupBeforeScope, { faults: { rules } });
  t.teardown(() => api.close());
  const result = await runWithToken('check', api, token);
  t.same(result.protocolErrors, []);
  t.equal(result.code, 1, 'non-zero exit');
  t.equal(result.messages.filter((m) => m.type === 'CONNECTION_STATUS').length, 0, 'no CONNECTION_STATUS: no answer about the configuration');
  const traces = result.messages.filter((m) => m.type === 'TRACE');
  t.equal(traces.length, 1, 'exactly one TRACE');
  const error = traces[0]?.trace?.error;
  t.equal(error?.failure_type, 'transient_error');
  t.ok(error?.internal_message, 'an internal message for the job log');
  return { result, api, message: String(error?.message ?? ''), internal: String(error?.internal_message ?? '') };
}

t.test('a forbidden-scope probe answering 5xx after every retry: a transient error, retrying may help', async (t) => {
  const { message, api } = await unverifiedWith(t, TOKENS.seed, [{ pathPrefix: K8S_PROBE, fault: { kind: 'status', status: 503 } }]);
  t.match(message, /Could not verify that the API token lacks 'kubernetes:access_cluster': GET \S+credentials failed: DigitalOcean answered 503/);
  t.match(message, /retrying may help/);
  t.equal(api.stats().byPath[K8S_PROBE], 9, 'the client retried (1 + 8 attempts) before giving up');
});

t.test('a forbidden-scope probe that times out: a transient error', async (t) => {
  const { message } = await unverifiedWith(t, TOKENS.seed, [{ pathPrefix: DB_PROBE, fault: { kind: 'timeout' } }]);
  t.match(message, /Could not verify that the API token lacks 'database:view_credentials'.*timed out.*retrying may help/);
});

t.test('an unexpected status on a forbidden-scope probe: a transient error, never SUCCEEDED', async (t) => {
  const { message } = await unverifiedWith(t, TOKENS.seed, [{ pathPrefix: K8S_PROBE, fault: { kind: 'status', status: 400 } }]);
  t.match(message, /Could not verify that the API token lacks 'kubernetes:access_cluster'.*status 400/);
});

t.test('a transient failure that clears: the retried probe decides', async (t) => {
  const { status } = await checkWith(t, TOKENS.seed, [{ pathPrefix: K8S_PROBE, times: 2, fault: { kind: 'status', status: 502 } }]);
  t.equal(status, 'SUCCEEDED');
});

t.test('the calibration a 404 depends on fails: a transient error, not a guess', async (t) => {
  const { message } = await unverifiedWith(t, TOKENS.seedAccessCluster, [
    // Every nil-UUID request but the forbidden-scope probes (…/credentials): calibration routes end in
    // the id (/v2/customers/my/invoices/{nil}) or go on (/v2/droplets/{nil}/backups).
    { pathRegex: `/${NIL_ID}(?!/credentials)`, fault: { kind: 'status', status: 500 } },
  ]);
  t.match(message, /lacks 'kubernetes:access_cluster'.*answered 404.*calibration request GET .* failed/);
});

t.test('GET /v2/account failing for good (every request 500): a transient error naming the request', async (t) => {
  const { message, internal, api } = await unverifiedWith(t, TOKENS.seed, [{ fault: { kind: 'status', status: 500 } }]);
  t.match(message, /Could not verify the API token: .*500.*Retrying may help/);
  t.equal(internal, 'ApiError server 500 on GET /v2/account');
  t.equal(Object.keys(api.stats().byPath).length, 1, 'nothing else asked');
});

t.test('the API unreachable: a transient error', async (t) => {
  const { message } = await unverifiedWith(t, TOKENS.seed, [{ fault: { kind: 'reset' } }]);
  t.match(message, /Could not verify the API token: Could not reach the DigitalOcean API/);
});

t.test('429 on every request after the retries: a transient error', async (t) => {
  const { message } = await unverifiedWith(t, TOKENS.seed, [{ fault: { kind: 'rate_limited', retryAfterSeconds: 1 } }]);
  t.match(message, /429/);
});

t.test('the token revoked during check: FAILED, the token was rejected', async (t) => {
  const { status, message } = await checkWith(t, TOKENS.seed, [{ after: 1, fault: { kind: 'status', status: 401 } }]);
  t.equal(status, 'FAILED');
  t.match(message, /the token was rejected/);
});

t.test('an optional scope that cannot be checked does not fail check', async (t) => {
  const { status, message } = await checkWith(t, TOKENS.seed, [{ pathPrefix: '/v2/droplets', pathRegex: '^/v2/droplets\\?', fault: { kind: 'status', status: 503 } }]);
  t.equal(status, 'SUCCEEDED');
  t.match(message, /Could not check the scope 'droplet:read' \(.*503.*\); retrying may help/);
});

t.test('429s are waited out within the rate limit, and stay within the bound of distinct requests', async (t) => {
  const { status, api } = await checkWith(t, TOKENS.seed, [{ pathPrefix: '/v2/volumes', times: 1, fault: { kind: 'rate_limited', retryAfterSeconds: 1 } }]);
  t.equal(status, 'SUCCEEDED');
  t.ok(Object.keys(api.stats().byPath).length <= checkRequestBound());
});

t.test('an unexpected internal error: exactly one TRACE ERROR, non-zero exit, no CONNECTION_STATUS', async (t) => {
  const api = await startScopesFake(false);
  t.teardown(() => api.close());
  const original = DigitalOceanClient.prototype.get;
  DigitalOceanClient.prototype.get = async function (this: DigitalOceanClient, path: string, ...rest) {
    if (path.startsWith('/v2/droplets')) throw new TypeError('simulated bug');
    return original.call(this, path, ...rest);
  };
  t.teardown(() => {
    DigitalOceanClient.prototype.get = original;
  });
  const result = await runWithToken('check', api, TOKENS.seed);
  t.same(result.protocolErrors, []);
  t.not(result.code, 0);
  const traces = result.messages.filter((m) => m.type === 'TRACE');
  t.equal(traces.length, 1);
  t.equal(traces[0]?.trace?.type, 'ERROR');
  t.equal(traces[0]?.trace?.error?.failure_type, 'system_error');
  t.match(traces[0]?.trace?.error?.message, /simulated bug/);
  t.equal(result.messages.filter((m) => m.type === 'CONNECTION_STATUS').length, 0);
});
