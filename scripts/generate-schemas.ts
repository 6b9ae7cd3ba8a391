/**
 * Writes schemas/<stream>.json for every stream of the table: what DigitalOcean can send, from its
 * OpenAPI description (the response model), godo's struct for the record (test/fixtures/godo-structs.json,
 * scripts/godo-structs.ts), the keys of DigitalOcean's example responses (test/fixtures/openapi-examples.json)
 * and CLIENT_FIELDS below; and schemas/_provenance.tsv, where each declared field came from.
 *
 *   npm run build && npm run generate:schemas [-- path/to/digitalocean-public.v2.json]
 *
 * The output is what Airbyte's acceptance tests accept: draft-07, fully inlined, no combinators, every
 * type nullable (the live API returns null where the spec does not say so), and no secret the table strips.
 * Rows with a `transport` (Spaces buckets over S3) are not in the OpenAPI: their schemas are hand-written,
 * follow the same rules (test/schemas.test.ts checks them all), and are left alone here.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { STREAMS } from '../src/streams/index.js';
import type { JsonSchema, JsonType } from '../src/streams/schemas.js';
import { recordsPath, type StreamDef } from '../src/streams/types.js';
import { godoMatches, type GodoField, type GodoStructs } from './godo-types.js';
import { extractRecords } from '../src/records/shape.js';

type Node = Record<string, unknown>;
type ScalarOrContainer = Exclude<JsonType, 'null'>;

/** A schema while it is being built; `types` undefined means "anything". Null is added when rendering. */
interface Shape {
  types?: ScalarOrContainer[];
  format?: string;
  properties?: Record<string, Shape>;
  items?: Shape;
  /** The value schema of an OpenAPI map, kept only so that `map` streams can find their records. */
  values?: Shape;
}

const TYPE_ORDER: readonly ScalarOrContainer[] = ['object', 'array', 'string', 'number', 'integer', 'boolean'];
/** Other formats are dropped: real values break uuid/ipv4/hostname, and strict ajv rejects int64 and friends. */
const KEPT_FORMATS = new Set(['date-time', 'date']);
/** Backstop only: recursion through $ref is cut by the ref stack long before this. */
const MAX_DEPTH = 20;
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isType = (v: unknown): v is ScalarOrContainer => TYPE_ORDER.includes(v as ScalarOrContainer);

class SchemaError extends Error {}

/**
 * Scalars whose type godo (github.com/digitalocean/godo) and the OpenAPI disagree on, where both kinds of
 * value are seen: the schema takes both, so that real records validate whichever is right. Keyed by
 * OpenAPI component and property. Every other disagreement keeps the OpenAPI's type (the wire format
 * DigitalOcean documents) and is listed in schemas/_provenance.tsv.
 */
export const TYPE_WIDENINGS: readonly { component: string; property: string; add: ScalarOrContainer[]; why: string }[] = [
  {
    component: 'app_ingress_spec_rule_routing_component',
    property: 'preserve_path_prefix',
    add: ['boolean'],
    why: 'OpenAPI: string (example "true"); godo apps.gen.go AppIngressSpecRuleRoutingComponent.PreservePathPrefix is bool',
  },
];

const COMPONENT_PREFIX = '#/components/schemas/';

/** A component's shape with the widenings above applied to its own properties. */
function widen(ref: string, shape: Shape): Shape {
  if (!ref.startsWith(COMPONENT_PREFIX)) return shape;
  const component = decodeURIComponent(ref.slice(COMPONENT_PREFIX.length));
  const rules = TYPE_WIDENINGS.filter((w) => w.component === component);
  if (rules.length === 0 || !shape.properties) return shape;
  const properties = { ...shape.properties };
  for (const rule of rules) {
    const property = properties[rule.property];
    if (!property?.types) throw new SchemaError(`type widening ${component}.${rule.property}: no such typed property`);
    properties[rule.property] = { ...property, types: [...new Set([...property.types, ...rule.add])] };
  }
  return { ...shape, properties };
}

