/**
 * Writes test/fixtures/openapi-examples.json: for every stream of the table, DigitalOcean's own example
 * of the 200 response of its GET path, taken from DigitalOcean's OpenAPI description. The tests serve
 * these bodies (which we did not write) through the real HTTP stack; the fixture is committed so they
 * run on a fresh clone without ../shared.
 *
 *   npm run build && node dist/scripts/extract-openapi-examples.js [path/to/digitalocean-public.v2.json]
 *
 * Where the response declares an `example` or named `examples`, those are taken as they are. Where it
 * declares none, the body is assembled from the `example` values the response schema gives its
 * properties (DigitalOcean's examples still, only put together here); `source` says which.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ExampleEntry {
  /** The OpenAPI path the stream reads. */
  path: string;
  /** `response`: the response's own example(s); `schema`: assembled from its schema's property examples. */
  source: 'response' | 'schema';
  examples: { name: string; body: unknown }[];
}

export interface ExamplesFixture {
  from: string;
  streams: Record<string, ExampleEntry>;
}

class Spec {
  constructor(readonly doc: Node) {}

  deref(ref: string): unknown {
    let at: unknown = this.doc;
    for (const raw of ref.replace(/^#\//, '').split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isNode(at)) return undefined;
      at = at[key];
    }
    return at;
  }

  resolve(v: unknown): unknown {
    for (let i = 0; isNode(v) && typeof v.$ref === 'string' && i < 50; i++) v = this.deref(v.$ref);
    return v;
  }

  /** A value built from the schema's own `example`s; undefined where it gives none. */
  synthesize(raw: unknown, refs: readonly string[] = []): unknown {
    if (!isNode(raw)) return undefined;
    if (typeof raw.$ref === 'string') {
      if (refs.includes(raw.$ref) || refs.length > 30) return undefined;
      return this.synthesize(this.deref(raw.$ref), [...refs, raw.$ref]);
    }
    if ('example' in raw) return raw.example;
    if (Array.isArray(raw.allOf)) {
      const parts = raw.allOf.map((p) => this.synthesize(p, refs)).filter(isNode);
      const own = this.objectOf(raw, refs);
      const merged = Object.assign({}, ...parts, own ?? {}) as Node;
      return Object.keys(merged).length > 0 ? merged : undefined;
    }
    for (const key of ['oneOf', 'anyOf'] as const) {
      const alternatives = raw[key];
      if (Array.isArray(alternatives)) {
        for (const alternative of alternatives) {
          const value = this.synthesize(alternative, refs);
          if (value !== undefined) return value;
        }
      }
    }
    if (raw.items !== undefined) {
      const item = this.synthesize(raw.items, refs);
      return item === undefined ? undefined : [item];
    }
    return this.objectOf(raw, refs);
  }

  private objectOf(raw: Node, refs: readonly string[]): Node | undefined {
    if (!isNode(raw.properties)) return undefined;
    const out: Node = {};
    for (const [key, sub] of Object.entries(raw.properties)) {
      const value = this.synthesize(sub, refs);
      if (value !== undefined) out[key] = value;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
}

const normalise = (path: string) => path.replace(/\{[^}]*\}/g, '{}');

/** Rows on another transport (Spaces over S3) have no OpenAPI path. */
const API_STREAMS = STREAMS.filter((def) => !def.transport);

export function extract(doc: Node, streams: readonly StreamDef[] = API_STREAMS): { fixture: Record<string, ExampleEntry>; errors: string[] } {
  const spec = new Spec(doc);
  const paths = isNode(doc.paths) ? doc.paths : {};
  const byPath = new Map(Object.keys(paths).map((p) => [normalise(p), p]));
  const fixture: Record<string, ExampleEntry> = {};
  const errors: string[] = [];
  for (const def of streams) {
    const specPath = byPath.get(normalise(def.path));
    const item = specPath ? paths[specPath] : undefined;
    const op = isNode(item) ? item.get : undefined;
    const response = isNode(op) && isNode(op.responses) ? spec.resolve(op.responses['200']) : undefined;
    const content = isNode(response) && isNode(response.content) ? response.content['application/json'] : undefined;
    if (!specPath || !isNode(content)) {
      errors.push(`${def.name}: no GET ${def.path} with a 200 application/json response`);
      continue;
    }
    const examples: { name: string; body: unknown }[] = [];
    if ('example' in content) examples.push({ name: 'example', body: content.example });
    if (isNode(content.examples)) {
      for (const [name, entry] of Object.entries(content.examples)) {
        const resolved = spec.resolve(entry);
        if (isNode(resolved) && 'value' in resolved) examples.push({ name, body: resolved.value });
      }
    }
    if (examples.length > 0) {
      fixture[def.name] = { path: specPath, source: 'response', examples };
      continue;
    }
    const body = spec.synthesize(content.schema);
    if (body === undefined) errors.push(`${def.name}: GET ${specPath} gives no example at all`);
    else fixture[def.name] = { path: specPath, source: 'schema', examples: [{ name: 'schema examples', body }] };
  }
  return { fixture, errors };
}

function main(argv: readonly string[]): number {
  const root = packageRoot();
  const specFile = resolve(argv[0] ?? join(root, '..', 'shared', 'digitalocean-openapi', 'digitalocean-public.v2.json'));
  const text = readFileSync(specFile, 'utf8');
  const doc: unknown = JSON.parse(text);
  if (!isNode(doc)) {
    console.error(`error: ${specFile} is not an OpenAPI document`);
    return 1;
  }
  const { fixture, errors } = extract(doc);
  for (const e of errors) console.error(`error: ${e}`);
  const out = join(root, 'test', 'fixtures', 'openapi-examples.json');
  mkdirSync(dirname(out), { recursive: true });
  const sorted = Object.fromEntries(Object.keys(fixture).sort().map((k) => [k, fixture[k]]));
  const sha256 = createHash('sha256').update(text).digest('hex');
  const content: ExamplesFixture = {
    from: `github.com/digitalocean/openapi, bundled as digitalocean-public.v2.json (sha256 ${sha256}); Apache-2.0`,
    streams: sorted,
  };
  writeFileSync(out, `${JSON.stringify(content, null, 1)}\n`);
  const fromSchema = Object.values(fixture).filter((e) => e.source === 'schema').length;
  console.log(`wrote ${Object.keys(fixture).length} streams' examples to ${out} (${fromSchema} assembled from schema examples); ${errors.length} error(s)`);
  return errors.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
