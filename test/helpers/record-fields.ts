import type { JsonSchema } from '../../src/streams/schemas.js';

/**
 * The keys of a record its schema does not name, as dotted paths (`spec.services[].foo`), at every
 * depth where the schema declares properties: a typed destination (Airbyte Destinations V2, Singer SDK
 * targets) keeps only declared columns, so such a key is data lost downstream.
 */
export function undeclaredKeys(schema: JsonSchema, value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((v) => undeclaredKeys(schema.items!, v, `${at}[]`)) : [];
  if (value === null || typeof value !== 'object' || !schema.properties) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const path = at === '' ? key : `${at}.${key}`;
    const declared = schema.properties[key];
    if (declared) out.push(...undeclaredKeys(declared, v, path));
    else out.push(path);
  }
  return out;
}

/** The primary key fields a record leaves null or absent. */
export const nullKeys = (primaryKey: readonly string[], record: Record<string, unknown>): string[] =>
  primaryKey.filter((k) => record[k] === null || record[k] === undefined);