class Converter {
  constructor(private readonly spec: Node) {}

  deref(ref: string): unknown {
    if (!ref.startsWith('#/')) throw new SchemaError(`external $ref not supported: ${ref}`);
    let at: unknown = this.spec;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isNode(at) || !(key in at)) throw new SchemaError(`dangling $ref ${ref}`);
      at = at[key];
    }
    return at;
  }

  /** Follows $refs until a concrete node. */
  resolve(v: unknown): unknown {
    for (let seen = 0; isNode(v) && typeof v.$ref === 'string'; seen++) {
      if (seen > 50) throw new SchemaError(`$ref loop at ${v.$ref}`);
      v = this.deref(v.$ref);
    }
    return v;
  }

  convert(raw: unknown, refs: readonly string[] = [], depth = 0): Shape {
    if (!isNode(raw)) return {};
    if (typeof raw.$ref === 'string') {
      const target = this.deref(raw.$ref);
      if (refs.includes(raw.$ref) || depth > MAX_DEPTH) return { types: ownTypes(target) };
      return widen(raw.$ref, this.convert(target, [...refs, raw.$ref], depth));
    }
    if (depth > MAX_DEPTH) return { types: ownTypes(raw) };
    const next = (v: unknown): Shape => this.convert(v, refs, depth + 1);
    let out: Shape = { types: ownTypes(raw) };
    if (typeof raw.format === 'string' && KEPT_FORMATS.has(raw.format)) out.format = raw.format;
    if (isNode(raw.properties)) {
      out.properties = Object.fromEntries(Object.entries(raw.properties).map(([k, v]) => [k, next(v)]));
    }
    if (raw.items !== undefined) out.items = next(raw.items);
    if (isNode(raw.additionalProperties)) out.values = next(raw.additionalProperties);
    for (const part of list(raw.allOf)) out = merge(out, next(part));
    for (const alternatives of [list(raw.anyOf), list(raw.oneOf)]) {
      if (alternatives.length > 0) out = merge(out, alternatives.map(next).reduce(union));
    }
    return out;
  }
}

/** The type a node declares by itself; OpenAPI often leaves `type: object` implicit. */
function ownTypes(raw: unknown): ScalarOrContainer[] | undefined {
  if (!isNode(raw)) return undefined;
  if (isType(raw.type)) return [raw.type];
  if (raw.properties !== undefined || raw.additionalProperties !== undefined) return ['object'];
  if (raw.items !== undefined) return ['array'];
  return undefined;
}

function combineRecords(
  a: Record<string, Shape> | undefined,
  b: Record<string, Shape> | undefined,
  f: (x: Shape, y: Shape) => Shape,
): Record<string, Shape> | undefined {
  if (!a || !b) return a ?? b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? f(out[k], v) : v;
  return out;
}

const combine = (x: Shape | undefined, y: Shape | undefined, f: (x: Shape, y: Shape) => Shape) =>
  x && y ? f(x, y) : (x ?? y);

/** allOf: both hold. Conflicting types widen rather than produce an unsatisfiable schema. */
function merge(a: Shape, b: Shape): Shape {
  let types = a.types ?? b.types;
  if (a.types && b.types) {
    const both = a.types.filter((t) => b.types!.includes(t));
    types = both.length > 0 ? both : [...new Set([...a.types, ...b.types])];
  }
  return clean({
    types,
    format: a.format ?? b.format,
    properties: combineRecords(a.properties, b.properties, merge),
    items: combine(a.items, b.items, merge),
    values: combine(a.values, b.values, merge),
  });
}

/** anyOf/oneOf: either holds, so the result accepts both. */
function union(a: Shape, b: Shape): Shape {
  const types = a.types && b.types ? [...new Set([...a.types, ...b.types])] : undefined;
  // A format constrains strings only, so a branch that cannot be a string does not veto it.
  const stringy = (s: Shape) => s.types === undefined || s.types.includes('string');
  const format = !stringy(a) ? b.format : !stringy(b) ? a.format : a.format === b.format ? a.format : undefined;
  return clean({
    types,
    format,
    properties: combineRecords(a.properties, b.properties, union),
    items: combine(a.items, b.items, union),
    values: combine(a.values, b.values, union),
  });
}

