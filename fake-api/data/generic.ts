/**
 * The fallback for a stream without a data-coherence entry: records built from the stream row and,
 * when schemas/<name>.json exists, every property the schema declares, filled with a plausible value
 * of its type and format. This is what lets a new row of the table be served with no new server code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Faker } from '@faker-js/faker';
import type { StreamDef } from '../../src/streams/types.js';
import { intKey, nameKey, timeKey, uuidKey } from './keys.js';
import { injectedValue } from './parent-keys.js';
import type { KeyCodec } from './keys.js';
import { REGIONS, iso, publicIpv4, randomTime } from './reference.js';
import type { Rng } from './random.js';
import type { Json, JsonObject, KindSpec, Located } from './types.js';

/** The part of JSON Schema the generator reads. */
export interface SchemaNode {
  type?: string | string[];
  format?: string;
  enum?: Json[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

export function loadSchema(dir: string | null, stream: string): SchemaNode | undefined {
  if (!dir) return undefined;
  const file = join(dir, `${stream}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SchemaNode;
  } catch {
    // A half-written schema (another engineer regenerating them) must not stop the server.
    return undefined;
  }
}

function typeOf(node: SchemaNode | undefined): string | undefined {
  if (!node) return undefined;
  const alt = node.oneOf?.[0] ?? node.anyOf?.[0];
  if (!node.type && alt) return typeOf(alt);
  const types = Array.isArray(node.type) ? node.type.filter((t) => t !== 'null') : node.type ? [node.type] : [];
  return types[0] ?? (node.properties ? 'object' : node.items ? 'array' : undefined);
}

/** A codec for a key field, chosen from its declared type and its name. */
function codecFor(field: string, node: SchemaNode | undefined, stream: string): KeyCodec {
  const type = typeOf(node);
  if (type === 'integer' || type === 'number') return intKey(500_000_000, true);
  if (node?.format === 'uuid' || /(^|_)(uuid|id)$/.test(field)) return uuidKey;
  if (node?.format === 'date-time') return timeKey;
  const stem = stream.replace(/_/g, '-').replace(/s$/, '');
  return nameKey((i) => `${stem}-${i}`);
}

function stringFor(field: string, node: SchemaNode, f: Faker, rng: Rng): string {
  switch (node.format) {
    case 'date-time': return iso(randomTime(rng));
    case 'date': return iso(randomTime(rng)).slice(0, 10);
    case 'uuid': return rng.uuid();
    case 'uri': return `https://${f.internet.domainName()}/${f.word.noun()}`;
    case 'email': return f.internet.email({ provider: 'example.com' }).toLowerCase();
    case 'ipv4': return publicIpv4(rng);
  }
  if (/(^|_)(uuid|id)$/.test(field)) return rng.uuid();
  if (/(_at|_time|date)$/.test(field)) return iso(randomTime(rng));
  if (/region/.test(field)) return rng.pick(REGIONS).slug;
  if (/(^|_)ip(_address)?$|ipv4/.test(field)) return publicIpv4(rng);
  if (/url|uri|endpoint/.test(field)) return `https://${f.internet.domainName()}`;
  if (/status|state/.test(field)) return rng.pick(['active', 'running', 'ok']);
  if (/urn$/.test(field)) return `do:resource:${rng.uuid()}`;
  if (/name|slug/.test(field)) return `${f.word.adjective()}-${f.word.noun()}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
  if (/description|message/.test(field)) return f.lorem.sentence(4);
  return f.word.noun();
}

const MAX_DEPTH = 4;

export function valueFor(field: string, node: SchemaNode, f: Faker, rng: Rng, depth = 0): Json {
  const values = node.enum?.filter((v) => v !== null);
  if (values && values.length > 0) return rng.pick(values);
  switch (typeOf(node)) {
    case 'string': return stringFor(field, node, f, rng);
    case 'integer': return /(_at|time)$/.test(field) ? Math.floor(randomTime(rng) / 1000) : rng.int(1, 1000);
    case 'number': return rng.float(0, 1000, 2);
    case 'boolean': return rng.chance(0.5);
    case 'array': {
      if (depth >= MAX_DEPTH || !node.items) return [];
      const items = node.items;
      return Array.from({ length: rng.int(1, 2) }, () => valueFor(field.replace(/s$/, ''), items, f, rng, depth + 1));
    }
    case 'object': {
      const out: JsonObject = {};
      if (depth >= MAX_DEPTH || !node.properties) return out;
      for (const [name, sub] of Object.entries(node.properties)) out[name] = valueFor(name, sub, f, rng, depth + 1);
      return out;
    }
    default: return null;
  }
}

/**
 * @param lookupFields fields children address this stream by (they need codecs, like primary keys).
 */
export function genericKind(def: StreamDef, schema: SchemaNode | undefined, lookupFields: readonly string[]): KindSpec {
  const injected = new Set(Object.keys(def.parent?.keys ?? {}));
  const props = schema?.properties ?? {};
  const keyFields = [...new Set([...def.primaryKey.filter((k) => !injected.has(k)), ...lookupFields, ...(def.mapKeyField ? [def.mapKeyField] : [])])];
  const keys: Record<string, KeyCodec> = {};
  for (const field of keyFields) keys[field] = codecFor(field, props[field], def.name);

  return {
    count: ({ scale, parent, rng }) => {
      // notFound 'empty': the API answers 404 when this child has nothing, so leave some parents without.
      if (def.shape === 'object') return def.parent?.notFound === 'empty' && rng.chance(0.5) ? 0 : 1;
      if (parent) return rng.int(1, 3);
      return def.pagination === 'none' ? Math.min(50, Math.max(2, Math.ceil(scale / 20))) : Math.max(3, Math.ceil(scale / 5));
    },
    keys,
    make: ({ f, rng, parent }) => {
      const record: JsonObject = {};
      for (const [name, node] of Object.entries(props)) {
        // An injected key the schema also declares gets its true value: the parent's.
        record[name] = injected.has(name) ? parentValue(def, parent, name) : valueFor(name, node, f, rng);
      }
      if (!schema) {
        record.name = `${f.word.adjective()}-${f.word.noun()}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
        record.created_at = iso(randomTime(rng));
      }
      for (const path of def.strip) plantSecret(record, path, rng);
      return record;
    },
  };
}

