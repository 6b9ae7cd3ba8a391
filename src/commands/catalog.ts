import { InputFileError } from '../input-files.js';
import { clip } from '../protocol/writer.js';
import type { AirbyteStream, ConfiguredStream, SyncMode } from '../protocol/messages.js';
import { findStream, STREAMS } from '../streams/index.js';
import { cursorOf } from '../streams/freshness.js';
import { loadSchema } from '../streams/schemas.js';
import type { StreamDef } from '../streams/types.js';

/** How much of a name from the catalog a message repeats: enough to recognise it, never a whole huge input. */
export const ECHO_CHARS = 200;

export function supportedModes(def: StreamDef): SyncMode[] {
  return cursorOf(def) ? ['full_refresh', 'incremental'] : ['full_refresh'];
}

/** One stream of the catalog `discover` announces. */
export function airbyteStream(def: StreamDef): AirbyteStream {
  const stream: AirbyteStream = {
    name: def.name,
    json_schema: loadSchema(def.name) as Record<string, unknown>,
    supported_sync_modes: supportedModes(def),
    source_defined_primary_key: def.primaryKey.map((field) => [field]),
    is_resumable: true,
  };
  const cursor = cursorOf(def);
  if (cursor) {
    stream.source_defined_cursor = true;
    stream.default_cursor_field = [cursor.field];
  }
  return stream;
}

export function fullCatalog(): AirbyteStream[] {
  return STREAMS.map(airbyteStream);
}

export interface SelectedStream {
  def: StreamDef;
  mode: SyncMode;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The streams a configured catalog selects. Unknown or duplicate streams and invalid sync modes are
 * errors; `incremental` on a stream that only supports full refresh is read as full refresh (PyAirbyte
 * asks for incremental everywhere).
 */
export function selectStreams(raw: unknown): SelectedStream[] {
  if (!isObject(raw) || !Array.isArray(raw.streams)) {
    throw new InputFileError("The catalog must be a JSON object with a 'streams' list (a ConfiguredAirbyteCatalog).");
  }
  if (raw.streams.length === 0) throw new InputFileError('The catalog selects no stream; select at least one.');
  const selected: SelectedStream[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of (raw.streams as unknown[]).entries()) {
    const configured = entry as Partial<ConfiguredStream> | null;
    const name = isObject(configured) && isObject(configured.stream) ? configured.stream.name : undefined;
    if (typeof name !== 'string') throw new InputFileError(`Catalog entry ${index} has no stream.name.`);
    const def = findStream(name);
    if (!def) throw new InputFileError(`The catalog names the stream '${clip(name, ECHO_CHARS)}', which this source does not have. Run discover for the list.`);
    if (seen.has(name)) throw new InputFileError(`The catalog names the stream '${name}' more than once.`);
    seen.add(name);
    const mode = configured?.sync_mode;
    if (mode !== 'full_refresh' && mode !== 'incremental') {
      throw new InputFileError(`The catalog gives stream '${name}' the sync_mode '${String(mode).slice(0, 40)}'; use full_refresh or incremental.`);
    }
    selected.push({ def, mode: mode === 'incremental' && cursorOf(def) ? 'incremental' : 'full_refresh' });
  }
  return selected;
}