function clean(s: Shape): Shape {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Shape;
}

/** Where a field of a schema came from, for schemas/_provenance.tsv. */
export interface Provenance {
  /** `openapi`, `godo`, `openapi+godo`, `parent` (an injected key) or `table` (declared by the stream row). */
  from: string;
  note?: string;
}

type GodoTypes = GodoStructs['types'];
const GO_INTEGER = /^u?int(8|16|32|64)?$|^byte$|^rune$/;

/** A Go type as JSON Schema would see encoding/json's output; recursion through named types is cut. */
function godoShape(type: string, types: GodoTypes, seen: readonly string[] = []): Shape {
  const t = type.replace(/^\*/, '');
  if (t === '[]byte') return { types: ['string'] };
  if (t.startsWith('[]')) return { types: ['array'], items: godoShape(t.slice(2), types, seen) };
  if (t.startsWith('map[')) return { types: ['object'] };
  if (t === 'string') return { types: ['string'] };
  if (t === 'bool') return { types: ['boolean'] };
  if (GO_INTEGER.test(t) || t === 'time.Duration') return { types: ['integer'] };
  if (/^float(32|64)$/.test(t)) return { types: ['number'] };
  // godo's Timestamp and time.Time are RFC 3339 strings; the format is left to the OpenAPI.
  if (t === 'Timestamp' || t === 'time.Time') return { types: ['string'] };
  const named = types[t];
  if (!named || seen.includes(t)) return named?.fields ? { types: ['object'] } : {};
  if (named.underlying !== undefined) return godoShape(named.underlying, types, [...seen, t]);
  const properties: Record<string, Shape> = {};
  for (const f of named.fields ?? []) properties[f.json] = fieldShape(f, types, [...seen, t]);
  return { types: ['object'], properties };
}

const fieldShape = (f: GodoField, types: GodoTypes, seen: readonly string[]): Shape =>
  f.string ? { types: ['string'] } : godoShape(f.type, types, seen);

/** The godo field a shape property stands for: exact JSON name, or an untagged field's Go name. */
function godoFieldOf(fields: readonly GodoField[], key: string): GodoField | undefined {
  return fields.find((f) => godoMatches(f, key));
}

/** Whether two type sets can hold the same value (a JSON number type holds integers). */
function compatible(a: readonly ScalarOrContainer[], b: readonly ScalarOrContainer[]): boolean {
  return a.some((x) => b.includes(x) || (x === 'number' && b.includes('integer')) || (x === 'integer' && b.includes('number')));
}

/**
 * The OpenAPI's shape with godo's laid over it: godo's fields are added where the OpenAPI lacks them,
 * godo types a field the OpenAPI leaves untyped, and where both type it differently the OpenAPI's type
 * is kept and the difference noted. Every path is recorded in `prov`.
 */
