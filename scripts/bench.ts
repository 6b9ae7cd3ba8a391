/**
 * `npm run bench`: how fast a sync is, measured the ways that matter for DigitalOcean — requests made
 * against the lower bound, wall time against the latency and rate-limit bounds, records per second
 * against a bare parse+serialise loop, and peak memory — all with the built CLI as a separate process.
 * Prints one table and writes it as JSON to bench-results/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TOKENS, startFakeApi, type FakeApi, type FakeApiOptions } from '../fake-api/server.js';
import { dateWindows } from '../src/engine/partitions.js';
import { PER_PAGE } from '../src/http/paginate.js';
import { packageRoot } from '../src/paths.js';
import { STREAMS, findStream } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';
import { cursorOf } from '../src/streams/freshness.js';
import { hourlyPosture } from './bench-hourly.js';

/** Offered in incremental mode: a cursor of its own, or a freshness class (the listing time). */
const offersIncremental = (name: string): boolean => {
  const def = findStream(name);
  return def !== undefined && cursorOf(def) !== undefined;
};

const CLI = fileURLToPath(new URL('../src/main.js', import.meta.url));
const root = packageRoot();
const outDir = join(root, 'bench-results');
mkdirSync(outDir, { recursive: true });

export interface RunResult {
  /** The last STATE message of each stream, to start the next (incremental) run from. */
  states: unknown[];
  wallMs: number;
  records: number;
  recordBytes: number;
  peakRssMb: number;
  code: number | null;
  /** Bytes of the largest STATE line. */
  largestState: number;
  /** A planned stream said some parents were never read yet (the first sync is not complete). */
  leftDue: boolean;
}

/** Runs one read with the built CLI; counts records and bytes as they stream, polls peak RSS. */
export interface ReadOptions {
  /** Read streams that support it incrementally (the others in full), from `state` if given. */
  incremental?: boolean;
  state?: unknown[];
  /** Streams whose records are parsed and handed to `onRecord` (the others are only counted). */
  collect?: ReadonlySet<string>;
  onRecord?(stream: string, data: Record<string, unknown>): void;
}

export function runRead(url: string, streams: string[], config: Record<string, unknown>, env: Record<string, string>, options: ReadOptions = {}): Promise<RunResult> {
  const dir = join(outDir, 'inputs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ api_token: DEFAULT_TOKENS.readOnly, api_url: url, ...config }));
  const mode = (name: string): string => (options.incremental && offersIncremental(name) ? 'incremental' : 'full_refresh');
  writeFileSync(
    join(dir, 'catalog.json'),
    JSON.stringify({
      streams: streams.map((name) => ({ stream: { name }, sync_mode: mode(name), destination_sync_mode: mode(name) === 'incremental' ? 'append' : 'overwrite' })),
    }),
  );
  const args = ['read', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'catalog.json')];
  if (options.state) {
    writeFileSync(join(dir, 'state.json'), JSON.stringify(options.state));
    args.push('--state', join(dir, 'state.json'));
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let records = 0;
    let recordBytes = 0;
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        /* the process has ended */
      }
    }, 50);
    // Counted on raw bytes, never decoded: the reader must cost far less than the connector it measures.
    const marker = Buffer.from('{"type":"RECORD"');
    const stateMarker = Buffer.from('{"type":"STATE"');
    const collect = options.collect;
    let largestState = 0;
    let leftDue = false;
    const logMarker = Buffer.from('{"type":"LOG"');
    const states = new Map<string, unknown>();
    let carry: Buffer = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        if (buf.compare(marker, 0, marker.length, start, start + marker.length) === 0) {
          records++;
          recordBytes += nl - start + 1;
          if (collect && options.onRecord) {
            // The stream name is the record's first field: parse only the lines of collected streams.
            const head = buf.toString('utf8', start, Math.min(nl, start + 120));
            const name = /"stream":"([a-z0-9_]+)"/.exec(head)?.[1];
            if (name && collect.has(name)) {
              const message = JSON.parse(buf.toString('utf8', start, nl)) as { record: { data: Record<string, unknown> } };
              options.onRecord(name, message.record.data);
            }
          }
        } else if (buf.compare(logMarker, 0, logMarker.length, start, start + logMarker.length) === 0) {
          const text = buf.toString('utf8', start, nl);
          // The first sync is complete once every parent has been read once: what is merely due is the rotation.
          if (/never read yet/.test(text)) leftDue = true;
          if (process.env.BENCH_LOG && /Plan:|stay due|due for the next/.test(text)) console.log(`    ${text.slice(0, 600)}`);
        } else if (buf.compare(stateMarker, 0, stateMarker.length, start, start + stateMarker.length) === 0) {
          largestState = Math.max(largestState, nl - start);
          const message = JSON.parse(buf.subarray(start, nl).toString('utf8')) as { state: { stream: { stream_descriptor: { name: string } } } };
          states.set(message.state.stream.stream_descriptor.name, message.state);
        }
        start = nl + 1;
      }
      carry = buf.subarray(start);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ states: [...states.values()], wallMs: performance.now() - started, records, recordBytes, peakRssMb: peakKb / 1024, code, largestState, leftDue });
    });
  });
}

