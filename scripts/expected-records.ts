/**
 * Writes the inputs of Airbyte's connector acceptance tests that derive from the stream table and the
 * fake account (seed 42, scale 5), by running the connector itself against the fake DigitalOcean API:
 *
 *   integration_tests/configured_catalog.json   every stream; incremental where the stream supports it
 *   integration_tests/expected_records.jsonl    every record a full read returns, sorted per stream
 *   integration_tests/abnormal_state.json       the read's final states, every cursor moved to 2999
 *   acceptance-test-config.yml                  the generated `empty_streams` block (between its markers)
 *
 *   npm run build && npm run generate:integration-tests
 *
 * Deterministic: the fake account's day is pinned (TODAY, and sample_config's start_date reaches back
 * before it), records are sorted, and emitted_at
 * (which the acceptance tests ignore) is a constant.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { startFakeApi } from '../fake-api/server.js';
import { runCli } from '../src/cli.js';
import { packageRoot } from '../src/paths.js';
import { ProtocolWriter } from '../src/protocol/writer.js';
import { cursorOf, injectsListedAt, LISTED_AT_FIELD } from '../src/streams/freshness.js';
import { SLOTS_KEY } from '../src/state/rotation.js';
import { STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';

export const SEED = 42;
export const SCALE = 5;
/** The fake account's billing data is dated relative to its day: pinned, so the records never drift. */
export const TODAY = '2025-06-01';
/** Any fixed instant: the acceptance tests compare `data` only. */
const EMITTED_AT = 1_735_689_600_000;
const FUTURE_DATETIME = '2999-12-31T23:59:59Z';
const FUTURE_INTEGER = 9_007_199_254_740_991;
const EMPTY_BEGIN = '# BEGIN generated empty_streams (npm run generate:integration-tests)';
const EMPTY_END = '# END generated empty_streams';

interface Line {
  type: string;
  record?: { stream: string; data: Record<string, unknown> };
  state?: { type: string; stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } };
  trace?: { type: string; error?: { message: string } };
}

/** Rows read with a Spaces key (S3) are left out: the acceptance config has none, so discover does not offer them. */
export function configuredCatalog(streams: readonly StreamDef[] = STREAMS.filter((def) => !def.transport)) {
  return {
    streams: streams.map((def) => ({
      stream: {
        name: def.name,
        json_schema: {},
        supported_sync_modes: def.cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
        ...(def.cursor ? { source_defined_cursor: true, default_cursor_field: [def.cursor.field] } : {}),
        source_defined_primary_key: def.primaryKey.map((field) => [field]),
      },
      sync_mode: def.cursor ? 'incremental' : 'full_refresh',
      ...(def.cursor ? { cursor_field: [def.cursor.field] } : {}),
      destination_sync_mode: 'append',
      primary_key: def.primaryKey.map((field) => [field]),
    })),
  };
}

/**
 * A planned row's state (src/state/rotation.ts) as if every parent had been read in the far future: each
 * slot's hour moved there (its digest kept, so no parent counts as changed) and the listing time with it.
 * Nothing is due then, so the sync reads no parent and emits nothing.
 */
function futureSlots(state: Record<string, unknown>): Record<string, unknown> {
  // Slots count the connector's clock in hours as compressed by SOURCE_DIGITALOCEAN_TIME_SCALE (an hour is
  // 36 s at CAT's 0.01), so the year 2999 in real hours may already be past: 36^10 hours is beyond any.
  const hour = (36 ** 10).toString(36);
  const slots = (state[SLOTS_KEY] ?? {}) as Record<string, string>;
  const moved = Object.fromEntries(Object.entries(slots).map(([parent, slot]) => [parent, [hour, ...slot.split('.').slice(1)].join('.')]));
  return { ...state, [SLOTS_KEY]: moved, state: { [LISTED_AT_FIELD]: FUTURE_DATETIME } };
}

