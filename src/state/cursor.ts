import type { CursorDef } from '../streams/types.js';

export type CursorValue = string | number;

/** A record's cursor as a comparable number, or undefined when the record has no usable value. */
export function cursorOrdinal(kind: CursorDef['kind'], value: unknown): number | undefined {
  if (kind === 'integer') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export function isCursorValue(kind: CursorDef['kind'], value: unknown): value is CursorValue {
  return cursorOrdinal(kind, value) !== undefined;
}

/** The cursor value of an ordinal, in the stream's own representation. */
export function cursorFromOrdinal(kind: CursorDef['kind'], ordinal: number): CursorValue {
  return kind === 'integer' ? ordinal : new Date(ordinal).toISOString();
}

const DAY_MS = 86_400_000;

/**
 * A saved datetime cursor after tomorrow cannot come from a record read so far (a corrupt or hand-made
 * state, a year 99999): trusted, it would hide every record until the state is reset.
 */
export function isFutureCursor(kind: CursorDef['kind'], value: unknown, now: number): boolean {
  const ordinal = kind === 'datetime' ? cursorOrdinal(kind, value) : undefined;
  return ordinal !== undefined && ordinal > now + DAY_MS;
}
