import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, runCli } from '../../fake-api/cli.js';
import { get } from './fixtures/http.js';

t.test('flags map to options', async (t) => {
  const dir = t.testdir({});
  const faults = join(dir, 'faults.json');
  writeFileSync(faults, JSON.stringify({ rules: [{ times: 1, fault: { kind: 'status', status: 503 } }] }));
  const options = parseCli([
    '--port', '0', '--seed', '9', '--scale', '1000', '--latency-ms', '15', '--rate-per-minute', '25', '--minute-window-ms', '6000',
    '--rate-per-hour', '500', '--hour-window-ms', '360000', '--endpoint-window-scale', '0.1', '--lookup-before-scope',
    '--tokens', '{"tok":["droplet:read"]}', '--faults', `@${faults}`, '--counts', '{"domains":2}', '--cache-mb', '8',
  ]);
  t.match(options, {
    port: 0,
    host: '127.0.0.1',
    seed: 9,
    scale: 1000,
    lookupBeforeScope: true,
    tokens: { tok: ['droplet:read'] },
    counts: { domains: 2 },
    cacheChars: 8 * 1024 * 1024,
    rateLimits: { perMinute: { requests: 25, windowMs: 6000 }, perHour: { requests: 500, windowMs: 360000 }, endpointWindowScale: 0.1 },
    faults: { latencyMs: 15, rules: [{ times: 1 }] },
  });
  t.match(parseCli(['--no-rate-limits']), { rateLimits: false, seed: 42, scale: 50 });
  t.match(parseCli(['--today', '2025-06-01']), { today: '2025-06-01' });
  t.equal((parseCli([]) as { today?: string }).today, undefined, 'no --today: the clock decides');
  t.equal(parseCli(['--help']), 'help');
  t.throws(() => parseCli(['--scale', 'lots']), /--scale must be a number/);
  t.throws(() => parseCli(['--unknown']));
});

t.test('runCli prints one line with the URL, and the server answers there', async (t) => {
  const lines: string[] = [];
  const api = await runCli(['--seed', '3', '--scale', '5'], (line) => lines.push(line));
  if (!api) throw new Error('no server');
  t.teardown(() => api.close());
  t.equal(lines.length, 1);
  const announced = JSON.parse(lines[0]) as { url: string };
  t.match(announced.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal(announced.url, api.url);
  const droplets = await get(api, '/v2/droplets');
  t.equal((droplets.json.droplets as unknown[]).length, 5);
  const help: string[] = [];
  t.equal(await runCli(['--help'], (line) => help.push(line)), undefined);
  t.match(help[0], /^usage:/);
});