/** Every cursor value of a state moved to the far future, keeping the state's shape. */
function futureState(def: StreamDef, state: Record<string, unknown>): Record<string, unknown> {
  if (!def.cursor) return futureSlots(state);
  const future = def.cursor?.kind === 'integer' ? FUTURE_INTEGER : FUTURE_DATETIME;
  const field = (def.cursor as NonNullable<StreamDef['cursor']>).field;
  if (def.parent) {
    // The CDK's per-partition format: every parent's cursor, and the global one, under the cursor field
    // (CAT's test_state_with_abnormally_large_values looks for values under that key).
    const states = Array.isArray(state.states) ? (state.states as { partition: unknown }[]) : [];
    const perPartition = { use_global_cursor: false, states: states.map(({ partition }) => ({ partition, cursor: { [field]: future } })), state: { [field]: future } };
    return state[SLOTS_KEY] === undefined ? perPartition : { ...futureSlots(state), ...perPartition };
  }
  return { [field]: future };
}

async function readAll(catalogPath: string, configPath: string): Promise<Line[]> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const code = await runCli(['read', '--config', configPath, '--catalog', catalogPath], new ProtocolWriter(sink));
  const lines = chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  const errors = lines.filter((l) => l.trace?.type === 'ERROR').map((l) => l.trace?.error?.message);
  if (code !== 0 || errors.length > 0) throw new Error(`the read failed (exit ${code}): ${errors.join(' | ')}`);
  return lines;
}

/** The `empty_streams` key with its entries (a flow `[]` when there are none: null is not a list). */
function emptyStreamsBlock(indent: string, empty: readonly string[]): string {
  const reason = `The fake account (seed ${SEED}, scale ${SCALE}) has no records for this stream.`;
  const entries = empty.length === 0
    ? [`${indent}empty_streams: []`]
    : [`${indent}empty_streams:`, ...empty.flatMap((name) => [`${indent}  - name: ${name}`, `${indent}    bypass_reason: "${reason}"`])];
  return [`${indent}${EMPTY_BEGIN}`, ...entries, `${indent}${EMPTY_END}`].join('\n');
}

/** Replaces the lines between a pair of markers (keeping the markers' indentation). */
function replaceBetween(yaml: string, beginMarker: string, endMarker: string, block: (indent: string) => string): string {
  const lines = yaml.split('\n');
  const begin = lines.findIndex((l) => l.trim() === beginMarker);
  const end = lines.findIndex((l) => l.trim() === endMarker);
  if (begin < 0 || end < begin) throw new Error(`acceptance-test-config.yml lacks the '${beginMarker}' … '${endMarker}' markers`);
  const indent = /^\s*/.exec(lines[begin])?.[0] ?? '';
  return [...lines.slice(0, begin), block(indent), ...lines.slice(end + 1)].join('\n');
}

export function replaceEmptyStreams(yaml: string, empty: readonly string[]): string {
  return replaceBetween(yaml, EMPTY_BEGIN, EMPTY_END, (indent) => emptyStreamsBlock(indent, empty));
}

const MISSING_BEGIN = '# BEGIN generated missing_streams (npm run generate:integration-tests)';
const MISSING_END = '# END generated missing_streams';

/**
 * Incremental streams without a cursor of their own (per-parent rows with a freshness class, cursor
 * _parent_listed_at): what they read is decided per parent by its slot and bound, and a parent new to
 * the state is read at once, so no state value stops them from reading. CAT's abnormal-state test asks
 * a bypass reason for each (at high strictness), and configured_catalog.json reads them in full.
 */