function overlay(api: Shape | undefined, godo: Shape | undefined, goType: string | undefined, types: GodoTypes, at: string, prov: Map<string, Provenance>): Shape {
  if (!godo) {
    if (api) mark(api, at, { from: 'openapi' }, prov);
    return api ?? {};
  }
  if (!api) {
    mark(godo, at, { from: 'godo', note: goType }, prov);
    return godo;
  }
  const out: Shape = { ...api };
  const p: Provenance = { from: 'openapi+godo' };
  if (!api.types && godo.types) {
    out.types = godo.types;
    p.note = `typed by godo ${goType}`;
  } else if (api.types && godo.types && !compatible(api.types, godo.types)) {
    p.note = `godo ${goType} is ${godo.types.join('|')}; kept the OpenAPI's ${api.types.join('|')}`;
  }
  if (at !== '') prov.set(at, p);
  const objecty = (out.types ?? []).includes('object');
  if (objecty && godo.properties) {
    const props: Record<string, Shape> = { ...(api.properties ?? {}) };
    const fields = (goType ? types[resolveGo(goType, types)]?.fields : undefined) ?? [];
    for (const key of Object.keys(props)) {
      const f = godoFieldOf(fields, key);
      props[key] = overlay(props[key], f ? godo.properties[f.json] : undefined, f?.type, types, under(at, key), prov);
    }
    for (const f of fields) {
      // An untagged field stands for the OpenAPI key it matches; one matching none is not added
      // under a guessed name.
      if (Object.keys(props).some((k) => godoMatches(f, k)) || f.untagged) continue;
      props[f.json] = overlay(undefined, godo.properties[f.json], f.type, types, under(at, f.json), prov);
    }
    out.properties = props;
  } else if (api.properties) {
    for (const [k, v] of Object.entries(api.properties)) mark(v, under(at, k), { from: 'openapi' }, prov);
  }
  if ((out.types ?? []).includes('array') && (api.items || godo.items)) {
    const list = goType ? resolveGo(goType, types) : '';
    out.items = overlay(api.items, godo.items, list.startsWith('[]') ? list.slice(2) : undefined, types, `${at}[]`, prov);
  }
  return out;
}

/** A Go type with pointers and named non-struct types looked through: `*Tags` → `[]string`. */
function resolveGo(goType: string, types: GodoTypes): string {
  let t = goType.replace(/^\*/, '');
  for (let i = 0; i < 10 && types[t]?.underlying !== undefined; i++) t = types[t].underlying!.replace(/^\*/, '');
  return t;
}

const under = (at: string, key: string) => (at === '' ? key : `${at}.${key}`);

/** Records one source for a whole subtree. */
function mark(s: Shape, at: string, p: Provenance, prov: Map<string, Provenance>): void {
  if (at !== '') prov.set(at, p);
  for (const [k, v] of Object.entries(s.properties ?? {})) mark(v, under(at, k), p.from === 'godo' ? { from: 'godo' } : p, prov);
  if (s.items) mark(s.items, `${at}[]`, p.from === 'godo' ? { from: 'godo' } : p, prov);
}

/**
 * Keys of DigitalOcean's own example bodies that are not fields: the example is wrong, and the key is
 * not added. Keyed by stream and dotted path.
 */
export const EXAMPLE_ERRORS: Readonly<Record<string, string>> = {
  'app_job_invocations.trigger.properties':
    "the example of GET /v2/apps/{app_id}/job-invocations gives the trigger's JSON Schema (`properties: {type: {type: string}, …}`) as its value; neither app_job_invocation.trigger nor godo JobInvocationTrigger has `properties`",
};

/**
 * Fields seen only in response bodies DigitalOcean's own clients ship in their tests: neither the
 * OpenAPI nor godo's structs declare them, but the bodies look taken from the live API. Added as
 * typed here; `evidence` names the file and commit.
 */
export const CLIENT_FIELDS: readonly { stream: string; field: string; type: ScalarOrContainer; evidence: string }[] = [
  {
    stream: 'database_clusters',
    field: 'read_only',
    type: 'boolean',
    evidence: 'doctl integration/database_list_test.go (168188d3e016be2768406a0b3dc615966f6555a9): "read_only": false in each cluster of GET /v2/databases',
  },
  {
    stream: 'sizes',
    field: 'networking_throughput',
    type: 'integer',
    evidence: 'godo sizes_test.go (3fce660c40164d739042422abd984198ea680c63): "networking_throughput": 10000 on the GPU sizes of GET /v2/sizes',
  },
];

