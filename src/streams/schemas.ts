import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { injectsListedAt, LISTED_AT_FIELD } from './freshness.js';
import { findStream } from './index.js';

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** The subset of draft-07 our generated stream schemas use (see scripts/generate-schemas.ts). */
export interface JsonSchema {
  $schema?: string;
  type?: JsonType | JsonType[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean;
}

const cache = new Map<string, JsonSchema>();

/** The committed schema of a stream, read once per process. */
export function loadSchema(name: string): JsonSchema {
  let schema = cache.get(name);
  if (schema === undefined) {
    const parsed: unknown = JSON.parse(readFileSync(join(packageRoot(), 'schemas', `${name}.json`), 'utf8'));
    // A hand-edited or truncated file must fail here, not later as a confusing catalog.
    if (typeof parsed !== 'object' || parsed === null || (parsed as JsonSchema).type !== 'object') {
      throw new Error(`schemas/${name}.json is not an object schema`);
    }
    schema = parsed as JsonSchema;
    // The listing time an incremental read injects (StreamDef.freshness) is the connector's, not the API's.
    const def = findStream(name);
    if (def && injectsListedAt(def)) schema.properties = { ...schema.properties, [LISTED_AT_FIELD]: { type: ['string', 'null'], format: 'date-time' } };
    cache.set(name, schema);
  }
  return schema;
}
