/**
 * How a child row names its parent (ParentLink): a parent field may be a dotted path into the parent
 * record (`team.uuid`), and the value may be written through a format (`do:team:{}`). The connector
 * writes the formatted value into the path and into each child record; the server reverses it.
 */
import type { ParentLink } from '../../src/streams/types.js';
import type { Json, JsonObject } from './types.js';

/** A field of a record; a dotted name reaches into nested objects. */
export function fieldAt(record: JsonObject, field: string): Json | undefined {
  if (!field.includes('.')) return record[field];
  let node: Json | undefined = record;
  for (const part of field.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** The value a connector injects for `placeholder`, from the parent's view (null when it has none). */
export function injectedValue(link: ParentLink, placeholder: string, parent: JsonObject): Json {
  const value = fieldAt(parent, link.keys[placeholder]);
  if (value === undefined || value === null) return null;
  const format = link.format?.[placeholder];
  return format === undefined ? value : format.replace('{}', String(value));
}

/** The parent field's value a path segment names, or undefined when it does not fit the format. */
export function parentFieldValue(link: ParentLink, placeholder: string, segment: string): string | undefined {
  const format = link.format?.[placeholder];
  if (format === undefined) return segment;
  const cut = format.indexOf('{}');
  if (cut < 0) return segment === format ? '' : undefined;
  const prefix = format.slice(0, cut);
  const suffix = format.slice(cut + 2);
  if (segment.length < prefix.length + suffix.length || !segment.startsWith(prefix) || !segment.endsWith(suffix)) return undefined;
  return segment.slice(prefix.length, segment.length - suffix.length);
}