/** The shape of an example value: what a field holding it must accept. */
function exampleShape(v: unknown): Shape {
  if (v === null || v === undefined) return {};
  if (Array.isArray(v)) {
    const items = v.map(exampleShape);
    return { types: ['array'], ...(items.length > 0 ? { items: items.reduce(union) } : {}) };
  }
  if (typeof v === 'object') {
    return { types: ['object'], properties: Object.fromEntries(Object.entries(v as Node).map(([k, x]) => [k, exampleShape(x)])) };
  }
  if (typeof v === 'number') return { types: [Number.isInteger(v) ? 'integer' : 'number'] };
  if (typeof v === 'boolean') return { types: ['boolean'] };
  return { types: ['string'] };
}

/**
 * Adds the keys an example record has and the shape lacks, where the shape declares properties; types
 * of declared fields are never changed (a wrong example is test/openapi-examples.test.ts's business).
 */
function addExampleKeys(shape: Shape, example: Shape, stream: string, at: string, prov: Map<string, Provenance>): Shape {
  const out: Shape = { ...shape };
  const types = shape.types ?? [];
  if (types.includes('object') && shape.properties && example.properties) {
    const props = { ...shape.properties };
    for (const [k, v] of Object.entries(example.properties)) {
      const path = under(at, k);
      if (EXAMPLE_ERRORS[`${stream}.${path}`]) continue;
      if (props[k]) props[k] = addExampleKeys(props[k], v, stream, path, prov);
      else {
        props[k] = v;
        mark(v, path, { from: 'openapi-example' }, prov);
      }
    }
    out.properties = props;
  }
  if (types.includes('array') && shape.items && example.items) out.items = addExampleKeys(shape.items, example.items, stream, `${at}[]`, prov);
  return out;
}

/** Every declared path of a rendered schema, in order: `a`, `a.b`, `a[].c`. */
function paths(node: JsonSchema, at = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(node.properties ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const here = under(at, k);
    out.push(here, ...paths(v, here));
  }
  if (node.items) out.push(...paths(node.items, `${at}[]`));
  return out;
}

/** Keywords only where their type allows them: ajv's strictTypes rejects `properties` on an untyped node. */
function render(s: Shape): JsonSchema {
  if (!s.types) return {};
  let types = TYPE_ORDER.filter((t) => s.types!.includes(t));
  if (types.includes('number')) types = types.filter((t) => t !== 'integer');
  const out: JsonSchema = { type: [...types, 'null'] };
  if (s.format && types.includes('string')) out.format = s.format;
  if (s.properties && types.includes('object')) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, render(v)]));
  }
  if (s.items && types.includes('array')) out.items = render(s.items);
  return out;
}

/** Removes one `strip` path (syntax in types.ts); returns how many schema nodes it removed. */
function stripPath(node: JsonSchema, segments: readonly string[]): number {
  const [head, ...rest] = segments;
  if (head === undefined) return 0;
  if (head === '') {
    const children = [...Object.values(node.properties ?? {}), ...(node.items ? [node.items] : [])];
    return stripPath(node, rest) + children.reduce((n, child) => n + stripPath(child, segments), 0);
  }
  const name = head.endsWith('[]') ? head.slice(0, -2) : head;
  const child = node.properties?.[name];
  if (!child) return 0;
  if (rest.length === 0) {
    delete node.properties![name];
    return 1;
  }
  const next = head.endsWith('[]') ? child.items : child;
  return next ? stripPath(next, rest) : 0;
}

