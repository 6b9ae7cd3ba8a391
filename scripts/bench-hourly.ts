/**
 * Scenario 6 of `npm run bench` (issue 23): an hourly posture sync, every stream selected, incremental
 * where offered, against the fake API under DigitalOcean's limits (time-compressed), with the account
 * churning hour by hour (fake-api/churn.ts).
 *  - The first sync of the account, repeated hour after hour until nothing is left due: syncs and
 *    requests, each sync within the request budget.
 *  - Then 24 hourly syncs: requests of each, 429s, and staleness: every hour, the deduplicated view of
 *    each planned child stream (the README's current-set rule) is compared with the fake's truth,
 *    parent by parent; a parent whose rows differ is stale since the first hour they differed, and no
 *    stream may be stale as long as its bound.
 *  - Derived streams: their view equal to the truth (what an exhaustive read returns) at every hour.
 *  - Peak RSS of the connector and the largest state message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TOKENS, startFakeApi, type FakeApiOptions } from '../fake-api/server.js';
import { boundOf, DEFAULT_PLAN_OPTIONS } from '../src/engine/plan.js';
import { injectsListedAt } from '../src/streams/freshness.js';
import { findStream, STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';
import type { ReadOptions, RunResult } from './bench.js';

interface Deps {
  runRead(url: string, streams: string[], config: Record<string, unknown>, env: Record<string, string>, options?: ReadOptions): Promise<RunResult>;
  realistic: FakeApiOptions['counts'];
  doLimits(scale: number): FakeApiOptions['rateLimits'];
  names: string[];
  outDir: string;
}

/** Counts that grow with the fleet; the others (one registry, the regions, two years of invoices) do not. */
const GROWS = ['droplet_autoscale_pools', 'kubernetes_clusters', 'apps', 'functions_namespaces', 'database_clusters', 'volumes', 'domains', 'projects', 'uptime_checks'];

type Row = Record<string, unknown>;

/** Planned rows whose records carry the listing time: the current-set rule applies to them. */
function ruled(): StreamDef[] {
  return STREAMS.filter((def) => !def.transport && injectsListedAt(def) && def.parent && findStream(def.parent.stream)?.parent === undefined);
}

const parentKeyOfChild = (def: StreamDef, r: Row): string => JSON.stringify(Object.keys(def.parent!.keys).map((k) => r[k]));
const parentKeyOfParent = (def: StreamDef, p: Row): string => JSON.stringify(Object.values(def.parent!.keys).map((f) => f.split('.').reduce<unknown>((n, part) => (n as Row | undefined)?.[part], p)));
/** The dedup key: the primary key, or the whole record (listing time aside) for a stream without one. */
const pkOf = (def: StreamDef, r: Row): string => {
  if (def.primaryKey.length > 0) return JSON.stringify(def.primaryKey.map((k) => r[k]));
  const { _parent_listed_at: _, ...rest } = r;
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
};

