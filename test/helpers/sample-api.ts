import nock from 'nock';
import { dateWindows } from '../../src/engine/partitions.js';
import { findStream } from '../../src/streams/index.js';
import { loadSchema, type JsonSchema } from '../../src/streams/schemas.js';
import type { StreamDef } from '../../src/streams/types.js';

/**
 * Generic DigitalOcean responses for any row of the stream table, mocked with nock: typed sample
 * records (from the stream's schema), secrets planted at every strip path, parents for children, and
 * two pages where the endpoint pages. Used by the table-driven tests, so a new row needs no test code.
 */

export const ORIGIN = 'https://api.digitalocean.test';
export const TOKEN = 'dop_v1_unit_test_token_0123456789abcdef';
export const SECRET = 'PLANTED-SECRET-7f3a';

type Json = Record<string, unknown>;

function firstType(schema: JsonSchema | undefined): string {
  const type = schema?.type;
  const types = Array.isArray(type) ? type : type ? [type] : [];
  return types.find((t) => t !== 'null') ?? 'string';
}

function propertyOf(def: StreamDef, field: string): JsonSchema | undefined {
  return loadSchema(def.name).properties?.[field];
}

function sampleValue(def: StreamDef, field: string, i: number): unknown {
  const schema = propertyOf(def, field);
  if (def.cursor?.field === field) {
    if (def.cursor.kind === 'integer') return 1000 + i;
    const instant = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
    return schema?.format === 'date' ? instant.slice(0, 10) : instant;
  }
  switch (firstType(schema)) {
    case 'object':
      return {};
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1000 + i;
    case 'boolean':
      return i % 2 === 0;
    default:
      return schema?.format === 'date-time' ? new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString() : `${field}-${i}`;
  }
}

/** Puts SECRET at one strip path (`a.b`, `a[].b`, `a..b`, `..b`) of a record. */
function plant(record: Json, path: string): void {
  const parts = path.split('.').filter((p) => p !== '');
  let node: Json = record;
  parts.forEach((part, index) => {
    const name = part.replace(/\[\]$/, '');
    if (index === parts.length - 1) {
      node[name] = SECRET;
      return;
    }
    if (part.endsWith('[]')) {
      const element: Json = {};
      node[name] = [element];
      node = element;
    } else {
      const child = (node[name] as Json | undefined) ?? {};
      node[name] = child;
      node = child;
    }
  });
}

/** One raw API record: primary key and cursor filled, fields children need, every secret planted. */
export function sampleRecord(def: StreamDef, i: number, extra: Json = {}): Json {
  const record: Json = {};
  const injected = new Set(Object.keys(def.parent?.keys ?? {}));
  for (const field of def.primaryKey) if (!injected.has(field) && field !== def.mapKeyField) record[field] = sampleValue(def, field, i);
  if (def.cursor) record[def.cursor.field] = sampleValue(def, def.cursor.field, i);
  for (const path of def.strip) plant(record, path);
  const full = { ...record, ...extra };
  // A row with no key, cursor or secret of its own (balance, options) still needs a field: the
  // platform drops records with empty data.
  if (Object.keys(full).length === 0) {
    const field = Object.keys(loadSchema(def.name).properties ?? {}).find((f) => !injected.has(f));
    if (field !== undefined) full[field] = sampleValue(def, field, i);
  }
  return full;
}

export interface Expectation {
  /** The records the connector must emit, with injected keys, in the order the API returns them. */
  records: Json[];
  scope: nock.Scope;
}

function bodyFor(def: StreamDef, records: Json[], extra: Json): Json {
  if (def.shape === 'object') return def.recordsKey === null ? records[0] : { [def.recordsKey]: records[0], ...extra };
  if (def.shape === 'map') {
    const keyField = def.mapKeyField ?? 'key';
    const map = Object.fromEntries(records.map((r) => {
      const { [keyField]: key, ...rest } = r;
      return [String(key), rest];
    }));
    return { [def.recordsKey as string]: map, ...extra };
  }
  // A dotted records key (`scan.findings`) nests the list in wrapper objects.
  const [outer, ...inner] = (def.recordsKey as string).split('.');
  return { [outer]: inner.reduceRight<unknown>((value, k) => ({ [k]: value }), records), ...extra };
}

/** A field of a record; a dotted name reaches into nested objects. */
function getPath(record: Json, field: string): unknown {
  return field.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Json)[part] : undefined), record);
}

function setPath(record: Json, field: string, value: unknown): void {
  const parts = field.split('.');
  let node = record;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Json;
  node[parts[parts.length - 1]] = value;
}

/** The keys a child partition gets from its parent record, formatted as the table says. */
function keysFrom(def: StreamDef, parent: Json): Json {
  const link = def.parent!;
  return Object.fromEntries(
    Object.entries(link.keys).map(([field, parentField]) => {
      const value = getPath(parent, parentField);
      const format = link.format?.[field];
      return [field, format === undefined ? value : format.replace('{}', String(value))];
    }),
  );
}

function fillPath(def: StreamDef, keys: Json | undefined): string {
  return def.path.replace(/\{([a-z_]+)\}/g, (_, f: string) => encodeURIComponent(String(keys?.[f])).replace(/%3A/gi, ':'));
}