const scalar = (s: JsonSchema | undefined): boolean =>
  Array.isArray(s?.type) && s.type.length > 1 && !s.type.some((t) => t === 'object' || t === 'array');

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isNode(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

/** A schema file's text, as committed. */
export const renderSchema = (schema: JsonSchema): string => `${JSON.stringify(sortKeys(schema), null, 2)}\n`;

export interface Outcome {
  schemas: Map<string, JsonSchema>;
  /** Per stream, every declared field path and where it came from. */
  provenance: Map<string, Map<string, Provenance>>;
  warnings: string[];
  errors: string[];
}

/** Per stream, DigitalOcean's example response bodies (test/fixtures/openapi-examples.json). */
export type ExampleBodies = Readonly<Record<string, readonly Node[]>>;

/**
 * `examples`: keys of DigitalOcean's example records that neither the model nor godo declares are added.
 * `godo`: the godo structs fixture (scripts/godo-structs.ts); each stream it types gets godo's fields
 * too. Without it, the schemas are the OpenAPI's alone.
 */
export function generate(spec: Node, streams: readonly StreamDef[] = STREAMS, godo?: GodoStructs, examples?: ExampleBodies): Outcome {
  const conv = new Converter(spec);
  const byPath = new Map<string, string[]>();
  for (const [path, item] of Object.entries(isNode(spec.paths) ? spec.paths : {})) {
    if (!isNode(item) || !isNode(item.get)) continue;
    const key = normalise(path);
    byPath.set(key, [...(byPath.get(key) ?? []), path]);
  }
  const byName = new Map(streams.map((d) => [d.name, d]));
  const out: Outcome = { schemas: new Map(), provenance: new Map(), warnings: [], errors: [] };
  const failed = new Set<string>();
  const building = new Set<string>();

  const build = (def: StreamDef): JsonSchema | undefined => {
    const done = out.schemas.get(def.name);
    if (done || failed.has(def.name)) return done;
    const warn = (msg: string) => out.warnings.push(`${def.name}: ${msg}`);
    try {
      if (building.has(def.name)) throw new SchemaError('parent chain loops back to this stream');
      building.add(def.name);
      const parentDef = def.parent ? byName.get(def.parent.stream) : undefined;
      if (def.parent && !parentDef) throw new SchemaError(`parent stream ${def.parent.stream} is not in the table`);
      const parent = parentDef ? build(parentDef) : undefined;
      if (parentDef && !parent) throw new SchemaError(`parent stream ${parentDef.name} failed`);

      const matches = byPath.get(normalise(def.path)) ?? [];
      if (matches.length !== 1) {
        throw new SchemaError(
          matches.length === 0
            ? `no GET ${def.path} in the OpenAPI (placeholders ignored)`
            : `GET ${def.path} matches several OpenAPI paths: ${matches.join(', ')}`,
        );
      }
      const specPath = matches[0];
      const op = (spec.paths as Record<string, Node>)[specPath].get as Node;
      const response = conv.resolve(isNode(op.responses) ? op.responses['200'] : undefined);
      const content = isNode(response) && isNode(response.content) ? response.content['application/json'] : undefined;
      if (!isNode(content) || content.schema === undefined) {
        throw new SchemaError(`GET ${specPath} declares no 200 application/json body`);
      }
      const item = pickRecord(def, conv.convert(content.schema), specPath);
      // A list of non-objects (the neighbors report's arrays of Droplet ids): each item is a record's one field.
      const fromApi: Shape = def.itemField ? { types: ['object'], properties: { [def.itemField]: item } } : item;
      const prov = new Map<string, Provenance>();
      const godoType = godo?.streams[def.name]?.type;
      let record = godoType ? overlay(fromApi, godoShape(godoType, godo!.types), godoType, godo!.types, '', prov) : fromApi;
      if (!godoType) mark(fromApi, '', { from: 'openapi' }, prov);
      for (const body of examples?.[def.name] ?? []) {
        let found: Node[] = [];
        try {
          found = extractRecords(def, body as Record<string, unknown>) as Node[];
        } catch {
          warn('an OpenAPI example body holds no records where the row reads them');
        }
        for (const r of found) record = addExampleKeys(record, exampleShape(r), def.name, '', prov);
      }
      for (const extra of CLIENT_FIELDS.filter((c) => c.stream === def.name)) {
        if (record.properties?.[extra.field]) throw new SchemaError(`client field ${extra.field} is declared already: remove it from CLIENT_FIELDS`);
        record = { ...record, properties: { ...record.properties, [extra.field]: { types: [extra.type] } } };
        prov.set(extra.field, { from: 'client', note: extra.evidence });
      }
      if (record.types && !record.types.includes('object')) {
        throw new SchemaError(`records of GET ${specPath} are ${record.types.join('|')}, not objects`);
      }

      const props = render({ ...record, types: ['object'] }).properties ?? {};
      for (const [field, from] of Object.entries(def.parent?.keys ?? {})) {
        const typed = parent?.properties?.[from];
        if (!typed) warn(`parent ${def.parent!.stream} declares no ${from}; ${field} typed as string`);
        props[field] = typed ? structuredClone(typed) : { type: ['string', 'null'] };
        prov.set(field, { from: 'parent', note: `${def.parent!.stream}.${from}` });
        for (const path of paths(props[field])) prov.set(under(field, path), { from: 'parent' });
      }
      if (def.mapKeyField && !props[def.mapKeyField]) props[def.mapKeyField] = { type: ['string', 'null'] };
      const schema: JsonSchema = { $schema: DRAFT_07, type: 'object', properties: props };

      for (const path of def.strip) {
        if (stripPath(schema, path.split('.')) === 0) warn(`strip path ${path} is not in the OpenAPI schema`);
      }
      for (const key of def.primaryKey) {
        if (!props[key]) {
          warn(`primary key ${key} is not in the OpenAPI schema; added as string`);
          props[key] = { type: ['string', 'null'] };
          prov.set(key, { from: 'table', note: 'primary key' });
        } else if (!scalar(props[key])) {
          throw new SchemaError(`primary key ${key} is not a scalar: ${JSON.stringify(props[key].type ?? 'any')}`);
        }
      }
      if (def.cursor) {
        const { field, kind } = def.cursor;
        const want: JsonSchema =
          kind === 'datetime' ? { type: ['string', 'null'], format: 'date-time' } : { type: ['integer', 'null'] };
        const have = props[field];
        // A time cursor the OpenAPI types as a plain string or a date keeps that typing: declaring a
        // date-time format the API does not promise would make real records fail validation.
        const stringTyped = have !== undefined && JSON.stringify(have.type ?? '').includes('string');
        if (!have) warn(`cursor ${field} is not in the OpenAPI schema; added`);
        else if (JSON.stringify(have) !== JSON.stringify(want)) {
          warn(`cursor ${field} is ${JSON.stringify(have)} in the OpenAPI; ${kind === 'datetime' && stringTyped ? 'kept as the OpenAPI types it' : `declared as ${kind}`}`);
        }
        if (!(kind === 'datetime' && stringTyped)) props[field] = want;
        if (!have) prov.set(field, { from: 'table', note: 'cursor' });
      }
      out.schemas.set(def.name, schema);
      if (def.mapKeyField && !prov.has(def.mapKeyField)) prov.set(def.mapKeyField, { from: 'table', note: 'map key' });
      // Only what is declared: stripped fields and properties of non-objects are not in the schema.
      out.provenance.set(def.name, new Map(paths(schema).map((path) => [path, prov.get(path) ?? { from: 'openapi' }])));
      return schema;
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      failed.add(def.name);
      out.errors.push(`${def.name}: ${e.message}`);
      return undefined;
    }
  };

  // Rows read over another protocol (Spaces' S3 API) are not in the OpenAPI: their schemas are written by hand.
  for (const def of streams) if (!def.transport) build(def);
  return out;
}

const normalise = (path: string) => path.replace(/\{[^}]*\}/g, '{}');

