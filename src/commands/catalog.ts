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
  };
  const cursor = cursorOf(def);
  if (cursor) {
    stream.source_defined_cursor = true;
    stream.default_cursor_field = [cursor.field];
  }
  if (isResumable(def)) {
    stream.is_resumable = true;
    stream.source_defined_cursor = true;
  }
  return stream;
}

/**
 * Whether a retry within the same job carries on where the failed attempt stopped: incremental streams
 * (their cursor) and child streams (a state after each parent, so finished parents are not read again).
 * A top-level full-refresh list checkpoints only at its end, so it cannot resume. The platform keeps the
 * state of a full-refresh stream between attempts only when it is resumable, and deletes it at the first
 * attempt of every job (airbyte-platform AttemptHandler: getFullRefreshStreamsToClear,
 * updateGenerationAndStateForFirstAttempt); the protocol asks source_defined_cursor wherever is_resumable
 * is set (airbyte_protocol.yaml, AirbyteStream.source_defined_cursor).
 */
export function isResumable(def: StreamDef): boolean {
  return cursorOf(def) !== undefined || def.parent !== undefined;
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

export interface CatalogSelection {
  selected: SelectedStream[];
  /**
   * Names this version does not have (renamed or removed since the connection was set up). Each is
   * reported on its own and the others are read, as the Python CDK does for a stream missing from the
   * source (AbstractSource.read): one stale entry must not stop every stream of a connection.
   */
  unknown: string[];
}

/**
 * The streams a configured catalog selects. Duplicate streams and invalid sync modes are errors (the
 * whole catalog is wrong); unknown streams are set apart; `incremental` on a stream that only supports
 * full refresh is read as full refresh (PyAirbyte asks for incremental everywhere).
 */
export function selectStreams(raw: unknown): CatalogSelection {
  if (!isObject(raw) || !Array.isArray(raw.streams)) {
    throw new InputFileError("The catalog must be a JSON object with a 'streams' list (a ConfiguredAirbyteCatalog).");
  }
  if (raw.streams.length === 0) throw new InputFileError('The catalog selects no stream; select at least one.');
  const selected: SelectedStream[] = [];
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of (raw.streams as unknown[]).entries()) {
    const configured = entry as Partial<ConfiguredStream> | null;
    const name = isObject(configured) && isObject(configured.stream) ? configured.stream.name : undefined;
    if (typeof name !== 'string') throw new InputFileError(`Catalog entry ${index} has no stream.name.`);
    if (seen.has(name)) throw new InputFileError(`The catalog names the stream '${clip(name, ECHO_CHARS)}' more than once.`);
    seen.add(name);
    const mode = configured?.sync_mode;
    if (mode !== 'full_refresh' && mode !== 'incremental') {
      throw new InputFileError(`The catalog gives stream '${clip(name, ECHO_CHARS)}' the sync_mode '${String(mode).slice(0, 40)}'; use full_refresh or incremental.`);
    }
    const def = findStream(name);
    if (!def) unknown.push(name);
    else selected.push({ def, mode: mode === 'incremental' && cursorOf(def) ? 'incremental' : 'full_refresh' });
  }
  return { selected, unknown };
}

/** What a user reads about a configured stream this version does not have. */
export function unknownStreamMessage(name: string): string {
  return (
    `The configured catalog names the stream '${clip(name, ECHO_CHARS)}', which this version of the source does not have ` +
    "(renamed or removed). Refresh the connection's source schema (or run discover) and remove it; the other streams were read."
  );
}