export async function hourlyPosture(droplets: number, deps: Deps): Promise<void> {
  const factor = droplets / 1000;
  const counts: Record<string, number> = { ...(deps.realistic as Record<string, number>) };
  for (const name of GROWS) if (counts[name] !== undefined) counts[name] = Math.round(counts[name] * factor);
  const scale = 0.01; // a minute lasts 0.6 s, an hour 36 s
  const api = await startFakeApi({ seed: 3, scale: droplets, counts, rateLimits: deps.doLimits(scale), cacheChars: 16 * 1024 * 1024 });
  const hourMs = 3_600_000 * scale;
  const base = Math.ceil(Date.now() / hourMs) * hourMs;
  const rules = ruled();
  const byName = new Map(rules.map((def) => [def.name, def]));
  const parentNames = new Set(rules.map((def) => def.parent!.stream));
  const collect = new Set([...byName.keys(), ...parentNames]);
  const tables = new Map(rules.map((def) => [def.name, new Map<string, Row>()]));
  // The current rows of each parent stream in the destination: a full-refresh parent is this sync's
  // records; an incremental one (with a cursor) accumulates, deduplicated on its primary key.
  const parentTables = new Map([...parentNames].map((n) => [n, new Map<string, Row>()]));
  const staleSince = new Map(rules.map((def) => [def.name, new Map<string, number>()]));
  let state: unknown[] | undefined;
  let hour = 0;
  const log: string[] = [];
  const say = (line: string): void => {
    log.push(line);
    console.log(line);
  };
  const sync = async (): Promise<{ run: RunResult; requests: number; r429: number; byStream: Record<string, number>; parents: Map<string, Row[]> }> => {
    api.resetStats();
    api.resetRateLimits(); // an hour has passed since the last sync: the fake's hourly window is empty again
    const parents = new Map<string, Row[]>([...parentNames].map((n) => [n, []]));
    const run = await deps.runRead(api.url, deps.names, {}, { SOURCE_DIGITALOCEAN_TIME_SCALE: String(scale), SOURCE_DIGITALOCEAN_CLOCK_START: String(base + hour * hourMs) }, {
      incremental: true,
      state,
      collect,
      onRecord: (stream, data) => {
        const table = tables.get(stream);
        const def = byName.get(stream);
        if (table && def) table.set(pkOf(def, data), data);
        parents.get(stream)?.push(data);
      },
    });
    state = run.states;
    for (const [name, rows] of parents) {
      const def = findStream(name);
      const table = parentTables.get(name)!;
      if (!def?.cursor) table.clear();
      for (const row of rows) table.set(def ? pkOf(def, row) : JSON.stringify(row), row);
      parents.set(name, [...table.values()]);
    }
    const stats = api.stats(0);
    return { run, requests: stats.requests, r429: stats.byStatus['429'] ?? 0, byStream: stats.byStream, parents };
  };
  const top = (byStream: Record<string, number>): string =>
    Object.entries(byStream)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([n, c]) => `${n} ${c}`)
      .join(', ');

  // 1. The first sync, continued hour after hour until the picture is complete.
  const first: { requests: number; r429: number }[] = [];
  let peak = 0;
  let largestState = 0;
  for (;;) {
    const { run, requests, r429, byStream } = await sync();
    first.push({ requests, r429 });
    peak = Math.max(peak, run.peakRssMb);
    largestState = Math.max(largestState, run.largestState);
    say(`[${droplets}] first sync, part ${first.length} (hour ${hour}): ${requests} requests, ${r429} × 429, exit ${run.code}, ${run.records} records, ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${Math.round(run.peakRssMb)} MB; most: ${top(byStream)}`);
    hour++;
    api.advance(1);
    if (!run.leftDue || first.length >= 30) break;
  }

  // 2. A day of hourly syncs, with churn, each checked against the truth.
  const hourly: { requests: number; r429: number }[] = [];
  const worst = new Map<string, number>();
  let derivedEqual = true;
  for (let i = 0; i < 24; i++) {
    const { run, requests, r429, byStream, parents } = await sync();
    hourly.push({ requests, r429 });
    peak = Math.max(peak, run.peakRssMb);
    largestState = Math.max(largestState, run.largestState);
    const stale: string[] = [];
    for (const def of rules) {
      const bound = boundOf(def, def.freshness!, DEFAULT_PLAN_OPTIONS);
      const view = currentView(def, tables.get(def.name)!, parents.get(def.parent!.stream) ?? [], bound, hourMs);
      const truth = new Map<string, Set<string>>();
      for (const r of api.account.expectedRecords(def.name)) {
        const key = parentKeyOfChild(def, r);
        const set = truth.get(key) ?? new Set<string>();
        set.add(fingerprint(def, r));
        truth.set(key, set);
      }
      const since = staleSince.get(def.name)!;
      let maxAge = 0;
      for (const key of new Set([...view.keys(), ...truth.keys()])) {
        const a = view.get(key);
        const b = truth.get(key);
        const same = a !== undefined && b !== undefined && a.size === b.size && [...a].every((x) => b.has(x));
        if (same) {
          since.delete(key);
          continue;
        }
        // A parent whose list became empty can only age out of the view (no row can say "none").
        if (def.freshness?.kind === 'derived' && b !== undefined) derivedEqual = false;
        const from = since.get(key) ?? hour;
        since.set(key, from);
        maxAge = Math.max(maxAge, hour - from);
      }
      for (const key of since.keys()) if (!view.has(key) && !truth.has(key)) since.delete(key);
      worst.set(def.name, Math.max(worst.get(def.name) ?? 0, maxAge));
      if (maxAge >= bound) stale.push(`${def.name} ${maxAge} h (bound ${bound} h)`);
    }
    say(`[${droplets}] hour ${hour}: ${requests} requests, ${r429} × 429, exit ${run.code}, ${(run.wallMs / 1000).toFixed(1)} s; most: ${top(byStream)}; past their bound: ${stale.length === 0 ? 'none' : stale.join(', ')}`);
    hour++;
    api.advance(1);
  }
  const max = (xs: number[]): number => Math.max(0, ...xs);
  const over = rules.filter((def) => (worst.get(def.name) ?? 0) >= boundOf(def, def.freshness!, DEFAULT_PLAN_OPTIONS));
  const summary = [
    `[${droplets}] first sync: complete after ${first.length} sync(s), ${first.reduce((a, b) => a + b.requests, 0)} requests in all, at most ${max(first.map((f) => f.requests))} in one; ${first.reduce((a, b) => a + b.r429, 0)} × 429`,
    `[${droplets}] 24 hourly syncs: requests max ${max(hourly.map((h) => h.requests))}, mean ${Math.round(hourly.reduce((a, b) => a + b.requests, 0) / hourly.length)}; ${hourly.reduce((a, b) => a + b.r429, 0)} × 429; streams ever stale past their bound: ${over.length === 0 ? 'none' : over.map((d) => d.name).join(', ')}`,
    `[${droplets}] worst staleness (hours, bound): ${rules.filter((d) => (worst.get(d.name) ?? 0) > 0).map((d) => `${d.name} ${worst.get(d.name)}/${boundOf(d, d.freshness!, DEFAULT_PLAN_OPTIONS)}`).join(', ') || 'none stale'}`,
    `[${droplets}] derived streams equal to the truth (an exhaustive read) at every hour, for every parent that has rows: ${derivedEqual ? 'yes' : 'NO'}`,
    `[${droplets}] peak RSS ${Math.round(peak)} MB; largest state message ${(largestState / 1024).toFixed(0)} KiB`,
  ];
  for (const line of summary) say(line);
  writeFileSync(join(deps.outDir, `bench-hourly-${droplets}.txt`), `${log.join('\n')}\n`);
  await api.close();
}