function pickRecord(def: StreamDef, body: Shape, specPath: string): Shape {
  if (def.recordsKey === null) {
    if (def.shape !== 'object') throw new SchemaError(`recordsKey null needs shape 'object', not '${def.shape}'`);
    return body;
  }
  // A dotted key (`scan.findings`) walks through wrapper objects to the records.
  let holder: Shape | undefined = body;
  for (const key of recordsPath(def)) holder = holder?.properties?.[key];
  if (!holder) throw new SchemaError(`GET ${specPath} has no body property ${def.recordsKey}`);
  const picked = def.shape === 'list' ? holder.items : def.shape === 'map' ? holder.values : holder;
  if (!picked) {
    const what = def.shape === 'list' ? 'an array with items' : 'a map with a value schema';
    throw new SchemaError(`body property ${def.recordsKey} of GET ${specPath} is not ${what}`);
  }
  return picked;
}

/** The committed fixtures the generator reads besides the OpenAPI: godo's structs and DigitalOcean's examples. */
export function generatorInputs(root: string): { godo: GodoStructs; examples: ExampleBodies } {
  const godo = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'godo-structs.json'), 'utf8')) as GodoStructs;
  const fixture = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'openapi-examples.json'), 'utf8')) as { streams: Record<string, { examples: { body: Node }[] }> };
  const examples = Object.fromEntries(Object.entries(fixture.streams).map(([name, e]) => [name, e.examples.map((x) => x.body)]));
  return { godo, examples };
}

