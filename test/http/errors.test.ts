import t from 'tap';
import { ApiError, describeStatus, failureTypeFor, isRetryable, kindForStatus, type ErrorKind } from '../../src/http/errors.js';

t.test('2xx is not an error', async (t) => {
  for (const status of [200, 201, 204, 299]) t.equal(kindForStatus(status), null, String(status));
});

t.test('every status maps to its kind, retryability and failure type', async (t) => {
  const table: [number, ErrorKind, boolean, string][] = [
    [301, 'redirect', false, 'config_error'],
    [302, 'redirect', false, 'config_error'],
    [304, 'redirect', false, 'config_error'],
    [307, 'redirect', false, 'config_error'],
    [308, 'redirect', false, 'config_error'],
    [400, 'client', false, 'system_error'],
    [401, 'unauthorized', false, 'config_error'],
    [403, 'forbidden', false, 'config_error'],
    [404, 'not_found', false, 'system_error'],
    [405, 'client', false, 'system_error'],
    [408, 'timeout', true, 'transient_error'],
    [412, 'precondition', false, 'config_error'],
    [413, 'client', false, 'system_error'],
    [422, 'client', false, 'system_error'],
    [429, 'rate_limited', true, 'transient_error'],
    [500, 'server', true, 'transient_error'],
    [502, 'server', true, 'transient_error'],
    [503, 'server', true, 'transient_error'],
    [504, 'server', true, 'transient_error'],
    [599, 'server', true, 'transient_error'],
  ];
  for (const [status, kind, retryable, failureType] of table) {
    const got = kindForStatus(status);
    t.equal(got, kind, `${status} → ${kind}`);
    t.equal(isRetryable(kind), retryable, `${status} retryable=${retryable}`);
    t.equal(failureTypeFor(kind), failureType, `${status} → ${failureType}`);
    const error = new ApiError(kind, '/v2/x', 'm', status);
    t.equal(error.retryable, retryable, `ApiError(${kind}).retryable`);
    t.equal(error.failureType, failureType, `ApiError(${kind}).failureType`);
  }
});

t.test('kinds without a status', async (t) => {
  for (const kind of ['network', 'timeout', 'bad_body'] as const) {
    t.ok(isRetryable(kind), `${kind} is retried`);
    t.equal(failureTypeFor(kind), 'transient_error', `${kind} is transient`);
  }
  t.notOk(isRetryable('pagination'), 'pagination is not retried');
  t.equal(failureTypeFor('pagination'), 'system_error');
  t.notOk(isRetryable('too_large'), 'a body over the cap is not downloaded again');
  t.equal(failureTypeFor('too_large'), 'system_error');
});

t.test('ApiError carries what the caller needs', async (t) => {
  const error = new ApiError('forbidden', '/v2/droplets', 'no', 403, 'You are not authorized');
  t.type(error, Error);
  t.equal(error.name, 'ApiError');
  t.equal(error.message, 'no');
  t.equal(error.path, '/v2/droplets');
  t.equal(error.status, 403);
  t.equal(error.apiMessage, 'You are not authorized');
});

t.test('describeStatus names the path and the status for every kind', async (t) => {
  const kinds: ErrorKind[] = [
    'unauthorized', 'forbidden', 'not_found', 'precondition', 'rate_limited', 'server', 'timeout', 'network', 'bad_body', 'client', 'pagination', 'too_large', 'redirect',
  ];
  const seen = new Set<string>();
  for (const kind of kinds) {
    const text = describeStatus(kind, '/v2/things', kind === 'server' ? 503 : kind === 'client' ? 418 : undefined);
    t.match(text, 'GET /v2/things', `${kind} names the path`);
    seen.add(text);
  }
  t.equal(seen.size, kinds.length, 'each kind has its own sentence');
  t.match(describeStatus('server', '/p', 502), '502');
  t.match(describeStatus('client', '/p', 418), '418');
  t.match(describeStatus('client', '/p'), 'unknown');
  t.match(describeStatus('unauthorized', '/p', 401), '401');
  t.equal(describeStatus('server', '/p', 503, 9), 'DigitalOcean answered 503 on GET /p on each of 9 attempts.', 'the attempts actually made');
  t.equal(describeStatus('timeout', '/p', undefined, 1), 'GET /p timed out (one attempt).');
  t.notMatch(describeStatus('bad_body', '/p', 200, 1, 'an empty body'), /retries/, 'never claims retries that did not happen');
});