export function replaceMissingStreams(yaml: string, missing: readonly string[]): string {
  const reason = 'Incremental on _parent_listed_at by freshness slots per parent, not by a cursor value: a parent absent from the state is read at once, so no abnormal value can make the sync empty.';
  return replaceBetween(yaml, MISSING_BEGIN, MISSING_END, (indent) =>
    [
      `${indent}${MISSING_BEGIN}`,
      ...(missing.length === 0 ? [`${indent}missing_streams: []`] : [`${indent}missing_streams:`, ...missing.flatMap((name) => [`${indent}  - name: ${name}`, `${indent}    bypass_reason: "${reason}"`])]),
      `${indent}${MISSING_END}`,
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const root = packageRoot();
  const dir = join(root, 'integration_tests');
  // The connector paces itself at its per-minute limit; compress that (the fake API has no limits here).
  process.env.SOURCE_DIGITALOCEAN_TIME_SCALE ??= '0.01';
  const api = await startFakeApi({ seed: SEED, scale: SCALE, rateLimits: false, today: TODAY });
  try {
    const catalog = configuredCatalog();
    writeFileSync(join(dir, 'configured_catalog.json'), `${JSON.stringify(catalog, null, 2)}\n`);
    const config = JSON.parse(readFileSync(join(dir, 'sample_config.json'), 'utf8')) as Record<string, unknown>;
    const tmp = mkdtempSync(join(tmpdir(), 'source-do-expected-'));
    let lines: Line[];
    try {
      writeFileSync(join(tmp, 'config.json'), JSON.stringify({ ...config, api_url: api.url }));
      lines = await readAll(join(dir, 'configured_catalog.json'), join(tmp, 'config.json'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }

    const byStream = new Map<string, string[]>(STREAMS.filter((def) => !def.transport).map((def) => [def.name, []]));
    const lastState = new Map<string, Record<string, unknown>>();
    for (const line of lines) {
      if (line.record) byStream.get(line.record.stream)?.push(JSON.stringify({ stream: line.record.stream, data: line.record.data, emitted_at: EMITTED_AT }));
      if (line.state) lastState.set(line.state.stream.stream_descriptor.name, line.state.stream.stream_state);
    }
    const records = [...byStream.values()].flatMap((list) => list.sort());
    writeFileSync(join(dir, 'expected_records.jsonl'), `${records.join('\n')}\n`);

    // The rows incremental on _parent_listed_at are read in full above (their records carry the listing
    // time, which would make expected_records change with every run); read once more incrementally, for
    // the states CAT's abnormal-state test starts from.
    const listed = STREAMS.filter((def) => !def.transport && injectsListedAt(def));
    const tmp2 = mkdtempSync(join(tmpdir(), 'source-do-expected-'));
    try {
      const incremental = configuredCatalog(listed);
      for (const entry of incremental.streams) Object.assign(entry, { sync_mode: 'incremental' });
      writeFileSync(join(tmp2, 'catalog.json'), JSON.stringify(incremental));
      writeFileSync(join(tmp2, 'config.json'), JSON.stringify({ ...config, api_url: api.url }));
      for (const line of await readAll(join(tmp2, 'catalog.json'), join(tmp2, 'config.json'))) {
        if (line.state) lastState.set(line.state.stream.stream_descriptor.name, line.state.stream.stream_state);
      }
    } finally {
      rmSync(tmp2, { recursive: true, force: true });
    }
    const abnormal = STREAMS.filter((def) => !def.transport && cursorOf(def)).map((def) => ({
      type: 'STREAM',
      stream: { stream_descriptor: { name: def.name }, stream_state: futureState(def, lastState.get(def.name) ?? {}) },
    }));
    writeFileSync(join(dir, 'abnormal_state.json'), `${JSON.stringify(abnormal, null, 2)}\n`);

    const empty = [...byStream].filter(([, list]) => list.length === 0).map(([name]) => name);
    const yamlPath = join(root, 'acceptance-test-config.yml');
    const missing: string[] = [];
    writeFileSync(yamlPath, replaceMissingStreams(replaceEmptyStreams(readFileSync(yamlPath, 'utf8'), empty), missing));
    process.stdout.write(
      `${records.length} records of ${STREAMS.length - empty.length} streams; ${empty.length} empty stream(s): ${empty.join(', ') || 'none'}; ` +
        `${abnormal.length} incremental stream(s) in abnormal_state.json\n`,
    );
  } finally {
    await api.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
