import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { defaultSpecFile, EXAMPLES_FIXTURE, extractExamples, renderFixture } from '../scripts/openapi-get-paths.js';
import { packageRoot } from '../src/paths.js';
import { extractRecords, RecordShaper, type Record_ } from '../src/records/shape.js';
import { findStream } from '../src/streams/index.js';
import { loadSchema } from '../src/streams/schemas.js';
import type { StreamDef } from '../src/streams/types.js';
import { recordErrors } from './helpers/protocol.js';

/**
 * DigitalOcean's own response examples (evidence we did not write), read through each stream's row:
 * the records are where the row says, they validate against the generated schema once shaped, and no
 * value at a strip path survives.
 */
const examples = JSON.parse(readFileSync(join(packageRoot(), EXAMPLES_FIXTURE), 'utf8')) as Record<string, Record_>;

/**
 * Examples that contradict their own OpenAPI schema. app_health: the example body is the AppHealth
 * itself, while the schema and godo (apps.go, appHealthRoot: `json:"app_health"`) wrap it in app_health.
 */
const WRONG_EXAMPLES: Readonly<Record<string, string>> = {
  app_health: 'the example omits the app_health wrapper its schema and godo declare',
};

t.test('the examples fixture is the bundled OpenAPI\'s', async (t) => {
  t.ok(Object.keys(examples).length >= 60, `${Object.keys(examples).length} streams have an example`);
  const specFile = defaultSpecFile();
  if (!existsSync(specFile)) {
    t.pass('../shared is not here: the committed fixture stands in for the OpenAPI');
    return;
  }
  const fresh = renderFixture(extractExamples(JSON.parse(readFileSync(specFile, 'utf8'))));
  t.equal(readFileSync(join(packageRoot(), EXAMPLES_FIXTURE), 'utf8'), fresh, 'run `npm run build && npm run generate:openapi-fixtures` and commit the fixture');
});

/** Every string at a strip path of a raw record (`a.b`, `a[].b`, `a..b`). */
function valuesAt(node: unknown, segments: readonly string[]): string[] {
  const [head, ...rest] = segments;
  if (head === undefined) return typeof node === 'string' ? [node] : [];
  if (Array.isArray(node)) return node.flatMap((item) => valuesAt(item, segments));
  if (node === null || typeof node !== 'object') return [];
  const obj = node as Record_;
  if (head === '') return [...valuesAt(obj, rest), ...Object.values(obj).flatMap((child) => valuesAt(child, segments))];
  return valuesAt(obj[head.replace(/\[\]$/, '')], rest);
}

/** A value of the schema's type for an injected parent key (droplet ids are integers). */
function keyValue(stream: string, field: string): unknown {
  const type = loadSchema(stream).properties?.[field]?.type;
  return [type].flat().includes('integer') ? 1 : `example-${field}`;
}

for (const [name, body] of Object.entries(examples)) {
  t.test(name, { skip: WRONG_EXAMPLES[name] }, async (t) => {
    const def = findStream(name) as StreamDef;
    t.ok(def, 'a stream of the table');
    const raw = extractRecords(def, structuredClone(body));
    t.ok(raw.length > 0, `the example's records are under ${String(def.recordsKey)}`);
    const secrets = raw.flatMap((r) => def.strip.flatMap((path) => valuesAt(r, path.split('.')))).filter((v) => v.length > 0);
    const keys = def.parent ? Object.fromEntries(Object.keys(def.parent.keys).map((k) => [k, keyValue(name, k)])) : undefined;
    const shaper = new RecordShaper(def);
    const shaped = raw.map((r) => shaper.shape(r, keys));
    t.same(shaped.flatMap((r) => recordErrors(name, r)).slice(0, 3), [], 'shaped records validate against the schema');
    const out = JSON.stringify(shaped);
    t.same(secrets.filter((s) => out.includes(JSON.stringify(s))), [], `no value at a strip path survives (${secrets.length} in the example)`);
    for (const key of def.primaryKey) t.ok(shaped.every((r) => r[key] !== undefined && r[key] !== null), `primary key ${key} present`);
  });
}
