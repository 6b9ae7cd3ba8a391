import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import t from 'tap';
import { writeInputs } from './helpers/files.js';
import { runInProcess } from './helpers/protocol.js';

/** Bad input: check answers FAILED naming the field, exit 0, no TRACE, and sends no request anywhere. */

const TOKEN = 'dop_v1_check_config_token_000000000000000000';

let requests = 0;
let server: Server;
let local = '';

t.before(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"id":"Unauthorized","message":"Unable to authenticate you"}');
  });
  server.on('connection', () => requests++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  local = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

t.teardown(async () => {
  nock.enableNetConnect();
  nock.cleanAll();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const attempts: string[] = [];
nock.emitter.on('no match', (req: { hostname?: string; host?: string }) => attempts.push(String(req.hostname ?? req.host)));

async function check(config: Record<string, unknown>) {
  const files = writeInputs({ 'config.json': config });
  return runInProcess(['check', '--config', files['config.json']]);
}

const cases: [string, () => Record<string, unknown>, RegExp][] = [
  ['an empty token', () => ({ api_token: '', api_url: `http://${local}` }), /'api_token'/],
  ['a whitespace-only token', () => ({ api_token: '   \t ', api_url: `http://${local}` }), /'api_token' is empty/],
  ['a token with a newline', () => ({ api_token: `${TOKEN}\n`, api_url: `http://${local}` }), /'api_token' contains whitespace or control characters/],
  ['a token with a newline inside', () => ({ api_token: `dop_v1_abc\r\nX-Evil: 1`, api_url: `http://${local}` }), /'api_token'/],
  ['a token with a control character', () => ({ api_token: `${TOKEN}\u0007`, api_url: `http://${local}` }), /'api_token' contains whitespace or control characters/],
  ['a token with a NUL', () => ({ api_token: `dop\u0000v1`, api_url: `http://${local}` }), /'api_token'/],
  ['a token that is not a string', () => ({ api_token: 12345, api_url: `http://${local}` }), /'api_token'/],
  ['no token', () => ({ api_url: `http://${local}` }), /'api_token'/],
  ['api_url with user:password', () => ({ api_token: TOKEN, api_url: `http://user:pass@${local}` }), /'api_url' must not contain a user name or password/],
  ['api_url with the token as user', () => ({ api_token: TOKEN, api_url: `http://${TOKEN}@${local}` }), /'api_url' must not contain a user name or password/],
  ['api_url with a path', () => ({ api_token: TOKEN, api_url: `http://${local}/v2` }), /'api_url' must be a bare origin/],
  ['api_url with a query', () => ({ api_token: TOKEN, api_url: `http://${local}/?token=x` }), /'api_url' must be a bare origin/],
  ['api_url with a fragment', () => ({ api_token: TOKEN, api_url: `http://${local}/#x` }), /'api_url' must be a bare origin/],
  ['plain http to a non-loopback host', () => ({ api_token: TOKEN, api_url: 'http://api.digitalocean.com' }), /'api_url' must use https/],
  ['plain http to a private address', () => ({ api_token: TOKEN, api_url: 'http://10.0.0.1:8080' }), /'api_url' must use https/],
  ['plain http to a look-alike of localhost', () => ({ api_token: TOKEN, api_url: 'http://localhost.evil.example' }), /'api_url' must use https/],
  ['api_url that is not a URL', () => ({ api_token: TOKEN, api_url: 'not a url' }), /'api_url'/],
];

for (const [name, config, expected] of cases) {
  t.test(name, async (t) => {
    const before = requests;
    const seenBefore = attempts.length;
    const result = await check(config());
    t.same(result.protocolErrors, []);
    t.equal(result.code, 0, 'exit 0');
    const statuses = result.messages.filter((m) => m.type === 'CONNECTION_STATUS');
    t.equal(statuses.length, 1, 'exactly one CONNECTION_STATUS');
    t.equal(statuses[0]?.connectionStatus?.status, 'FAILED');
    t.match(statuses[0]?.connectionStatus?.message, expected, 'the message names the field');
    t.equal(result.messages.filter((m) => m.type === 'TRACE').length, 0, 'no TRACE');
    t.notOk(result.stdout.includes(TOKEN), 'the token is never printed');
    t.equal(requests, before, 'no request reached the loopback server');
    t.equal(attempts.length, seenBefore, 'no request was attempted to any other host');
  });
}

t.test('a valid config does reach the API (the harness sees requests)', async (t) => {
  const before = requests;
  const result = await check({ api_token: TOKEN, api_url: `http://${local}` });
  t.ok(requests > before, 'requests reach the loopback server');
  t.match(result.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus, { status: 'FAILED', message: /the token was rejected/ });
});
