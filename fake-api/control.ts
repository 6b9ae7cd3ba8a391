/**
 * The control endpoints, under /__fake/ (a path the connector never calls), for tests and benchmarks
 * that run the server in another process:
 *   GET  /__fake/stats[?log=N]           counters and the last N log entries (default 1000)
 *   POST /__fake/faults                  body: a FaultConfig (replaces the current one)
 *   POST /__fake/reset-stats             counters and log back to zero
 *   POST /__fake/reset-rate-limits       every rate window emptied
 *   GET  /__fake/expected/{stream}?secrets=1&raw=1   the stream's records, one JSON per line
 *   POST /__fake/advance?hours=N         the account moves on N simulated hours, with churn (churn.ts)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExpectedOptions } from './data/dataset.js';
import type { JsonObject } from './data/types.js';
import type { FaultConfig } from './faults.js';
import { sendJson } from './handler.js';
import type { StatsSnapshot } from './stats.js';

export interface ControlApi {
  stats(logTail: number): StatsSnapshot;
  setFaults(config: FaultConfig): void;
  resetStats(): void;
  resetRateLimits(): void;
  advance(hours: number): number;
  hasStream(name: string): boolean;
  expected(stream: string, options: ExpectedOptions): Iterable<JsonObject>;
}

const MAX_BODY = 1 << 20;

export async function handleControl(api: ControlApi, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  if (route === 'GET /__fake/stats') {
    const tail = Number(url.searchParams.get('log') ?? 1000);
    return sendJson(res, 200, api.stats(Number.isFinite(tail) && tail >= 0 ? tail : 1000));
  }
  if (route === 'POST /__fake/faults') {
    let config: FaultConfig;
    try {
      config = JSON.parse(await readBody(req)) as FaultConfig;
    } catch (err) {
      return sendJson(res, 400, { id: 'bad_request', message: `fault config: ${(err as Error).message}` });
    }
    api.setFaults(config);
    return sendJson(res, 200, { ok: true });
  }
  if (route === 'POST /__fake/reset-stats') {
    api.resetStats();
    return sendJson(res, 200, { ok: true });
  }
  if (route === 'POST /__fake/reset-rate-limits') {
    api.resetRateLimits();
    return sendJson(res, 200, { ok: true });
  }
  if (route === 'POST /__fake/advance') {
    const hours = Number(url.searchParams.get('hours') ?? 1);
    if (!Number.isInteger(hours) || hours < 0 || hours > 100_000) return sendJson(res, 400, { id: 'bad_request', message: 'hours: an integer from 0 to 100000' });
    return sendJson(res, 200, { hour: api.advance(hours) });
  }
  const expected = /^GET \/__fake\/expected\/(\w+)$/.exec(route);
  if (expected && api.hasStream(expected[1])) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const options = { withSecrets: url.searchParams.get('secrets') === '1', raw: url.searchParams.get('raw') === '1' };
    for (const record of api.expected(expected[1], options)) {
      // Respect backpressure: a million records must not pile up in memory.
      if (!res.write(`${JSON.stringify(record)}\n`)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
    return;
  }
  sendJson(res, 404, { id: 'not_found', message: `no control endpoint ${route}` });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