/** Mocks every request of one partition (all its pages); returns the raw records served. */
function mockPartition(
  scope: nock.Scope,
  def: StreamDef,
  keys: Json | undefined,
  count: number,
  offset: number,
  extraFields: (i: number) => Json,
  fixed: Readonly<Record<string, string>> = def.query ?? {},
  decorate?: Decorate,
): Json[] {
  const path = fillPath(def, keys);
  // Parent keys that travel in the query (ParentLink.queryKeys: NFS's ?region=).
  const keyQuery = Object.fromEntries(Object.keys(def.parent?.queryKeys ?? {}).map((f) => [f, String(keys?.[f])]));
  fixed = { ...fixed, ...keyQuery };
  const records = Array.from({ length: count }, (_, i) => {
    const record = sampleRecord(def, offset + i, extraFields(offset + i));
    if (def.shape === 'map') record[def.mapKeyField ?? 'key'] = 5000 + offset + i;
    decorate?.(record, offset + i);
    return record;
  });
  if (def.pagination === 'none' || def.shape !== 'list') {
    scope.get(path).query(def.pagination === 'none' ? { ...fixed } : { ...fixed, per_page: '200' }).reply(200, bodyFor(def, records, def.shape === 'object' ? {} : { links: {}, meta: { total: count } }));
    return records;
  }
  const pages = [records.slice(0, 200), records.slice(200)].filter((p, i) => i === 0 || p.length > 0);
  if (def.pagination === 'total_pages') {
    pages.forEach((page, index) => {
      const query: Record<string, string> = { ...fixed, per_page: '200', ...(index > 0 ? { page: String(index + 1) } : {}) };
      const body = { total_items: records.length, total_pages: pages.length, current_page: index + 1 };
      scope.get(path).query(query).reply(200, bodyFor(def, page, body));
    });
    return records;
  }
  pages.forEach((page, index) => {
    const query: Record<string, string> = { ...fixed, per_page: '200' };
    if (index > 0) Object.assign(query, def.pagination === 'token' ? { page_token: `tok-${index + 1}` } : { page: String(index + 1) });
    const nextParam = def.pagination === 'token' ? `page_token=tok-${index + 2}` : `page=${index + 2}`;
    // The next link deliberately names another host: only its page parameter may be used.
    const links = index < pages.length - 1 ? { pages: { next: `https://elsewhere.example.com/v2/other?${nextParam}&per_page=200` } } : {};
    scope.get(path).query(query).reply(200, bodyFor(def, page, { links, meta: { total: records.length } }));
  });
  return records;
}

/** Adds to a record of the stream under test before it is served; must not change its existing fields. */
export type Decorate = (record: Json, i: number) => void;

/**
 * Mocks a whole read of `def` (and, silently, its ancestors). Each parent list is mocked once: a
 * second request for it would find no interceptor and fail the test. `decorate` (planted secrets)
 * changes the records of `def` only, not its parents'.
 */
export function mockStreamRead(def: StreamDef, scope = nock(ORIGIN), decorate?: Decorate): Expectation {
  const countPerPartition = def.shape === 'list' && def.pagination !== 'none' ? 201 : def.shape === 'list' ? 3 : 1;
  if (!def.parent) {
    // A list asked for in several variants (Droplets, then GPU Droplets): records in each.
    const records = (def.variants ?? [{}]).flatMap((variant, v) =>
      mockPartition(scope, def, undefined, countPerPartition, v * 10_000, () => ({}), { ...def.query, ...variant }, decorate),
    );
    return { records, scope };
  }
  const link = def.parent;
  const parentDef = findStream(link.stream) as StreamDef;
  // Three parents; with a filter the last one does not qualify and must not be requested.
  const parentExtra = (i: number): Json => {
    const extra: Json = {};
    for (const parentField of Object.values(link.keys)) setPath(extra, parentField, sampleValue(parentDef, parentField, i));
    if (link.filter) extra[link.filter.field] = i === 2 ? 'not-' + link.filter.values[0] : link.filter.values[0];
    return extra;
  };
  // An object-shaped parent (the account) is one record.
  const parents = mockParents(scope, parentDef, parentDef.shape === 'object' ? 1 : 3, parentExtra);
  const expected: Json[] = [];
  parents.forEach((parent, p) => {
    if (link.filter && !link.filter.values.includes(String(parent[link.filter.field]))) return;
    const keys = keysFrom(def, parent);
    // A date-windowed path is requested once per window; the records sit in the first one.
    [...dateWindows(def, undefined, Date.now())].forEach((window, w) => {
      const served = mockPartition(scope, def, { ...keys, ...window }, w === 0 ? countPerPartition : 0, p * 1000, () => ({}), def.query, decorate);
      expected.push(...served.map((r) => ({ ...r, ...keys })));
    });
  });
  return { records: expected, scope };
}

/** The parent's records as the connector sees them (with their own injected keys), mocked on one page per partition. */
function mockParents(scope: nock.Scope, def: StreamDef, count: number, extra: (i: number) => Json): Json[] {
  if (!def.parent) {
    // Every variant of the parent list is asked for; the parents sit in the first.
    return (def.variants ?? [{}]).flatMap((variant, v) =>
      mockPartition(scope, def, undefined, v === 0 ? count : 0, 0, extra, { ...def.query, ...variant }),
    );
  }
  const link = def.parent;
  const grand = findStream(link.stream) as StreamDef;
  // The grandparent passes the parent's filter (Kafka clusters for a subject's config).
  const grandExtra = (i: number): Json => ({
    ...Object.fromEntries(Object.values(link.keys).map((f) => [f, sampleValue(grand, f, i)])),
    ...(link.filter ? { [link.filter.field]: link.filter.values[0] } : {}),
  });
  const grandparents = mockParents(scope, grand, 1, grandExtra);
  const keys = keysFrom(def, grandparents[0]);
  return mockPartition(scope, def, keys, count, 0, extra).map((r) => ({ ...r, ...keys }));
}
