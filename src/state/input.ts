import type { LogLevel } from '../protocol/messages.js';

/** A state file that cannot be used at all: the user (or the platform) must fix or drop it. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

export type Logger = (level: LogLevel, message: string) => void;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Per-stream states from a `--state` file, in every form real callers send: nothing, `null`, `[]`, an
 * array of STREAM state messages (with extra keys, null fields, or no sourceStats). A legacy or global
 * state cannot be mapped to streams: it is dropped with a WARN, and those streams start over.
 */
export function parseStateInput(text: string | undefined, log: Logger): Map<string, Record<string, unknown>> {
  const states = new Map<string, Record<string, unknown>>();
  if (text === undefined || text.trim() === '') return states;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StateFileError('The state file is not valid JSON.');
  }
  if (parsed === null) return states;
  if (isObject(parsed)) {
    log('WARN', 'The state file holds a single legacy state object rather than a list of stream states; every stream starts over.');
    return states;
  }
  if (!Array.isArray(parsed)) throw new StateFileError('The state file must hold a JSON array of state messages.');
  for (const [index, entry] of parsed.entries()) {
    if (!isObject(entry)) throw new StateFileError(`Entry ${index} of the state file is not a state message object.`);
    const type = entry.type ?? 'LEGACY';
    if (type !== 'STREAM') {
      log('WARN', `Entry ${index} of the state file is a ${String(type).slice(0, 40)} state, which this source never writes; it is ignored.`);
      continue;
    }
    const stream = entry.stream;
    const name = isObject(stream) && isObject(stream.stream_descriptor) ? stream.stream_descriptor.name : undefined;
    if (typeof name !== 'string' || name === '') {
      throw new StateFileError(`Entry ${index} of the state file has no stream_descriptor.name.`);
    }
    const streamState = isObject(stream) ? stream.stream_state : undefined;
    states.set(name, isObject(streamState) ? streamState : {});
  }
  return states;
}