/** Fewest requests any connector needs: one per page of every list, per admitted parent, parents once. */
function lowerBound(api: FakeApi, streams: readonly StreamDef[]): number {
  let total = 0;
  const partitionsOf = (def: StreamDef): Map<string, number> => {
    const counts = new Map<string, number>();
    const link = def.parent;
    if (!link) {
      counts.set('', api.account.count(def.name));
      return counts;
    }
    for (const parent of api.account.expectedRecords(link.stream)) {
      if (link.filter && !link.filter.values.includes(String(parent[link.filter.field]))) continue;
      counts.set(JSON.stringify(Object.values(link.keys).map((f) => parent[f])), 0);
    }
    for (const child of api.account.expectedRecords(def.name)) {
      const key = JSON.stringify(Object.entries(link.keys).map(([injected]) => child[injected]));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  for (const def of streams) {
    const paged = def.pagination !== 'none';
    if (def.dateWindows) {
      // The API takes at most maxDays per request: every window is a request series of its own.
      const windows = [...dateWindows(def, undefined, Date.now())].map((w) => ({ from: w[def.dateWindows!.start], to: w[def.dateWindows!.end], n: 0 }));
      for (const record of api.account.expectedRecords(def.name)) {
        const day = String(record[def.cursor?.field ?? 'start_date']).slice(0, 10);
        const window = windows.find((w) => day >= w.from && day <= w.to);
        if (window) window.n++;
      }
      // (billing insights: one account, so one series of windows)
      total += windows.reduce((sum, w) => sum + Math.max(1, Math.ceil(w.n / PER_PAGE)), 0);
      continue;
    }
    // A hinted row (ParentLink.hint) needs no request for a parent proven empty. The list a namedBy hint
    // reads is a stream of the table, counted as such (every stream is selected here).
    const hint = def.parent?.hint;
    for (const n of partitionsOf(def).values()) {
      if (hint && n === 0) continue;
      total += paged ? Math.max(1, Math.ceil(n / PER_PAGE)) : 1;
    }
    // Each further part of a list asked for separately (GPU Droplets; none in this account) is a request.
    total += (def.variants?.length ?? 1) - 1;
  }
  return total;
}

/** Longest chain of requests that must happen one after another (parent → child → grandchild). */
function chainDepth(streams: readonly StreamDef[]): number {
  let depth = 1;
  for (const def of streams) {
    let d = 1;
    for (let p = def.parent; p; p = findStream(p.stream)?.parent) d++;
    depth = Math.max(depth, d);
  }
  return depth;
}

interface Row {
  scenario: string;
  records: number;
  requests: number;
  lowerBound: number;
  wallS: number;
  boundS: number;
  vsBound: number;
  recordsPerS: number;
  mbPerS: number;
  peakRssMb: number;
  answered429: number;
  note: string;
}

const rows: Row[] = [];
const fanOut: FakeApiOptions['counts'] = { database_clusters: 120, domains: 150, registries: 8 };
// The API v2 rows: the benchmark's fake account has no Spaces key configured (S3 rows need one).
const API_STREAMS = STREAMS.filter((s) => !s.transport);
const names = API_STREAMS.map((s) => s.name);

/** A table row for a sync against the fake API, its wall time compared with `boundS`. */
function rowOf(scenario: string, run: RunResult, api: FakeApi, bound: number, boundS: number, note: string, stats = api.stats(0)): Row {
  const wallS = run.wallMs / 1000;
  return {
    scenario,
    records: run.records,
    requests: stats.requests,
    lowerBound: bound,
    wallS,
    boundS,
    vsBound: wallS / boundS,
    recordsPerS: run.records / wallS,
    mbPerS: run.recordBytes / 1e6 / wallS,
    peakRssMb: run.peakRssMb,
    answered429: stats.byStatus['429'] ?? 0,
    note: `exit ${run.code}; ${note}`,
  };
}

async function scenarioLatency(concurrency: number): Promise<Row> {
  const latencyMs = 50;
  const api = await startFakeApi({ seed: 3, scale: 600, counts: fanOut, rateLimits: false, faults: { latencyMs } });
  try {
    const bound = lowerBound(api, API_STREAMS);
    // Compressed time lifts the connector's own pacing: this scenario has no rate limit.
    const run = await runRead(api.url, names, { max_concurrency: concurrency }, { SOURCE_DIGITALOCEAN_TIME_SCALE: '0.0001' });
    const stats = api.stats(0);
    const criticalS = (Math.max(Math.ceil(stats.requests / concurrency), chainDepth(API_STREAMS)) * latencyMs) / 1000;
    return rowOf(`1. fan-out, ${latencyMs} ms latency, max_concurrency=${concurrency}`, run, api, bound, criticalS, 'bound = latency critical path');
  } finally {
    await api.close();
  }
}

async function scenarioRateLimited(): Promise<Row> {
  const windowMs = 6_000; // DigitalOcean's minute, compressed tenfold
  const api = await startFakeApi({
    seed: 3,
    scale: 600,
    counts: fanOut,
    rateLimits: { perMinute: { requests: 250, windowMs }, perHour: { requests: 5_000, windowMs: 360_000 }, endpointWindowScale: 0.1 },
  });
  try {
    const bound = lowerBound(api, API_STREAMS);
    const run = await runRead(api.url, names, { max_concurrency: 8, requests_per_minute: 250 }, { SOURCE_DIGITALOCEAN_TIME_SCALE: '0.1' });
    const stats = api.stats(0);
    // 250 per (compressed) minute, and no more than 5,000 in any (compressed) hour: past 5,000 requests
    // the rest waits for the first ones to leave the hourly window.
    const perMinuteS = (n: number): number => (n / 250) * (windowMs / 1000);
    const rateBoundS = stats.requests <= 5_000 ? perMinuteS(stats.requests) : 360 * Math.floor(stats.requests / 5_000) + perMinuteS(stats.requests % 5_000);
    return rowOf('2. same account, 250 requests per 6 s enforced', run, api, bound, rateBoundS, 'bound = requests / allowed rate (250 per 6 s, 5,000 per 360 s)');
  } finally {
    await api.close();
  }
}

/**
 * Scenario 3 needs a server faster than the connector: 50 distinct pages of real fake-API droplets are
 * rendered once and served round-robin (only the links differ), so a million records cost the server
 * almost nothing.
 */
async function scenarioThroughput(total: number): Promise<Row[]> {
  const api = await startFakeApi({ seed: 3, scale: PER_PAGE * 50, rateLimits: false });
  const droplets = [...api.account.expectedRecords('droplets', { raw: true })];
  await api.close();
  const distinct = Array.from({ length: 50 }, (_, k) => JSON.stringify(droplets.slice(k * PER_PAGE, (k + 1) * PER_PAGE)));
  const pages = Math.ceil(total / PER_PAGE);
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.searchParams.get('type') === 'gpus') {
      // This account has no GPU Droplet: the second part of the Droplet list is empty.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"droplets":[],"links":{},"meta":{"total":0}}');
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/droplets?per_page=${PER_PAGE}`;
    const links = page < pages ? `{"pages":{"next":"${base}&page=${page + 1}","last":"${base}&page=${pages}"}}` : '{}';
    const body = `{"droplets":${distinct[(page - 1) % distinct.length]},"links":${links},"meta":{"total":${total}}}`;
    res.writeHead(200, { 'content-type': 'application/json', 'ratelimit-limit': '5000', 'ratelimit-remaining': '4999' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const run = await runRead(url, ['droplets'], { max_concurrency: 8 }, { SOURCE_DIGITALOCEAN_TIME_SCALE: '0.0001' });
    // The floor any Node connector pays: parse each page, serialise each record, in this process.
    const floorStart = performance.now();
    let floorRecords = 0;
    for (let p = 0; p < Math.min(pages, 500); p++) {
      const parsed = JSON.parse(`{"droplets":${distinct[p % distinct.length]}}`) as { droplets: unknown[] };
      for (const record of parsed.droplets) {
        JSON.stringify({ type: 'RECORD', record: { stream: 'droplets', data: record, emitted_at: 0 } });
        floorRecords++;
      }
    }
    const floorPerS = floorRecords / ((performance.now() - floorStart) / 1000);
    const perS = run.records / (run.wallMs / 1000);
    return [
      {
        scenario: `3. ${total.toLocaleString('en')} droplets, no latency`,
        records: run.records,
        requests,
        lowerBound: pages + 1, // and the empty GPU part
        wallS: run.wallMs / 1000,
        boundS: total / floorPerS,
        vsBound: perS / floorPerS,
        recordsPerS: perS,
        mbPerS: run.recordBytes / 1e6 / (run.wallMs / 1000),
        peakRssMb: run.peakRssMb,
        answered429: 0,
        note: `exit ${run.code}; bound = bare JSON.parse+stringify at ${Math.round(floorPerS).toLocaleString('en')} records/s; vs = throughput ratio`,
      },
    ];
  } finally {
    server.close();
  }
}

/**
 * A realistic account of 1,000 Droplets: the fake API's other counts derive from the scale for stress,
 * so here they are set to what such an account plausibly has (one registry, as DigitalOcean allows).
 */
export const REALISTIC: FakeApiOptions['counts'] = {
  droplet_autoscale_pools: 10, kubernetes_clusters: 10, apps: 30, functions_namespaces: 5, database_clusters: 30,
  volumes: 300, domains: 30, registries: 1, projects: 10, uptime_checks: 30, genai_evaluation_test_cases: 5,
  // Parents of the newer streams, at what one account has: DigitalOcean's ~14 regions (NFS is listed per
  // region), two years of invoices, a scan a week for two months, and a few of each AI and network resource.
  regions: 14, invoices: 24, security_scans: 8, vector_databases: 2, genai_agents: 5, genai_knowledge_bases: 5,
  genai_workspaces: 2, partner_network_connect_attachments: 2, byoip_prefixes: 1, dedicated_inferences: 2,
};

/** DigitalOcean's limits (250 a minute, 5,000 an hour), time compressed by `scale` on both sides. */
function doLimits(scale: number): FakeApiOptions['rateLimits'] {
  return { perMinute: { requests: 250, windowMs: 60_000 * scale }, perHour: { requests: 5_000, windowMs: 3_600_000 * scale }, endpointWindowScale: scale };
}

/** Requests per stream of the last scenario 4 run. */
let lastByStream: Record<string, number> = {};

/**
 * Scenario 4b's requests split by sync mode. A stream the contract (streams.tsv) offers in full refresh
 * only is read whole by every sync, incremental or not: those requests are the floor of an incremental
 * sync, whatever the connector does. The incremental streams are where 4b can save.
 */
interface IncrementalSplit {
  fullRefreshOnly: number;
  incrementalIn4a: number;
  incrementalIn4b: number;
  largestFullRefresh: [string, number][];
}
let incrementalSplit: IncrementalSplit | undefined;

function splitByMode(full: Record<string, number>, incremental: Record<string, number>): IncrementalSplit {
  const sum = (counts: Record<string, number>, pick: (def: StreamDef | undefined) => boolean): number =>
    Object.entries(counts).reduce((total, [name, n]) => total + (pick(findStream(name)) ? n : 0), 0);
  const hasCursor = (def: StreamDef | undefined): boolean => def?.cursor !== undefined;
  return {
    fullRefreshOnly: sum(incremental, (def) => !hasCursor(def)),
    incrementalIn4a: sum(full, hasCursor),
    incrementalIn4b: sum(incremental, hasCursor),
    largestFullRefresh: Object.entries(incremental)
      .filter(([name]) => !hasCursor(findStream(name)))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4),
  };
}

/** Scenario 4: the realistic account, a full sync and then an hourly incremental one from its state. */
async function scenarioRealistic(): Promise<Row[]> {
  // A minute lasts 12 s. Compression magnifies the connector's own CPU time (not compressed) by 1/scale
  // in the projection, so it is kept mild.
  const scale = 0.2;
  const api = await startFakeApi({ seed: 3, scale: 1000, counts: REALISTIC, rateLimits: doLimits(scale) });
  const env = { SOURCE_DIGITALOCEAN_TIME_SCALE: String(scale) };
  const rows: Row[] = [];
  try {
    const bound = lowerBound(api, API_STREAMS);
    const rpm = 240; // the default requests_per_minute
    const rowFor = (label: string, run: RunResult): Row => {
      const stats = api.stats(0);
      lastByStream = stats.byStream;
      const realMinutes = run.wallMs / scale / 60_000;
      const boundS = (stats.requests / rpm) * 60 * scale;
      return rowOf(label, run, api, bound, boundS, `projected real time ${realMinutes.toFixed(1)} min; bound = requests at ${rpm}/min (a minute = ${60 * scale} s)`);
    };
    // The first sync of a connection: incremental streams in incremental mode but without a state read
    // every record, exactly as full refresh does (same requests), and leave the state 4b starts from.
    const full = await runRead(api.url, names, {}, env, { incremental: true });
    rows.push(rowFor('4a. realistic 1,000 Droplets, full (first) sync, default config, DigitalOcean limits', full));
    api.resetStats();
    api.resetRateLimits();
    // An hour later, 2% of the parents have changed: their change hints (backup_ids, snapshot_ids) no
    // longer match the digests 4a saved. Altering one saved digest in 50 has exactly that effect.
    let altered = 0;
    const state = full.states.map((message) => {
      const copy = JSON.parse(JSON.stringify(message)) as { stream: { stream_state: Record<string, unknown> } };
      const digests = copy.stream.stream_state.parent_digests as Record<string, string> | undefined;
      Object.keys(digests ?? {}).forEach((key, i) => {
        if (digests && i % 50 === 0) {
          digests[key] = 'changed';
          altered++;
        }
      });
      // A planned stream's slots (src/state/rotation.ts) carry the digest after the hour.
      const slots = copy.stream.stream_state.parent_reads as Record<string, string> | undefined;
      Object.keys(slots ?? {}).forEach((key, i) => {
        if (slots && i % 50 === 0 && slots[key].includes('.')) {
          slots[key] = `${slots[key].split('.')[0]}.changed000`;
          altered++;
        }
      });
      return copy;
    });
    const fullByStream = lastByStream;
    const incremental = await runRead(api.url, names, {}, env, { incremental: true, state });
    rows.push(rowFor(`4b. same account, hourly incremental from 4a's state, 2% of parents changed (${altered} digests)`, incremental));
    incrementalSplit = splitByMode(fullByStream, api.stats(0).byStream);
  } finally {
    await api.close();
  }
  return rows;
}

const SMALL_RUNS = 5;

/**
 * Median wall time of `node -e 0` here: the floor under every run of the CLI, and a gauge of how fast
 * the machine is at the moment (a shared VM's speed varies, and with it scenario 5's ratio).
 */
function bareNodeStartMs(): number {
  const times = Array.from({ length: 5 }, () => {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    return performance.now() - started;
  }).sort((a, b) => a - b);
  return times[2];
}

/** Scenario 5: a small account (about 100 requests) at 50 ms latency, real time, default config. */
async function scenarioSmall(concurrency?: number): Promise<Row> {
  const latencyMs = 50;
  const api = await startFakeApi({ seed: 3, scale: 4, counts: { database_clusters: 1, apps: 1, droplet_autoscale_pools: 1, uptime_checks: 1, kubernetes_clusters: 1, registries: 1, domains: 1 }, faults: { latencyMs } });
  try {
    const bound = lowerBound(api, API_STREAMS);
    const config = concurrency === undefined ? {} : { max_concurrency: concurrency };
    // An unmeasured first read fills the fake's answer cache: the fake builds each answer on first use,
    // and that CPU time (in this process) is no part of the 50 ms latency the scenario models.
    await runRead(api.url, names, config, {});
    // A second or so of wall time varies by a tenth from run to run on a shared machine: the row is the
    // run of median wall time among five.
    const runs: { run: RunResult; stats: ReturnType<FakeApi['stats']> }[] = [];
    for (let i = 0; i < SMALL_RUNS; i++) {
      api.resetStats();
      api.resetRateLimits();
      const run = await runRead(api.url, names, config, {});
      runs.push({ run, stats: api.stats() });
    }
    runs.sort((a, b) => a.run.wallMs - b.run.wallMs);
    const { run, stats } = runs[Math.floor(SMALL_RUNS / 2)];
    const c = concurrency ?? 8;
    const criticalS = (Math.max(Math.ceil(stats.requests / c), chainDepth(API_STREAMS)) * latencyMs) / 1000;
    const label = concurrency === undefined ? 'default config' : `max_concurrency=${concurrency}`;
    // Process start (Node, modules, schemas) is not network time: the server's log gives the span from
    // the first request's arrival to the last one's, plus one latency for its answer.
    const log = stats.log;
    const spanS = log.length > 0 ? ((log[log.length - 1].at - log[0].at) + latencyMs) / 1000 : 0;
    const walls = runs.map((r) => (r.run.wallMs / 1000).toFixed(2)).join(', ');
    return rowOf(`5. small account, ${latencyMs} ms latency, real time, ${label}`, run, api, bound, criticalS,
      `median of ${SMALL_RUNS} runs (wall s: ${walls}); bare Node start-up ${Math.round(bareNodeStartMs())} ms; its requests span ${spanS.toFixed(2)} s = ${(spanS / criticalS).toFixed(2)}x bound; bound = latency critical path at max_concurrency ${c}`, stats);
  } finally {
    await api.close();
  }
}

const only = process.argv.slice(2);
const want = (n: string): boolean => only.length === 0 || only.includes(n);
const fmt = (n: number, d = 2): string => n.toFixed(d);

if (want('1')) {
  rows.push(await scenarioLatency(8));
  rows.push(await scenarioLatency(1));
}
if (want('2')) rows.push(await scenarioRateLimited());
if (want('4')) rows.push(...(await scenarioRealistic()));
if (want('5')) {
  rows.push(await scenarioSmall());
  rows.push(await scenarioSmall(1));
}
if (want('3')) rows.push(...(await scenarioThroughput(Number(process.env.BENCH_RECORDS ?? 1_000_000))));
// Scenario 6 (issue 23): a day of hourly posture syncs at 1,000 and 10,000 Droplets; its own report.
if (only.includes('6')) for (const size of (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number)) await hourlyPosture(size, { runRead, realistic: REALISTIC, doLimits, names, outDir });

const header = ['scenario', 'records', 'requests', 'lower bound', 'req/bound', 'wall s', 'bound s', 'vs bound', 'records/s', 'MB/s', 'peak RSS MB', '429s'];
const lines = [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((r) =>
    `| ${r.scenario} | ${r.records} | ${r.requests} | ${r.lowerBound} | ${fmt(r.requests / r.lowerBound)} | ${fmt(r.wallS)} | ${fmt(r.boundS)} | ${fmt(r.vsBound)} | ${Math.round(r.recordsPerS)} | ${fmt(r.mbPerS)} | ${Math.round(r.peakRssMb)} | ${r.answered429} |`,
  ),
];
const one = rows.find((r) => r.scenario.includes('max_concurrency=8'));
const serial = rows.find((r) => r.scenario.includes('max_concurrency=1'));
if (one && serial) lines.push('', `Scenario 1 speed-up of max_concurrency=8 over 1: ${fmt(serial.wallS / one.wallS)}x`);
const small = rows.find((r) => r.scenario.startsWith('5.') && r.scenario.includes('default config'));
const smallSerial = rows.find((r) => r.scenario.startsWith('5.') && r.scenario.includes('max_concurrency=1'));
if (small && smallSerial) lines.push(`Scenario 5 speed-up of the default config over max_concurrency=1: ${fmt(smallSerial.wallS / small.wallS)}x`);
if (small) lines.push(`Scenario 5, default config: ${small.note}`);
const full4 = rows.find((r) => r.scenario.startsWith('4a.'));
const incr4 = rows.find((r) => r.scenario.startsWith('4b.'));
if (full4 && incr4) lines.push(`Scenario 4 incremental / full requests: ${fmt((100 * incr4.requests) / full4.requests, 1)}%`);
if (full4 && incr4 && incrementalSplit) {
  const split = incrementalSplit;
  lines.push(
    `Scenario 4b: ${split.fullRefreshOnly} of its ${incr4.requests} requests are streams offered in full refresh only, read whole by any sync ` +
      `(floor ${fmt((100 * split.fullRefreshOnly) / full4.requests, 1)}% of 4a; largest: ${split.largestFullRefresh.map(([name, n]) => `${name} ${n}`).join(', ')}); ` +
      `the incremental streams made ${split.incrementalIn4b} requests against ${split.incrementalIn4a} in 4a (${fmt((100 * split.incrementalIn4b) / Math.max(1, split.incrementalIn4a), 1)}%).`,
  );
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
lines.push('', `Machine: ${machine}`);
console.log(lines.join('\n'));
writeFileSync(join(outDir, 'bench.json'), JSON.stringify({ machine, rows }, null, 2));