/** Where each field of each generated schema came from; not a schema, so not named *.json. */
export const PROVENANCE_FILE = '_provenance.tsv';

export function provenanceTsv(provenance: Map<string, Map<string, Provenance>>, godo: GodoStructs): string {
  const lines = [
    `# Written by scripts/generate-schemas.ts: each field of each generated schema and where it came from.`,
    `# openapi: DigitalOcean's OpenAPI response model; godo: github.com/digitalocean/godo at ${godo.commit} (test/fixtures/godo-structs.json);`,
    `# openapi-example: a key of DigitalOcean's own example response (test/fixtures/openapi-examples.json) that neither declares;`,
    `# client: seen in a response body DigitalOcean's own clients ship in their tests (CLIENT_FIELDS, evidence in the note);`,
    `# parent: a key injected from the parent stream; table: declared by the stream row (key, cursor, map key).`,
    `# A stream's first line names its godo record type (field \`.\`).`,
    ['stream', 'field', 'from', 'note'].join('\t'),
  ];
  for (const [stream, fields] of [...provenance].sort(([a], [b]) => a.localeCompare(b))) {
    const record = godo.streams[stream];
    lines.push([stream, '.', record ? 'godo' : 'openapi', record ? `${record.file} ${record.type} (${record.via})` : 'no godo type'].join('\t'));
    for (const [field, p] of fields) lines.push([stream, field, p.from, p.note ?? ''].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

function main(argv: readonly string[]): number {
  const root = packageRoot();
  const specFile = resolve(argv[0] ?? join(root, '..', 'shared', 'digitalocean-openapi', 'digitalocean-public.v2.json'));
  const spec: unknown = JSON.parse(readFileSync(specFile, 'utf8'));
  if (!isNode(spec) || !isNode(spec.paths)) {
    console.error(`error: ${specFile} is not an OpenAPI document`);
    return 1;
  }
  const { godo, examples } = generatorInputs(root);
  const { schemas, provenance, warnings, errors } = generate(spec, STREAMS, godo, examples);
  for (const w of warnings) console.error(`warning: ${w}`);
  if (errors.length > 0) {
    for (const e of errors) console.error(`error: ${e}`);
    console.error(`nothing written: ${errors.length} stream(s) failed`);
    return 1;
  }
  const dir = join(root, 'schemas');
  mkdirSync(dir, { recursive: true });
  for (const [name, schema] of schemas) writeFileSync(join(dir, `${name}.json`), renderSchema(schema));
  writeFileSync(join(dir, PROVENANCE_FILE), provenanceTsv(provenance, godo));
  const handWritten = new Set(STREAMS.filter((def) => def.transport).map((def) => def.name));
  const stale = readdirSync(dir).filter((f) => f.endsWith('.json') && !schemas.has(f.slice(0, -'.json'.length)) && !handWritten.has(f.slice(0, -'.json'.length)));
  for (const f of stale) rmSync(join(dir, f));
  console.log(
    `wrote ${schemas.size} schemas to ${dir} from ${specFile}; ${warnings.length} warning(s)` +
      (stale.length > 0 ? `; removed ${stale.join(', ')}` : ''),
  );
  return 0;
}

// Importable (for trying other tables) without writing anything.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