function parentValue(def: StreamDef, parent: Located | undefined, placeholder: string): Json {
  return def.parent && parent ? injectedValue(def.parent, placeholder, parent.view) : null;
}

/** Every secret planted by the generic generator starts with this, so a leak test can grep for it. */
export const SECRET_MARK = 'fake-secret-';

/**
 * Makes sure the record holds a secret at each of the row's `strip` paths (`a.b`, `a[].b`, `a..b`),
 * so the connector's stripping is exercised on every row, not only where a generator thought of it.
 * A string (or missing) value becomes a marked secret; an object or array from the schema is kept.
 */
export function plantSecret(record: JsonObject, path: string, rng: Rng): void {
  const deep = path.indexOf('..');
  if (deep === 0) {
    // `..b` at the start: anywhere in the record.
    plantBelow(record, path.slice(2), rng);
    return;
  }
  if (deep > 0) {
    for (const target of walkTo(record, path.slice(0, deep))) plantBelow(target, path.slice(deep + 2), rng);
    return;
  }
  const cut = path.lastIndexOf('.');
  const field = path.slice(cut + 1);
  for (const target of cut < 0 ? [record] : walkTo(record, path.slice(0, cut))) plantAt(target, field, rng);
}

/**
 * `rest` somewhere below `target`: in the nearest object (breadth first, `target` included) that already
 * has rest's first key, as the schema-built record does wherever the API sends it. A plain field no
 * object has goes one level down (it is stripped with nothing left behind); a nested one is not
 * planted, so that no container the API never sends is invented (an app event's `spec`).
 */
function plantBelow(target: JsonObject, rest: string, rng: Rng): void {
  const head = rest.split('.')[0].replace(/\[\]$/, '');
  const holder = nearestWith(target, head);
  if (holder) plantAt(holder, rest, rng);
  else if (!rest.includes('.') && !rest.endsWith('[]')) plantAt(firstNestedObject(target) ?? target, rest, rng);
}

function firstNestedObject(obj: JsonObject): JsonObject | undefined {
  for (const value of Object.values(obj)) {
    if (isObject(value)) return value;
    if (Array.isArray(value)) {
      const found = value.find(isObject);
      if (found) return found;
    }
  }
  return undefined;
}

function nearestWith(root: JsonObject, key: string): JsonObject | undefined {
  const queue: JsonObject[] = [root];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const obj = queue[i];
    if (key in obj) return obj;
    for (const value of Object.values(obj)) {
      if (isObject(value)) queue.push(value);
      else if (Array.isArray(value)) queue.push(...value.filter(isObject));
    }
  }
  return undefined;
}

function plantAt(target: JsonObject, field: string, rng: Rng): void {
  if (field.endsWith('[]') || field.includes('.')) {
    plantSecret(target, field, rng);
    return;
  }
  const current = target[field];
  if (current === undefined || current === null || typeof current === 'string') target[field] = secretFor(target, field, `${SECRET_MARK}${rng.alnum(20)}`);
}

/**
 * A planted secret in the form the real API gives it, where that form is known: an App log destination's
 * header is `{key, value}` with the credential in the value (godo apps.gen.go
 * AppLogDestinationSpecHeader; typically `Authorization: Bearer …`), and its endpoint is an HTTP intake URL
 * (AppLogDestinationSpec.Endpoint) whose path carries the token. Elsewhere the secret is the marked string.
 */
function secretFor(target: JsonObject, field: string, secret: string): Json {
  if (field === 'value' && target.key === undefined) {
    target.key = 'Authorization';
    return `Bearer ${secret}`;
  }
  if (field === 'endpoint') return `https://http-intake.logs.example.com/v1/input/${secret}`;
  return secret;
}

/** The objects at a dotted path, creating what is missing; `a[]` walks every element of array `a`. */
function walkTo(record: JsonObject, path: string): JsonObject[] {
  let level: JsonObject[] = [record];
  for (const step of path.split('.')) {
    const isArray = step.endsWith('[]');
    const name = isArray ? step.slice(0, -2) : step;
    const next: JsonObject[] = [];
    for (const obj of level) {
      if (isArray) {
        const list = Array.isArray(obj[name]) ? (obj[name] as Json[]) : (obj[name] = []);
        if (!list.some(isObject)) list.push({});
        next.push(...list.filter(isObject));
      } else {
        if (!isObject(obj[name])) obj[name] = {};
        next.push(obj[name] as JsonObject);
      }
    }
    level = next;
  }
  return level;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