/**
 * What identifies a row's version: the whole record for derived rows (they must equal the API's), the
 * primary key for the others (secrets are stripped from emitted rows, never from the truth).
 */
function fingerprint(def: StreamDef, r: Row): string {
  if (def.freshness?.kind !== 'derived') return pkOf(def, r);
  const { _parent_listed_at: _, ...rest } = r;
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
}

/** The README's current-set rule over a deduplicated table, per parent key. */
function currentView(def: StreamDef, table: Map<string, Row>, parents: readonly Row[], bound: number, hourMs: number): Map<string, Set<string>> {
  const alive = new Set(parents.map((p) => parentKeyOfParent(def, p)));
  const latest = new Map<string, string>();
  let newest = '';
  for (const r of table.values()) {
    const at = String(r._parent_listed_at);
    const key = parentKeyOfChild(def, r);
    if ((latest.get(key) ?? '') < at) latest.set(key, at);
    if (newest < at) newest = at;
  }
  const oldest = new Date(Date.parse(newest) - bound * hourMs).toISOString();
  const view = new Map<string, Set<string>>();
  for (const r of table.values()) {
    const key = parentKeyOfChild(def, r);
    if (!alive.has(key) || r._parent_listed_at !== latest.get(key) || String(r._parent_listed_at) < oldest) continue;
    const set = view.get(key) ?? new Set<string>();
    set.add(fingerprint(def, r));
    view.set(key, set);
  }
  return view;
}
