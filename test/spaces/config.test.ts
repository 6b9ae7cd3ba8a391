import { PassThrough } from 'node:stream';
import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config.js';
import { ProtocolWriter } from '../../src/protocol/writer.js';
import { createRuntime } from '../../src/runtime.js';
import { loadSpec } from '../../src/spec.js';

const TOKEN = 'dop_v1_spaces_config_test_token';
const SECRET = 'spaces/Secret+Key_0123456789abcdefABCDEF';

function rejection(raw: Record<string, unknown>): string {
  try {
    parseConfig({ api_token: TOKEN, ...raw });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`);
}

t.test('no key: no Spaces config', async (t) => {
  t.equal(parseConfig({ api_token: TOKEN }).spaces, undefined);
});

t.test('a key: every Spaces region by default, from spec.json (the one place the list is kept)', async (t) => {
  const spaces = parseConfig({ api_token: TOKEN, spaces_access_key_id: 'DO00ABC', spaces_secret_access_key: SECRET }).spaces;
  const properties = loadSpec().connectionSpecification.properties as Record<string, { default?: unknown; airbyte_secret?: boolean }>;
  t.same(spaces, { accessKeyId: 'DO00ABC', secretAccessKey: SECRET, regions: properties.spaces_regions.default, endpoint: undefined });
  t.ok((properties.spaces_regions.default as string[]).includes('nyc3'));
  t.equal(properties.spaces_secret_access_key.airbyte_secret, true, 'the secret is an airbyte_secret');
});

t.test('regions and endpoint are read; the endpoint is checked like api_url', async (t) => {
  const spaces = parseConfig({
    api_token: TOKEN,
    spaces_access_key_id: 'DO00ABC',
    spaces_secret_access_key: SECRET,
    spaces_regions: ['fra1'],
    spaces_endpoint: 'http://127.0.0.1:4568/',
  }).spaces;
  t.same(spaces?.regions, ['fra1']);
  t.equal(spaces?.endpoint, 'http://127.0.0.1:4568');
  t.match(rejection({ spaces_access_key_id: 'DO00ABC', spaces_secret_access_key: SECRET, spaces_endpoint: 'http://spaces.example.com' }), /'spaces_endpoint' must use https/);
  t.match(rejection({ spaces_access_key_id: 'DO00ABC', spaces_secret_access_key: SECRET, spaces_endpoint: 'https://x.example.com/bucket' }), /'spaces_endpoint' must be a bare origin/);
  t.match(rejection({ spaces_access_key_id: 'DO00ABC', spaces_secret_access_key: SECRET, spaces_regions: ['nyc3.evil.com'] }), /spaces_regions/);
});

t.test('half a key, or a key pasted with whitespace, is rejected without showing it', async (t) => {
  t.match(rejection({ spaces_access_key_id: 'DO00ABC' }), /'spaces_secret_access_key' is missing/);
  t.match(rejection({ spaces_secret_access_key: SECRET }), /'spaces_access_key_id' is missing/);
  const message = rejection({ spaces_access_key_id: 'DO00ABC', spaces_secret_access_key: `${SECRET}\n` });
  t.match(message, /'spaces_secret_access_key' contains whitespace/);
  t.notOk(message.includes(SECRET));
});

t.test('the secret joins the protocol writer redaction set, as the token does', async (t) => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const writer = new ProtocolWriter(out);
  await createRuntime(parseConfig({ api_token: TOKEN, spaces_access_key_id: 'DO00ABC', spaces_secret_access_key: SECRET }), writer);
  await writer.log('INFO', `leak ${SECRET} and ${TOKEN}`);
  await writer.flush();
  t.notOk(text.includes(SECRET), 'secret redacted');
  t.notOk(text.includes(JSON.stringify(SECRET).slice(1, -1)), 'escaped form redacted too');
  t.match(text, /leak \*+ and \*+/);
});
