/**
 * The shape of test/fixtures/godo-structs.json (written by scripts/godo-structs.ts), and how a godo
 * field is matched to a JSON key: shared by the schema generator and the tests, which need no godo.
 */
export interface GodoField {
  /** The JSON name (json tag, or the Go name as encoding/json would use it). */
  json: string;
  /** The Go type as written: `*Timestamp`, `[]string`, `map[string]any`. */
  type: string;
  /** `,omitempty` in the tag: the key may be absent. */
  omitempty?: true;
  /** `,string` in the tag: the value is encoded as a JSON string. */
  string?: true;
  /**
   * No json tag: encoding/json matches the Go name case-insensitively, so `json` is the lower-cased Go
   * name and a schema property matches it when equal ignoring case and underscores.
   */
  untagged?: true;
}

export interface GodoType {
  file: string;
  /** A struct's fields (embedded structs flattened, as encoding/json does). */
  fields?: GodoField[];
  /** A named non-struct type: its underlying Go type (`type Status string`). */
  underlying?: string;
}

export interface GodoRecord {
  /** The Go type of one record. */
  type: string;
  file: string;
  /** How it was found: `root.key` from the godo table, or the reason from RECORD_TYPES. */
  via: string;
}

export interface GodoStructs {
  source: string;
  commit: string;
  streams: Record<string, GodoRecord>;
  types: Record<string, GodoType>;
}

/** Whether a JSON key is the one a godo field decodes (untagged fields match ignoring case and underscores). */
export const godoMatches = (f: GodoField, key: string): boolean =>
  f.untagged ? key.replace(/_/g, '').toLowerCase() === f.json.toLowerCase() : key === f.json;
