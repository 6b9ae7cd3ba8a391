import { spawnNode } from './e2e.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built tap: the end-to-end tests run the real program, as Meltano would (`executable: tap-digitalocean`). */
export const TAP = fileURLToPath(new URL('../../dist/src/tap-main.js', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

export interface SingerMessage {
  type: string;
  stream?: string;
  record?: Record<string, unknown>;
  schema?: Record<string, unknown>;
  key_properties?: string[];
  bookmark_properties?: string[];
  value?: { bookmarks?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  time_extracted?: string;
  version?: number;
}

export interface TapRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: SingerMessage[];
  /** stdout lines that are not one Singer message (must stay empty). */
  bad: string[];
}

const SINGER_TYPES = new Set(['SCHEMA', 'RECORD', 'STATE', 'ACTIVATE_VERSION']);

/** Parses stdout: each line one JSON object of a Singer message type. */
export function parseSinger(stdout: string): { messages: SingerMessage[]; bad: string[] } {
  const messages: SingerMessage[] = [];
  const bad: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    try {
      const m = JSON.parse(line) as SingerMessage;
      if (m === null || typeof m !== 'object' || !SINGER_TYPES.has(m.type)) bad.push(line.slice(0, 200));
      else messages.push(m);
    } catch {
      bad.push(line.slice(0, 200));
    }
  }
  return { messages, bad };
}

export interface TapOptions {
  env?: Record<string, string>;
  /** SIGKILL once this many RECORD lines have arrived. */
  killAfterRecords?: number;
  /** Run `node dist/src/main.js singer …` instead of the tap bin. */
  viaMain?: boolean;
}

/** Runs the built tap with `args`. */
export async function runTap(args: string[], options: TapOptions = {}): Promise<TapRun> {
  if (!existsSync(TAP)) throw new Error(`${TAP} is missing: run npm run build first`);
  const run = await spawnNode(options.viaMain ? [MAIN, 'singer', ...args] : [TAP, ...args], options);
  return { ...run, ...parseSinger(run.stdout) };
}

/**
 * Meltano's deep merge of a newer state onto an older one, as src/meltano/core/utils/__init__.py
 * `merge(src, dest)` does it (meltano/meltano at c139d24b): objects merge key by key at every depth,
 * anything else (lists included) is replaced. Written here from its documented behaviour, for tests.
 */
export function meltanoMerge(src: Record<string, unknown>, dest: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(src)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const existing = dest[key];
      const node = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
      dest[key] = meltanoMerge(value as Record<string, unknown>, node);
    } else {
      dest[key] = value;
    }
  }
  return dest;
}

export function recordsOf(messages: SingerMessage[], stream?: string): Record<string, unknown>[] {
  return messages.filter((m) => m.type === 'RECORD' && (stream === undefined || m.stream === stream)).map((m) => m.record as Record<string, unknown>);
}

export function lastState(messages: SingerMessage[]): Record<string, unknown> | undefined {
  return messages.filter((m) => m.type === 'STATE').at(-1)?.value;
}
