import { LISTED_AT_FIELD } from '../streams/freshness.js';
import type { Record_ } from './shape.js';

/**
 * Writes when the record's parent list was read (StreamDef.freshness rows read incrementally): the
 * stream's cursor, and what tells a destination which rows of a parent are current (README, "How a
 * sync behaves"). Set last, so an API field of the same name could never pass for it.
 */
export function withListedAt(record: Record_, listedAt: string): Record_ {
  record[LISTED_AT_FIELD] = listedAt;
  return record;
}
