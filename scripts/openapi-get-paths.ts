/**
 * Extracts from DigitalOcean's OpenAPI what the tests compare the connector with, so that they run
 * without ../shared:
 *   test/fixtures/openapi-get-paths.json  every path with a GET and its operationId (the coverage count)
 * (The OpenAPI's example bodies are extracted by scripts/extract-openapi-examples.ts.)
 *
 *   npm run build && npm run generate:openapi-fixtures [-- path/to/digitalocean-public.v2.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';

export interface GetPath {
  path: string;
  operationId: string;
}

/** Where the fixture lives, relative to the package root. */
export const GET_PATHS_FIXTURE = join('test', 'fixtures', 'openapi-get-paths.json');

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
    console.log(`wrote ${paths.length} GET paths of ${specFile} to ${GET_PATHS_FIXTURE}`);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
