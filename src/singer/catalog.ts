/**
 * The Singer catalog at the edge: the Airbyte catalog `discover` builds, written as Singer entries, and a
 * Singer catalog (as Meltano writes it) read back into the engine's selection. Nothing here reads data.
 *
 * Reading follows how Meltano writes selection (meltano/meltano, src/meltano/core/plugin/singer/catalog.py
 * at c139d24b: `!*.*` then the `select` patterns, setting `selected` on the root breadcrumb and the legacy
 * top-level `selected`, and on every property breadcrumb) and how the Singer SDK reads it
 * (meltano/sdk, singer_sdk/_singerlib/catalog.py at 136de07f: root metadata first, `inclusion: automatic`
 * always selected, `unsupported` never).
 */
import type { AirbyteStream, SyncMode } from '../protocol/messages.js';
import { clip } from '../protocol/writer.js';
import type { Logger } from '../state/input.js';
import { findStream } from '../streams/index.js';
import { loadSchema, type JsonSchema } from '../streams/schemas.js';
import { cursorOf } from '../streams/freshness.js';
import type { StreamDef } from '../streams/types.js';
import { InputFileError } from '../input-files.js';

export type ReplicationMethod = 'INCREMENTAL' | 'FULL_TABLE';

export interface MetadataEntry {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}

export interface SingerCatalogEntry {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  replication_key?: string;
  replication_method: ReplicationMethod;
  metadata: MetadataEntry[];
}

const ECHO = 200;

/** Fields a target cannot do without: the whole key, the cursor. Never removed from SCHEMA or RECORD. */
export function automaticFields(def: StreamDef): Set<string> {
  const cursor = cursorOf(def)?.field;
  return new Set([...def.primaryKey, ...(cursor ? [cursor] : [])]);
}

/** One Singer catalog entry for a stream discover announced (its schema as discover gave it). */
export function singerEntry(stream: AirbyteStream): SingerCatalogEntry {
  const def = findStream(stream.name);
  const keys = def ? [...def.primaryKey] : (stream.source_defined_primary_key ?? []).map((path) => path.join('.'));
  const cursor = def ? cursorOf(def)?.field : undefined;
  const schema = stream.json_schema as JsonSchema;
  const automatic = def ? automaticFields(def) : new Set(keys);
  const root: Record<string, unknown> = {
    inclusion: 'available',
    'selected-by-default': true,
    'table-key-properties': keys,
    ...(cursor ? { 'valid-replication-keys': [cursor] } : { 'forced-replication-method': 'FULL_TABLE' }),
  };
  // Every top-level property gets its own entry: Meltano adds `inclusion: automatic` to any property
  // without one (MetadataExecutor.ensure_metadata), which would make it impossible to deselect.
  const properties = Object.keys(schema.properties ?? {}).map((name) => ({
    breadcrumb: ['properties', name],
    metadata: { inclusion: automatic.has(name) ? 'automatic' : 'available' },
  }));
  return {
    tap_stream_id: stream.name,
    stream: stream.name,
    schema,
    key_properties: keys,
    ...(cursor ? { replication_key: cursor } : {}),
    replication_method: cursor ? 'INCREMENTAL' : 'FULL_TABLE',
    metadata: [{ breadcrumb: [], metadata: root }, ...properties],
  };
}

/** The one document `--discover` prints. */
export function singerCatalog(streams: readonly AirbyteStream[]): { streams: SingerCatalogEntry[] } {
  return { streams: streams.map(singerEntry) };
}

