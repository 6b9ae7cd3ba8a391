import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { catalogFor, writeInputs } from './files.js';
import { parseLines, type Message } from './protocol.js';

/** The built CLI: end-to-end tests run the real program, as Airbyte would (npm test builds first). */
export const CLI = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: Message[];
  protocolErrors: string[];
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** SIGKILL the process once this many RECORD lines have arrived. */
  killAfterRecords?: number;
}

export interface RawRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <argv>` with a clean environment (PATH and the compressed time scale, plus `options.env`);
 * with killAfterRecords, SIGKILLs it once that many RECORD lines arrived and drops a cut last line, as the
 * platform would. Shared by the Airbyte and Singer end-to-end helpers.
 */
export function spawnNode(argv: string[], options: SpawnOptions = {}): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: { PATH: process.env.PATH ?? '', SOURCE_DIGITALOCEAN_TIME_SCALE: '0.001', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    const err: string[] = [];
    let records = 0;
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out.push(chunk);
      if (options.killAfterRecords === undefined || killed) return;
      records += chunk.split('{"type":"RECORD"').length - 1;
      if (records >= options.killAfterRecords) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let stdout = out.join('');
      // A kill can cut the last line short; the platform would drop it too.
      if (killed && !stdout.endsWith('\n')) stdout = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      resolve({ code, signal, stdout, stderr: err.join('') });
    });
  });
}

/** Runs the built CLI with `args`; every stdout line is parsed and validated. */
export async function spawnCli(args: string[], options: SpawnOptions = {}): Promise<SpawnResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const run = await spawnNode([CLI, ...args], options);
  const { messages, errors } = parseLines(run.stdout);
  return { ...run, messages, protocolErrors: errors };
}

export interface ReadInputs {
  config: Record<string, unknown>;
  streams: string[];
  mode?: 'full_refresh' | 'incremental';
  /** A state to resume from (a list of state messages), passed with --state. */
  state?: unknown[];
}

/** `read` of the built CLI, its config, catalog and state written to a fresh directory. */
export function readCli(inputs: ReadInputs, options: SpawnOptions = {}): Promise<SpawnResult> {
  const files = writeInputs({
    'config.json': inputs.config,
    'catalog.json': catalogFor(inputs.streams, inputs.mode),
    ...(inputs.state ? { 'state.json': inputs.state } : {}),
  });
  const args = ['read', '--config', files['config.json'], '--catalog', files['catalog.json']];
  if (inputs.state) args.push('--state', files['state.json']);
  return spawnCli(args, options);
}

/** String leaves of a JSON value, optionally only those under a key `keyFilter` accepts. */
export function stringLeaves(value: unknown, into: Set<string> = new Set(), keyFilter?: (key: string) => boolean, key = ''): Set<string> {
  if (typeof value === 'string') {
    if (!keyFilter || keyFilter(key)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) stringLeaves(v, into, keyFilter, key);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) stringLeaves(v, into, keyFilter, k);
  }
  return into;
}

/** Keys under which DigitalOcean puts credentials. */
export const isSecretKey = (key: string): boolean => /password|uri|secret|key|cert|token|credential|authorization|url/i.test(key);
