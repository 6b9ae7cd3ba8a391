/**
 * The Meltano Hub definition in meltano-hub/ and the meltano.yml block of docs/meltano.md: valid against
 * the Hub's own JSON Schemas (meltano/hub, schemas/ at 9d28b36a64bf1ba18d6b0dd6936d8f14d2eaa0ba, kept in
 * test/singer/fixtures/meltano-hub-schemas/; the Hub validates the same way, draft-07 with the schemas
 * registered by $id: utility_scripts/plugin_definitions/plugin_schema_validate.py), and consistent with
 * `tap-digitalocean --about`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import t from 'tap';
import { parse } from 'yaml';
import { about } from '../../src/singer/about.js';
import { findStream } from '../../src/streams/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCHEMAS = join(ROOT, 'test/singer/fixtures/meltano-hub-schemas');
const info = about();
const properties = info.settings.properties as Record<string, { type: string | string[]; airbyte_secret?: boolean; format?: string; default?: unknown }>;

interface Setting {
  name: string;
  kind?: string;
  sensitive?: boolean;
  value?: unknown;
}
interface Extractor {
  name: string;
  namespace?: string;
  executable?: string;
  pip_url?: string;
  capabilities?: string[];
  settings?: Setting[];
  config?: Record<string, unknown>;
  select?: string[];
}

function hubValidator() {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true });
  formats.default(ajv);
  // The $ids are relative ("extractors.schema.json", "common/common.schema.json"): under one absolute
  // base they resolve as the Hub's Python `referencing` registry resolves them (RFC 3986 joining).
  const base = 'https://hub.invalid/';
  for (const dir of ['common', 'plugin_definitions']) {
    for (const file of readdirSync(join(SCHEMAS, dir))) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS, dir, file), 'utf8')) as { $id: string };
      ajv.addSchema({ ...schema, $id: new URL(schema.$id, base).href });
    }
  }
  return ajv.getSchema(new URL('extractors.schema.json', base).href)!;
}

/** The kind Meltano should be told for a setting of spec.json. */
function kindOf(p: (typeof properties)[string]): string {
  if (p.airbyte_secret) return 'password';
  if (p.format === 'date-time') return 'date_iso8601';
  const type = Array.isArray(p.type) ? p.type.find((x) => x !== 'null')! : p.type;
  // The Hub's kinds (base_setting.schema.json) call a JSON number a decimal.
  return type === 'number' ? 'decimal' : type;
}

function checkSettings(t: Tap, where: string, settings: Setting[]): void {
  t.same(settings.map((s) => s.name), Object.keys(properties), `${where}: every setting of --about, in order`);
  for (const s of settings) {
    const p = properties[s.name];
    if (!p) continue;
    t.equal(s.kind, kindOf(p), `${where}: ${s.name} is kind ${kindOf(p)}`);
    t.equal(s.sensitive === true, p.airbyte_secret === true, `${where}: ${s.name} sensitive exactly when it is a secret`);
    if (s.value !== undefined) t.same(s.value, p.default, `${where}: ${s.name}'s value is the spec's default`);
  }
}
type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

t.test('the Hub definition is valid against the Hub schemas and agrees with --about', async (t) => {
  const validate = hubValidator();
  const def = parse(readFileSync(join(ROOT, 'meltano-hub/extractors/tap-digitalocean.yml'), 'utf8')) as Extractor & Record<string, unknown>;
  t.ok(validate(def), `valid: ${JSON.stringify(validate.errors ?? [])}`);
  t.equal(def.name, info.name);
  t.equal(def.executable, 'tap-digitalocean');
  t.notOk('pip_url' in def, 'no pip_url: a Node program, not a pip package');
  t.same(def.capabilities, info.capabilities, 'the capabilities of --about');
  checkSettings(t, 'hub', def.settings ?? []);
  // The validator can fail: an unknown key and an unknown capability are rejected.
  t.notOk(validate({ ...def, pip_uri: 'x' }), 'a misspelt key is rejected');
  t.notOk(validate({ ...def, capabilities: ['telepathy'] }), 'an unknown capability is rejected');
  t.notOk(validate({ ...def, settings: [{ name: 'x', kind: 'secret' }] }), 'an unknown setting kind is rejected');
});

t.test("docs/meltano.md: the meltano.yml block works as pasted and keeps secrets out", async (t) => {
  const text = readFileSync(join(ROOT, 'docs/meltano.md'), 'utf8');
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  t.equal(blocks.length, 1, 'one meltano.yml block');
  const doc = parse(blocks[0]) as { plugins: { extractors: Extractor[]; loaders: { name: string; pip_url?: string }[] } };
  const ex = doc.plugins.extractors.find((e) => e.name === 'tap-digitalocean')!;
  t.ok(ex, 'an extractor tap-digitalocean');
  t.notOk('pip_url' in ex, 'no pip_url: meltano install skips it');
  t.equal(ex.executable, 'tap-digitalocean');
  t.equal(ex.namespace, 'tap_digitalocean');
  for (const c of ['catalog', 'discover', 'state', 'about']) t.ok(ex.capabilities?.includes(c), `capability ${c}`);
  t.same(ex.capabilities, info.capabilities, 'the capabilities of --about');
  checkSettings(t, 'docs', ex.settings ?? []);
  t.notOk('config' in ex, 'no config in meltano.yml: secrets come from .env');
  t.match(text, /TAP_DIGITALOCEAN_API_TOKEN=/, '.env holds the token');
  t.match(text, /umask 077/, 'the world-readable config file is explained');
  for (const rule of ex.select ?? []) t.ok(findStream(rule.split('.')[0]), `select ${rule}: the stream exists`);
  t.ok(doc.plugins.loaders.length > 0, 'a loader to run it with');
  const validate = hubValidator();
  t.ok(validate({ ...ex, variant: 'x', quality: 'unknown' }), `the block's extractor is a valid Hub definition too: ${JSON.stringify(validate.errors ?? [])}`);
  t.match(text, /meltano run tap-digitalocean target-jsonl/);
  // Meltano 4's order (meltano/meltano src/meltano/cli/config.py at c139d24b): `meltano config <command> <plugin>`.
  t.match(text, /meltano config test tap-digitalocean/);
  t.notMatch(text, /meltano config tap-digitalocean /, 'not the Meltano 3 order');
});

t.test('the README points Meltano users at the native tap', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  t.match(readme, /tap-digitalocean/);
  t.match(readme, /docs\/meltano\.md/);
});
