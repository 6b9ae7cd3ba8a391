/**
 * Writes the freshness table of the incremental per-parent child streams (StreamDef.freshness) between
 * the `<!-- freshness:start -->` and `<!-- freshness:end -->` markers of README.md, from the rows
 * themselves. Run by `npm run docs:streams`; test/freshness-table.test.ts fails on drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { cursorOf } from '../src/streams/freshness.js';
import { findStream, STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';

export const FRESHNESS_START = '<!-- freshness:start -->';
export const FRESHNESS_END = '<!-- freshness:end -->';

const code = (s: string): string => `\`${s}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|');

function changeOf(def: StreamDef): string {
  const f = def.freshness;
  if (!f) return '–';
  if (f.kind === 'derived') {
    const from = f.derivedFrom;
    if (!from) return '–';
    const hint = def.parent?.hint;
    return 'parentField' in from ? `built from the parent's ${code(from.parentField)}` : `built from the ${code(hint && 'namedBy' in hint ? hint.namedBy.source.stream : '?')} list`;
  }
  if (f.changedBy?.length) return f.changedBy.map(code).join(', ');
  const change = def.parent?.changeHint;
  if (typeof change === 'string') return code(change);
  if (change) {
    const hint = def.parent?.hint;
    return `the ${code(hint && 'namedBy' in hint ? hint.namedBy.source.stream : '?')} items naming the parent`;
  }
  return '–';
}

/** Child streams read in full every sync: grandchildren (their parents are child streams), and the account's own. */
function unplanned(): StreamDef[] {
  return STREAMS.filter((def) => def.parent && !def.freshness);
}

export function renderFreshness(): string {
  const rows = STREAMS.filter((def) => def.freshness).map((def) => {
    const f = def.freshness!;
    const cursor = cursorOf(def)!;
    return `| ${code(def.name)} | ${f.kind} | ${f.maxAgeHours} | ${changeOf(def)} | ${code(cursor.field)} | ${cell(f.evidence)} |`;
  });
  const others = unplanned().map((def) => {
    const grand = findStream(def.parent!.stream)?.parent?.stream;
    return grand ? `${code(def.name)} (its parent is a child of ${code(grand)})` : `${code(def.name)} (one parent; its own cursor${def.dateWindows ? ' and date windows' : ''})`;
  });
  return [
    FRESHNESS_START,
    '| stream | class | bound (hours) | read again at once when | cursor | evidence |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Child streams read as before, every parent every sync: ${others.join(', ')}.`,
    FRESHNESS_END,
  ].join('\n');
}

export function replaceFreshness(text: string): string {
  const start = text.indexOf(FRESHNESS_START);
  const end = text.indexOf(FRESHNESS_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${FRESHNESS_START} … ${FRESHNESS_END} block`);
  return text.slice(0, start) + renderFreshness() + text.slice(end + FRESHNESS_END.length);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = join(packageRoot(), 'README.md');
  writeFileSync(file, replaceFreshness(readFileSync(file, 'utf8')));
  console.log('wrote the freshness table of README.md');
}
