/**
 * Singer state at the edge. A Singer state is `{"bookmarks": {"<stream>": <the stream state Airbyte
 * mode writes>}}`; this module maps it to and from the engine's per-stream states, and keeps it safe
 * under Meltano's deep merge.
 *
 * Meltano merges an interrupted run's state onto the last complete one at depth (meltano/meltano,
 * src/meltano/core/utils/__init__.py `merge` and src/meltano/core/job_state.py `from_job_history`, at
 * c139d24b): a key a newer state leaves out keeps its older value. A finished full refresh `{}` merged
 * onto an interrupted one `{"partitions_done": [...]}` would resume a finished sync and skip parents.
 * So a key that this run has seen (in the input or in an earlier state of this run) and that a newer
 * state drops is written as `null`; nulls are read back as absent. Lists are replaced whole by the
 * merge, so only objects need this.
 */
import type { Logger } from '../state/input.js';
import { StateFileError } from '../state/input.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A copy without null members, at every depth of objects: what a tombstone leaves behind. */
export function withoutNulls(value: Json): Json {
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === null) continue;
    out[key] = isObject(member) ? withoutNulls(member) : member;
  }
  return out;
}

/** `next`, with `null` for every object member `known` has and `next` lacks, at every depth. */
export function tombstoned(next: Json, known: Json | undefined): Json {
  if (!known) return next;
  const out: Json = { ...next };
  for (const [key, old] of Object.entries(known)) {
    if (!(key in next)) out[key] = null;
    else if (isObject(old) && isObject(next[key])) out[key] = tombstoned(next[key] as Json, old);
  }
  return out;
}

/** Everything `a` and `b` name, as objects (for the keys a later state must mention). */
function union(a: Json | undefined, b: Json): Json {
  if (!a) return b;
  const out: Json = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const old = out[key];
    out[key] = isObject(old) && isObject(value) ? union(old, value) : value;
  }
  return out;
}

/** Per-stream states out of an Airbyte state list (the wrapper keeps one under `airbyte_state`). */
function fromAirbyteList(list: unknown[], into: Map<string, Json>): void {
  for (const entry of list) {
    if (!isObject(entry) || (entry.type ?? 'STREAM') !== 'STREAM' || !isObject(entry.stream)) continue;
    const descriptor = entry.stream.stream_descriptor;
    const name = isObject(descriptor) ? descriptor.name : undefined;
    if (typeof name === 'string' && name !== '') into.set(name, isObject(entry.stream.stream_state) ? entry.stream.stream_state : {});
  }
}

export interface SingerStateInput {
  /** Per-stream states for the engine, nulls removed. */
  streams: Map<string, Json>;
  /** The same as read, tombstones included (keys the next state must keep mentioning). */
  raw: Map<string, Json>;
}

/**
 * Reads `--state`: empty, `{}`, `{"bookmarks": …}`, or MeltanoLabs/tap-airbyte-wrapper's form
 * (`{…, "airbyte_state": [<Airbyte STREAM states>]}`, tap_airbyte/tap.py at e874473c), so that users
 * switching from the wrapper keep their place. When both are present (a wrapper state merged with one of
 * ours), `bookmarks` wins stream by stream.
 */
export function parseSingerState(text: string | undefined, log: Logger): SingerStateInput {
  const streams = new Map<string, Json>();
  const raw = new Map<string, Json>();
  if (text === undefined || text.trim() === '') return { streams, raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StateFileError('The state file is not valid JSON.');
  }
  if (parsed === null) return { streams, raw };
  if (!isObject(parsed)) throw new StateFileError('The state file must hold a JSON object (a Singer state, {"bookmarks": {…}}).');
  if (Array.isArray(parsed.airbyte_state)) {
    fromAirbyteList(parsed.airbyte_state, streams);
    if (streams.size > 0) log('INFO', `The state holds tap-airbyte-wrapper bookmarks for ${streams.size} stream(s); they are used where no Singer bookmark is present.`);
  }
  if (parsed.bookmarks !== undefined && parsed.bookmarks !== null) {
    if (!isObject(parsed.bookmarks)) throw new StateFileError("The state file's 'bookmarks' must be an object of stream states.");
    for (const [name, state] of Object.entries(parsed.bookmarks)) {
      if (isObject(state)) streams.set(name, state);
      else if (state !== null) log('WARN', `The bookmark of stream '${name.slice(0, 200)}' is not an object; the stream starts over.`);
    }
  }
  for (const [name, state] of streams) {
    raw.set(name, state);
    streams.set(name, withoutNulls(state));
  }
  return { streams, raw };
}

/**
 * The whole Singer state of a run, as each STATE message carries it: every stream's latest state, the
 * input's for streams not read yet (or not selected), with tombstones for keys this run has seen go.
 */
export class SingerBookmarks {
  private readonly current = new Map<string, Json>();
  /** Per stream, every key written or read this run: a later state must mention each (value or null). */
  private readonly known = new Map<string, Json>();

  constructor(input: ReadonlyMap<string, Json>, rawInput?: ReadonlyMap<string, Json>) {
    for (const [name, state] of input) {
      // Echoed as it came, tombstones included.
      this.current.set(name, rawInput?.get(name) ?? state);
      this.known.set(name, union(rawInput?.get(name), state));
    }
  }

  /** The state value after `stream` moved to `state`. */
  update(stream: string, state: Json): Json {
    const known = this.known.get(stream);
    this.current.set(stream, tombstoned(state, known));
    this.known.set(stream, union(known, state));
    return this.value();
  }

  value(): Json {
    return { bookmarks: Object.fromEntries(this.current) };
  }
}