/** A stream the catalog selects, as the engine will read it and as SCHEMA will describe it. */
export interface SingerSelection {
  def: StreamDef;
  mode: SyncMode;
  /** Top-level properties deselected in the catalog: left out of SCHEMA and RECORD. */
  dropped: Set<string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function metadataOf(entry: Record<string, unknown>): MetadataEntry[] {
  if (!Array.isArray(entry.metadata)) return [];
  return entry.metadata.filter(
    (m): m is MetadataEntry => isObject(m) && Array.isArray(m.breadcrumb) && isObject(m.metadata),
  );
}

/** A property's selection as the SDK reads it: automatic always, unsupported never, else selected / selected-by-default. */
function propertySelected(metadata: Record<string, unknown>): boolean {
  if (metadata.inclusion === 'automatic') return true;
  if (metadata.inclusion === 'unsupported') return false;
  if (typeof metadata.selected === 'boolean') return metadata.selected;
  if (typeof metadata['selected-by-default'] === 'boolean') return metadata['selected-by-default'];
  return true;
}

function modeOf(def: StreamDef, root: Record<string, unknown>, entry: Record<string, unknown>, log: Logger): SyncMode {
  const raw = root['replication-method'] ?? entry.replication_method;
  const method = typeof raw === 'string' ? raw.toUpperCase() : undefined;
  if (method === 'FULL_TABLE') return 'full_refresh';
  if (method === 'LOG_BASED') log('WARN', `Stream '${def.name}': LOG_BASED replication is not offered; it is read ${cursorOf(def) ? 'incrementally' : 'in full'}.`);
  else if (method !== undefined && method !== 'INCREMENTAL') {
    log('WARN', `Stream '${def.name}': unknown replication method '${clip(method, 40)}'; it is read ${cursorOf(def) ? 'incrementally' : 'in full'}.`);
  }
  if (!cursorOf(def)) {
    if (method === 'INCREMENTAL') log('INFO', `Stream '${def.name}' has no replication key, so it is read in full (FULL_TABLE).`);
    return 'full_refresh';
  }
  return 'incremental';
}

/**
 * The streams a Singer catalog selects. An unknown stream is a warning (Meltano catalogs are cached or
 * hand-made); so is a duplicate (the first entry counts). Deep breadcrumbs are tolerated and ignored:
 * only top-level properties are removed.
 */
export function selectFromCatalog(raw: unknown, log: Logger): SingerSelection[] {
  if (!isObject(raw) || !Array.isArray(raw.streams)) {
    throw new InputFileError("The catalog must be a JSON object with a 'streams' list (a Singer catalog, as --discover prints).");
  }
  const selected: SingerSelection[] = [];
  const seen = new Set<string>();
  for (const [index, item] of (raw.streams as unknown[]).entries()) {
    if (!isObject(item)) throw new InputFileError(`Catalog entry ${index} is not an object.`);
    const name = typeof item.tap_stream_id === 'string' ? item.tap_stream_id : typeof item.stream === 'string' ? item.stream : undefined;
    if (name === undefined) throw new InputFileError(`Catalog entry ${index} has no tap_stream_id.`);
    const def = findStream(name);
    if (!def) {
      log('WARN', `The catalog names the stream '${clip(name, ECHO)}', which this tap does not have; it is skipped. Run --discover for the list.`);
      continue;
    }
    if (seen.has(name)) {
      log('WARN', `The catalog names the stream '${name}' more than once; the first entry is used.`);
      continue;
    }
    seen.add(name);
    const metadata = metadataOf(item);
    const root = metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
    const chosen = typeof root.selected === 'boolean' ? root.selected : typeof item.selected === 'boolean' ? item.selected : root['selected-by-default'] === true;
    if (!chosen) continue;
    const automatic = automaticFields(def);
    const dropped = new Set<string>();
    for (const m of metadata) {
      if (m.breadcrumb.length !== 2 || m.breadcrumb[0] !== 'properties') continue;
      const property = String(m.breadcrumb[1]);
      if (!automatic.has(property) && !propertySelected(m.metadata)) dropped.add(property);
    }
    selected.push({ def, mode: modeOf(def, root, item, log), dropped });
  }
  return selected;
}

/** Every stream, read as a Meltano user would expect with no catalog: incremental where it can be. */
export function selectAll(defs: readonly StreamDef[]): SingerSelection[] {
  return defs.map((def) => ({ def, mode: cursorOf(def) ? 'incremental' : 'full_refresh', dropped: new Set<string>() }));
}

/** The schema SCHEMA carries: the stream's own, without the deselected properties. */
export function selectedSchema(selection: SingerSelection): JsonSchema {
  const schema = loadSchema(selection.def.name);
  if (selection.dropped.size === 0 || !schema.properties) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([name]) => !selection.dropped.has(name)));
  const pruned: JsonSchema & { required?: unknown } = { ...schema, properties };
  const required = (schema as { required?: unknown }).required;
  if (Array.isArray(required)) pruned.required = required.filter((name) => !selection.dropped.has(String(name)));
  return pruned;
}
