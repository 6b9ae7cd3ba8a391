import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Ajv } from 'ajv';
import f from 'ajv-formats';
import { findPackageRoot, packageRoot } from '../src/paths.js';
import { STREAMS } from '../src/streams/index.js';
import { loadSchema, type JsonSchema } from '../src/streams/schemas.js';

const addFormats = f.default;
const ajv = new Ajv({ strict: true, allowUnionTypes: true });
addFormats(ajv);

const dir = join(packageRoot(), 'schemas');
const byName = new Map(STREAMS.map((d) => [d.name, d]));
/** Keywords Airbyte's acceptance tests reject, plus `description` (we copy no prose from the OpenAPI). */
const FORBIDDEN = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'patternProperties', 'description'];
const FORMATS = ['date-time', 'date'];

/** Every problem found in a schema tree, as "path: what"; property names are not keywords, so walk by position. */
function problems(node: JsonSchema, path: string, isRoot: boolean): string[] {
  const out: string[] = [];
  const raw = node as Record<string, unknown>;
  for (const key of FORBIDDEN) if (key in raw) out.push(`${path}: has ${key}`);
  if ('additionalProperties' in raw && raw.additionalProperties !== true) out.push(`${path}: additionalProperties not true`);
  if (node.format !== undefined && !FORMATS.includes(node.format)) out.push(`${path}: format ${node.format}`);
  if (!isRoot && node.type !== undefined) {
    const types = node.type;
    if (!Array.isArray(types) || types.indexOf('null') !== types.length - 1 || types.length < 2) {
      out.push(`${path}: type ${JSON.stringify(types)} is not [..., "null"]`);
    }
  }
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...problems(v, `${path}.${k}`, false));
  if (node.items) out.push(...problems(node.items, `${path}[]`, false));
  return out;
}

/** Whether a strip path is still declared. Arrays are looked through at every step, wider than the syntax. */
function declared(node: JsonSchema | undefined, segments: readonly string[]): boolean {
  if (!node) return false;
  if (node.items && declared(node.items, segments)) return true;
  const [head, ...rest] = segments;
  if (head === undefined) return false;
  if (head === '') {
    return declared(node, rest) || Object.values(node.properties ?? {}).some((c) => declared(c, segments));
  }
  const child = node.properties?.[head.replace(/\[\]$/, '')];
  return child !== undefined && (rest.length === 0 || declared(child, rest));
}

const types = (s: JsonSchema | undefined): string[] => (s?.type === undefined ? [] : [s.type].flat());

for (const def of STREAMS) {
  t.test(def.name, async (t) => {
    const file = join(dir, `${def.name}.json`);
    t.ok(existsSync(file), `${file} exists (run npm run generate:schemas)`);
    if (!existsSync(file)) return;
    const schema = loadSchema(def.name);
    const props = schema.properties ?? {};

    t.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#', 'draft-07');
    t.equal(schema.type, 'object', 'top-level type object');
    t.ok(Object.keys(props).length > 0, 'top-level properties');
    t.doesNotThrow(() => ajv.compile(schema), 'compiles with strict ajv');
    t.same(problems(schema, def.name, true), [], 'only Airbyte-safe keywords, nullable types with null last');

    for (const key of def.primaryKey) {
      const kinds = types(props[key]).filter((k) => k !== 'null');
      t.ok(kinds.length > 0 && !kinds.includes('object') && !kinds.includes('array'), `primary key ${key} is a scalar`);
    }
    for (const [field, from] of Object.entries(def.parent?.keys ?? {})) {
      const parentSchema = loadSchema(def.parent!.stream);
      t.ok(props[field], `injected ${field} declared`);
      // A formatted key (do:team:{}) is a string whatever the parent's field is; a dotted field is nested.
      const parentField = from.split('.').reduce<JsonSchema | undefined>((node, part) => node?.properties?.[part], parentSchema);
      const expected = def.parent?.format?.[field] !== undefined ? ['string', 'null'] : types(parentField);
      t.same(types(props[field]), expected, `${field} typed as parent's ${from}`);
    }
    if (def.mapKeyField) t.ok(props[def.mapKeyField], `map key ${def.mapKeyField} declared`);
    for (const path of def.strip) t.notOk(declared(schema, path.split('.')), `stripped ${path} not declared`);
    if (def.cursor) {
      const cursor = props[def.cursor.field];
      if (def.cursor.kind === 'datetime') {
        t.ok(types(cursor).includes('string') && cursor?.format !== 'uuid', `cursor ${def.cursor.field} is a time string (date-time, date, or as the OpenAPI types it)`);
      } else {
        t.ok(types(cursor).includes('integer'), `cursor ${def.cursor.field} is an integer`);
      }
    }
  });
}

t.test('schemas/ holds exactly one file per stream', async (t) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  t.same(files.sort(), [...byName.keys()].sort(), 'no missing and no stale schema files');
});

t.test('loadSchema reads each file once', async (t) => {
  t.equal(loadSchema(STREAMS[0].name), loadSchema(STREAMS[0].name), 'same object on the second call');
  t.throws(() => loadSchema('no_such_stream'), 'unknown stream');
});

t.test('packageRoot is the directory with package.json', async (t) => {
  t.ok(existsSync(join(packageRoot(), 'package.json')), 'package.json there');
  t.equal(findPackageRoot(join(packageRoot(), 'src', 'streams')), packageRoot(), 'found from below');
  t.throws(() => findPackageRoot('/'), /no package.json/);
});
