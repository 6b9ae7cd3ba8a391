/**
 * Extracts from DigitalOcean's OpenAPI what the tests compare the connector with, so that they run
 * without ../shared:
 *   test/fixtures/openapi-get-paths.json  every path with a GET and its operationId (the coverage count)
 *   test/fixtures/openapi-examples.json   the 200 response example of each stream's path, where the
 *                                         OpenAPI gives one (test/openapi-examples.test.ts)
 *
 *   npm run build && npm run generate:openapi-fixtures [-- path/to/digitalocean-public.v2.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';

export interface GetPath {
  path: string;
  operationId: string;
}

/** Where the fixture lives, relative to the package root. */
export const GET_PATHS_FIXTURE = join('test', 'fixtures', 'openapi-get-paths.json');
export const EXAMPLES_FIXTURE = join('test', 'fixtures', 'openapi-examples.json');

/** The default OpenAPI document: the bundled copy next to the project. */
export function defaultSpecFile(root = packageRoot()): string {
  return join(root, '..', 'shared', 'digitalocean-openapi', 'digitalocean-public.v2.json');
}

const isNode = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every path with a GET operation, sorted by path. */
export function extractGetPaths(spec: unknown): GetPath[] {
  if (!isNode(spec) || !isNode(spec.paths)) throw new Error('not an OpenAPI document (no paths)');
  const out: GetPath[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    if (!isNode(item) || !isNode(item.get)) continue;
    const id = item.get.operationId;
    out.push({ path, operationId: typeof id === 'string' ? id : '' });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function renderFixture(value: unknown): string {
  return `${JSON.stringify(value, null, 1)}\n`;
}

/** Follows local $refs to a concrete node. */
function deref(spec: Record<string, unknown>, node: unknown): unknown {
  for (let hops = 0; isNode(node) && typeof node.$ref === 'string' && hops < 50; hops++) {
    let at: unknown = spec;
    for (const key of node.$ref.slice(2).split('/')) at = isNode(at) ? at[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    node = at;
  }
  return node;
}

/** The 200 response example (or first named example) of each stream's GET path, by stream name. */
export function extractExamples(spec: unknown, streams: readonly StreamDef[] = STREAMS): Record<string, unknown> {
  if (!isNode(spec) || !isNode(spec.paths)) throw new Error('not an OpenAPI document (no paths)');
  const normal = (p: string) => p.replace(/\{[^}]*\}/g, '{}');
  const byNormal = new Map(Object.keys(spec.paths).map((p) => [normal(p), p]));
  const out: Record<string, unknown> = {};
  for (const def of streams) {
    const path = byNormal.get(normal(def.path));
    const item = path === undefined ? undefined : (spec.paths as Record<string, unknown>)[path];
    const op = isNode(item) && isNode(item.get) ? item.get : undefined;
    const response = deref(spec, isNode(op?.responses) ? op.responses['200'] : undefined);
    const content = isNode(response) && isNode(response.content) ? response.content['application/json'] : undefined;
    if (!isNode(content)) continue;
    let example: unknown = content.example;
    if (example === undefined && isNode(content.examples)) {
      const first = deref(spec, Object.values(content.examples)[0]);
      example = isNode(first) ? first.value : undefined;
    }
    if (example !== undefined) out[def.name] = example;
  }
  return out;
}

/** The committed fixture. */
export function loadGetPaths(root = packageRoot()): GetPath[] {
  return JSON.parse(readFileSync(join(root, GET_PATHS_FIXTURE), 'utf8')) as GetPath[];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const root = packageRoot();
    const specFile = resolve(process.argv[2] ?? defaultSpecFile(root));
    const spec: unknown = JSON.parse(readFileSync(specFile, 'utf8'));
    const paths = extractGetPaths(spec);
    writeFileSync(join(root, GET_PATHS_FIXTURE), renderFixture(paths));
    const examples = extractExamples(spec);
    writeFileSync(join(root, EXAMPLES_FIXTURE), renderFixture(examples));
    console.log(`wrote ${paths.length} GET paths of ${specFile} to ${GET_PATHS_FIXTURE}, ${Object.keys(examples).length} streams' examples to ${EXAMPLES_FIXTURE}`);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
