import { faker } from '@faker-js/faker';
import nock from 'nock';
import t from 'tap';
import { STREAMS as ALL_STREAMS } from '../src/streams/index.js';

/** The API v2 rows; the S3 rows (Spaces: XML, not JSON) are covered by test/spaces/. */
const STREAMS = ALL_STREAMS.filter((def) => !def.transport);
import type { StreamDef } from '../src/streams/types.js';
import { catalogFor, writeInputs } from './helpers/files.js';
import { records, runInProcess } from './helpers/protocol.js';
import { mockStreamRead, ORIGIN, TOKEN } from './helpers/sample-api.js';

/**
 * Defence in depth, measured: for every stream, credential-looking values are planted in every served
 * record, at random depths and under keys that no strip list names, so only the credential detector can
 * catch them: URIs with a password, PEM private keys, values under credential-named keys, and header
 * pairs. None may reach stdout. Seeded: the same secrets every run.
 */

nock.disableNetConnect();
faker.seed(1313);
const config = { api_token: TOKEN, api_url: ORIGIN, max_concurrency: 4 };
type Json = Record<string, unknown>;

/** Every name any strip path uses: planted keys avoid them, so no strip list can be what removes a secret. */
const STRIP_NAMES = new Set(STREAMS.flatMap((d) => d.strip.flatMap((p) => p.split('.').map((s) => s.replace(/\[\]$/, '')))).filter(Boolean));

const CREDENTIAL_KEYS = [
  'db_password', 'accessToken', 'clientSecret', 'X_API_KEY', 'privateKey', 'refresh_token', 'webhook_secret', 'Credentials',
  'bearer', 'session_token', 'signing_key', 'smtpPassword', 'auth_key', 'secret_key', 'api_key', 'token',
].filter((k) => !STRIP_NAMES.has(k));
const HEADER_KEYS = ['Authorization', 'X-Api-Key', 'Proxy-Authorization', 'X-Auth-Token', 'Cookie', 'DD-API-KEY'];
const SCHEMES = ['postgresql', 'mysql', 'rediss', 'mongodb+srv', 'amqps', 'https', 'kafka+ssl'];
const PEM_TYPES = ['RSA ', 'EC ', 'OPENSSH ', '', 'ENCRYPTED ', 'DSA '];

/** A fresh key for `node`: a random word no strip list names, not already there. */
function freshKey(node: Json, avoid: ReadonlySet<string>): string {
  for (;;) {
    const key = `${faker.word.noun()}_${faker.word.adjective()}`.toLowerCase().replace(/[^a-z0-9_]/g, '');
    if (!STRIP_NAMES.has(key) && !(key in node) && !avoid.has(key)) return key;
  }
}

/** An object `depth` levels below `record`: an existing one where there is, otherwise a new one (some inside lists). */
function placeAt(record: Json, depth: number, avoid: ReadonlySet<string>): Json {
  let node = record;
  for (let d = 0; d < depth; d++) {
    const existing = Object.entries(node).filter(([k, v]) => v && typeof v === 'object' && !Array.isArray(v) && !STRIP_NAMES.has(k));
    if (existing.length > 0 && faker.datatype.boolean()) {
      node = faker.helpers.arrayElement(existing)[1] as Json;
      continue;
    }
    const child: Json = {};
    node[freshKey(node, avoid)] = faker.datatype.boolean() ? [child] : child;
    node = child;
  }
  return node;
}

interface Planted { kind: string; secrets: string[] }

/** Plants one credential of each kind in `record`; returns the values that must not reach stdout. */
function plant(def: StreamDef, record: Json): Planted[] {
  // Top-level fields the engine reads (keys, cursor, parent fields) are never touched.
  const avoid = new Set([...def.primaryKey, ...(def.cursor ? [def.cursor.field] : []), ...Object.keys(def.parent?.keys ?? {})]);
  const out: Planted[] = [];
  const at = () => placeAt(record, faker.number.int({ min: 0, max: 4 }), avoid);

  const password = faker.string.alphanumeric(20);
  const uri = `${faker.helpers.arrayElement(SCHEMES)}://${faker.internet.username().replace(/[^A-Za-z0-9._-]/g, '')}:${password}@${faker.internet.domainName()}:${faker.internet.port()}/${faker.word.noun()}`;
  let node = at();
  node[freshKey(node, avoid)] = uri;
  out.push({ kind: 'URI with a password', secrets: [password] });

  const body = Array.from({ length: 3 }, () => faker.string.alphanumeric(64)).join('\n');
  const type = faker.helpers.arrayElement(PEM_TYPES);
  node = at();
  node[freshKey(node, avoid)] = `-----BEGIN ${type}PRIVATE KEY-----\n${body}\n-----END ${type}PRIVATE KEY-----\n`;
  out.push({ kind: 'PEM private key', secrets: body.split('\n') });

  const value = faker.string.alphanumeric(24);
  node = at();
  const key = faker.helpers.arrayElement(CREDENTIAL_KEYS);
  if (key in node) node = placeAt(node, 1, avoid);
  node[key] = value;
  out.push({ kind: 'credential-named key', secrets: [value] });

  const token = faker.string.alphanumeric(32);
  const other = faker.string.alphanumeric(28);
  node = at();
  node[freshKey(node, avoid)] = [
    { key: 'Authorization', value: `Bearer ${token}` },
    { key: faker.helpers.arrayElement(HEADER_KEYS), value: other },
  ];
  out.push({ kind: '{key, value} header pair', secrets: [token, other] });
  return out;
}

const totals = { planted: 0, reached: 0, streams: 0 };
const byKind = new Map<string, number>();

for (const def of STREAMS) {
  t.test(`planted secrets in ${def.name}`, async (t) => {
    nock.cleanAll();
    const planted: Planted[] = [];
    const expected = mockStreamRead(def, undefined, (record) => planted.push(...plant(def, record)));
    const files = writeInputs({ 'config.json': config, 'catalog.json': catalogFor([def.name]) });
    const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    t.equal(result.code, 0, 'exit code 0');
    t.ok(expected.scope.isDone(), 'every expected request was made');
    t.equal(records(result.messages, def.name).length, expected.records.length, 'every record emitted');
    const reached = planted.filter((p) => p.secrets.some((s) => result.stdout.includes(s)));
    t.same(reached.slice(0, 3).map((p) => p.kind), [], `none of the ${planted.length} planted secrets reaches stdout`);
    totals.planted += planted.length;
    totals.reached += reached.length;
    totals.streams++;
    for (const p of planted) byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + 1);
  });
}

t.test('summary', async (t) => {
  t.comment(`${totals.planted} secrets planted in ${totals.streams} streams (${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}); ${totals.reached} reached stdout`);
  t.equal(totals.streams, STREAMS.length, 'every stream was read');
  t.ok(totals.planted >= STREAMS.length * 4, 'at least four secrets per stream');
  t.equal(totals.reached, 0, 'no planted secret reached stdout');
});
