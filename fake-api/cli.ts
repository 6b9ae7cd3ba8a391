/**
 * Command-line options of the fake API → FakeApiOptions. Kept apart from main.ts so tests can run it
 * in-process. JSON-valued flags accept inline JSON or @path/to/file.json.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { FakeApiOptions } from './options.js';
import type { RateLimitOptions } from './ratelimit.js';
import { DEFAULT_PER_HOUR, DEFAULT_PER_MINUTE } from './ratelimit.js';
import { startFakeApi } from './server.js';
import type { FakeApi } from './server.js';

export const USAGE = `usage: node dist/fake-api/main.js [options]
  --port N                 listen port (default 0: any free port)
  --host ADDR              listen address (default 127.0.0.1)
  --seed N                 data seed (default 42)
  --scale N                number of droplets; other counts derive from it (default 50)
  --counts JSON            per-stream count overrides, e.g. '{"domains":3}'
  --latency-ms N           added to every answer (default 0)
  --rate-per-minute N      per-token requests per minute window (default 250)
  --rate-per-hour N        per-token requests per hour window (default 5000)
  --minute-window-ms N     length of the "minute" window (default 60000)
  --hour-window-ms N       length of the "hour" window (default 3600000)
  --endpoint-window-scale F  multiplies the rows' own windows (default 1)
  --no-rate-limits         no limits at all (headers still sent)
  --lookup-before-scope    404 for a missing resource even without the scope
  --tokens JSON            extra tokens: {"token": ["droplet:read"], ...}
  --faults JSON            a FaultConfig: {"rules": [...], "links": {...}}
  --cache-mb N             rendered-body cache size (default 64)
  --today YYYY-MM-DD       the account's "today" (billing insights end the day before); default: the clock's
The server prints {"url":"http://127.0.0.1:PORT"} on one line when it listens.`;

function json<T>(value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  return JSON.parse(value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value) as T;
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${value}`);
  return n;
}

export function parseCli(argv: readonly string[]): FakeApiOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      scale: { type: 'string' },
      counts: { type: 'string' },
      'latency-ms': { type: 'string' },
      'rate-per-minute': { type: 'string' },
      'rate-per-hour': { type: 'string' },
      'minute-window-ms': { type: 'string' },
      'hour-window-ms': { type: 'string' },
      'endpoint-window-scale': { type: 'string' },
      'no-rate-limits': { type: 'boolean' },
      'lookup-before-scope': { type: 'boolean' },
      tokens: { type: 'string' },
      faults: { type: 'string' },
      'cache-mb': { type: 'string' },
      today: { type: 'string' },
    },
  });
  if (values.help) return 'help';
  let rateLimits: RateLimitOptions | false = {
    perMinute: { requests: int('rate-per-minute', values['rate-per-minute']) ?? DEFAULT_PER_MINUTE.requests, windowMs: int('minute-window-ms', values['minute-window-ms']) ?? DEFAULT_PER_MINUTE.windowMs },
    perHour: { requests: int('rate-per-hour', values['rate-per-hour']) ?? DEFAULT_PER_HOUR.requests, windowMs: int('hour-window-ms', values['hour-window-ms']) ?? DEFAULT_PER_HOUR.windowMs },
    endpointWindowScale: int('endpoint-window-scale', values['endpoint-window-scale']) ?? 1,
  };
  if (values['no-rate-limits']) rateLimits = false;
  const faults = json<NonNullable<FakeApiOptions['faults']>>(values.faults) ?? {};
  const latency = int('latency-ms', values['latency-ms']);
  const cacheMb = int('cache-mb', values['cache-mb']);
  return {
    port: int('port', values.port) ?? 0,
    host: values.host ?? '127.0.0.1',
    seed: int('seed', values.seed) ?? 42,
    scale: int('scale', values.scale) ?? 50,
    counts: json<Record<string, number>>(values.counts),
    tokens: json<NonNullable<FakeApiOptions['tokens']>>(values.tokens),
    lookupBeforeScope: values['lookup-before-scope'] ?? false,
    rateLimits,
    faults: latency ? { ...faults, latencyMs: latency } : faults,
    cacheChars: cacheMb === undefined ? undefined : cacheMb * 1024 * 1024,
    today: values.today,
  };
}

/** Starts the server and writes the one line announcing its URL. */
export async function runCli(argv: readonly string[], write: (line: string) => void): Promise<FakeApi | undefined> {
  const options = parseCli(argv);
  if (options === 'help') {
    write(USAGE);
    return undefined;
  }
  const api = await startFakeApi(options);
  write(JSON.stringify({ url: api.url }));
  return api;
}
