/** Types shared by the fake account's generators. */
import type { Faker } from '@faker-js/faker';
import type { StreamDef } from '../../src/streams/types.js';
import type { KeyCodec, KeyValue } from './keys.js';
import type { Rng } from './random.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** A generated record together with where it sits in the account. */
export interface Located {
  def: StreamDef;
  index: number;
  /** The record as served to a token that may see credentials. */
  record: JsonObject;
  /** `record` plus the parent keys a connector injects: what child paths and filters are matched against. */
  view: JsonObject;
  /** Unique path of the record in the account, e.g. `/database_clusters:3/database_users:1`; seeds children. */
  address: string;
  parent?: Located;
}

/** What a generator may ask about the rest of the account (cheap: no record is generated). */
export interface AccountView {
  readonly seed: number;
  readonly scale: number;
  /** Number of top-level records of a stream (known kinds work even when the stream is not in the table). */
  count(stream: string): number;
  /** Key of top-level record `index` of a stream, e.g. the id of droplet 17; `field` defaults to the first key. */
  key(stream: string, index: number, field?: string): KeyValue;
}

export interface CountContext {
  scale: number;
  parent?: Located;
  /** Seeded from the collection, so a parent always has the same number of children. */
  rng: Rng;
  account: AccountView;
}

export interface GenContext {
  index: number;
  /** Faker, seeded for this record only. */
  f: Faker;
  /** The same random stream as `f`, with cheaper helpers. */
  rng: Rng;
  parent?: Located;
  account: AccountView;
  /** This record's value for a key field (see KindSpec.keys). */
  key(field: string): KeyValue;
}

/**
 * How one stream's records are made: the "data-coherence entry" of a stream. Streams without one get
 * a generic generator built from the stream row (and its schema when there is one).
 */
export interface KindSpec {
  /** Records at top level (from the scale) or under one parent. */
  count(ctx: CountContext): number;
  /** Fields computed from the index, so that records can be found by them (child paths, cross references). */
  keys?: Readonly<Record<string, KeyCodec>>;
  /** Builds record `ctx.index`, secrets included. Key fields are written over whatever it returns. */
  make(ctx: GenContext): JsonObject;
  /** Removes what DigitalOcean hides from tokens without `database:view_credentials` (mutates, returns). */
  hideCredentials?(record: JsonObject): JsonObject;
  /** Extra top-level fields of the response body besides the records (e.g. backups' schedule). */
  bodyExtras?(parent: Located | undefined, rng: Rng): JsonObject;
}

export type KindTable = Readonly<Record<string, KindSpec>>;
