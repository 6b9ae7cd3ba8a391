/**
 * What StreamDef.freshness means for the catalog: a row with a freshness class is offered in
 * incremental mode, and a row without a cursor of its own then uses the time its parent's list was
 * read, injected into every record, as its cursor.
 */
import type { CursorDef, StreamDef } from './types.js';

/** The injected record field: when the list of the record's parent was read (ISO 8601, UTC). */
export const LISTED_AT_FIELD = '_parent_listed_at';

const LISTED_AT_CURSOR: CursorDef = { field: LISTED_AT_FIELD, kind: 'datetime' };

/** The cursor an incremental read of the row keeps: its own, or the listing time of a freshness row. */
export function cursorOf(def: StreamDef): CursorDef | undefined {
  return def.cursor ?? (def.freshness ? LISTED_AT_CURSOR : undefined);
}

/** Whether records of the row carry `_parent_listed_at` (freshness rows without a cursor of their own). */
export function injectsListedAt(def: StreamDef): boolean {
  return def.freshness !== undefined && def.cursor === undefined;
}
