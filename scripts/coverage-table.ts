/**
 * Writes the stream coverage table (one row per DigitalOcean resource) between the
 * `<!-- streams:start -->` and `<!-- streams:end -->` markers of README.md and docs/streams.md.
 *
 *   npm run build && npm run docs:streams
 *
 * The table is generated from the stream table, so it cannot drift: test/coverage-table.test.ts fails
 * when the committed README.md differs from what this script would write.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { SECTIONS, type Section } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';
import { classifyApi, renderApiCoverage, type ApiCoverage } from './api-coverage.js';
import { loadGetPaths } from './openapi-get-paths.js';

export const START = '<!-- streams:start -->';
export const END = '<!-- streams:end -->';

/** A DigitalOcean resource the connector does not read, and why. */
export interface NotOffered {
  section: string;
  resource: string;
  /** The scopes DigitalOcean accepts for its path (any one of them). */
  scopes: readonly string[];
  /** Set for a planned stream: the entry disappears from the table once a stream of that name exists. */
  stream?: string;
  /** Starts with `excluded:` or `planned:`. */
  reason: string;
}

export const NOT_OFFERED: readonly NotOffered[] = [
  {
    section: 'Kubernetes',
    resource: 'Cluster Credentials',
    scopes: ['kubernetes:access_cluster'],
    reason: 'excluded: every call mints a cluster credential, and the scope grants cluster access',
  },
  {
    section: 'Databases',
    resource: 'Database Metrics Credentials',
    scopes: ['database:update', 'database:view_credentials'],
    reason: 'excluded: returns the metrics basic-auth password and needs a credentials scope',
  },
];

const HEADER = ['DigitalOcean resource', 'stream', 'scope', 'sync modes', 'primary key', 'cursor', 'stripped fields'];
const NONE = '–';

const code = (s: string) => `\`${s}\``;
const list = (items: readonly string[]) => (items.length === 0 ? NONE : items.map(code).join(', '));
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

function streamRow(def: StreamDef): string {
  return row([
    def.resource,
    code(def.name),
    def.scope ? code(def.scope) : def.transport ? 'a Spaces key (read grants)' : 'none declared',
    def.cursor ? 'full refresh, incremental' : 'full refresh',
    list(def.primaryKey),
    def.cursor ? code(def.cursor.field) : NONE,
    list(def.strip),
  ]);
}

function notOfferedRow(entry: NotOffered): string {
  return row([entry.resource, `*${entry.reason}*`, entry.scopes.map(code).join(' or '), NONE, NONE, NONE, NONE]);
}

/** The GET paths of the OpenAPI fixture placed against the streams of `sections`. */
export function apiCoverage(sections: readonly Section[] = SECTIONS): ApiCoverage {
  // Rows on another transport (Spaces over S3) are not API v2 paths: the OpenAPI count leaves them out.
  return classifyApi(loadGetPaths(), sections.flatMap((s) => s.streams).filter((def) => !def.transport));
}

/**
 * The generated block: the count of resources offered, the count against the OpenAPI's readable
 * collections (null: left out) with every path no stream reads, then the table, sections in catalog order.
 */
export function renderCoverage(
  sections: readonly Section[] = SECTIONS,
  notOffered: readonly NotOffered[] = NOT_OFFERED,
  api: ApiCoverage | null = apiCoverage(sections),
): string {
  const names = new Set(sections.flatMap((s) => s.streams.map((d) => d.name)));
  const missing = notOffered.filter((e) => e.stream === undefined || !names.has(e.stream));
  const unknown = missing.filter((e) => !sections.some((s) => s.title === e.section));
  if (unknown.length > 0) throw new Error(`no section titled ${unknown.map((e) => `'${e.section}'`).join(', ')}`);

  const lines: string[] = [row(HEADER), row(HEADER.map(() => '---'))];
  for (const section of sections) {
    lines.push(row([`**${section.title}**`, ...HEADER.slice(1).map(() => '')]));
    lines.push(...section.streams.map(streamRow));
    lines.push(...missing.filter((e) => e.section === section.title).map(notOfferedRow));
  }
  const excluded = missing.filter((e) => e.stream === undefined).length;
  const notes: string[] = [];
  if (excluded > 0) notes.push(`${excluded} excluded on purpose`);
  if (missing.length > excluded) notes.push(`${missing.length - excluded} planned`);
  const count =
    `${names.size} of ${names.size + missing.length} DigitalOcean resources are offered as streams` +
    (notes.length > 0 ? ` (${notes.join(', ')}).` : '.');
  return [count, '', ...(api ? [...renderApiCoverage(api), ''] : []), ...lines].join('\n');
}

/** `text` with the block between the markers replaced; throws unless both markers are there, in order. */
export function replaceBlock(text: string, block: string, file = 'the file'): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < 0 || end < start) throw new Error(`${file} lacks the ${START} … ${END} markers`);
  return `${text.slice(0, start + START.length)}\n${block}\n${text.slice(end)}`;
}

/** The block currently between the markers, or undefined when there are no markers. */
export function currentBlock(text: string): string | undefined {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return text.slice(start + START.length, end).replace(/^\n/, '').replace(/\n$/, '');
}

export const TARGETS: readonly { file: string; fresh: string }[] = [
  { file: 'README.md', fresh: `${START}\n${END}\n` },
  { file: join('docs', 'streams.md'), fresh: `# Streams\n\n${START}\n${END}\n` },
];

/** Writes the block into every target under `root`; returns the files written. */
export function writeCoverage(root: string, block = renderCoverage()): string[] {
  return TARGETS.map(({ file, fresh }) => {
    const path = join(root, file);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : fresh;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, replaceBlock(text, block, file));
    return path;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const api = apiCoverage();
    if (api.problems.length > 0) throw new Error(`the OpenAPI coverage does not add up:\n  ${api.problems.join('\n  ')}`);
    for (const path of writeCoverage(packageRoot(), renderCoverage(SECTIONS, NOT_OFFERED, api))) console.log(`wrote the stream table to ${path}`);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
