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
  /**
   * Midnight (UTC, epoch ms) of the server's "today": the day of its clock (`now`) when it started.
   * Dated data that must lie within a connector's reach (billing insights) is placed relative to it;
   * fixed at start so that a server running across midnight keeps serving the same account.
   */
  readonly today: number;
  /** Every n-th Droplet is a GPU Droplet (listed only with type=gpus); 0: none. */
  readonly gpuDropletEvery: number;
  /** Number of top-level records of a stream (known kinds work even when the stream is not in the table). */
  count(stream: string): number;
  /** Key of top-level record `index` of a stream, e.g. the id of droplet 17; `field` defaults to the first key. */
  key(stream: string, index: number, field?: string): KeyValue;
  /**
   * A copy of top-level record `index` of a stream, for a child that lists whole records of another
   * stream (a Droplet's neighbors, its firewalls). Call it last in a generator: it re-seeds the random
   * stream the caller was using.
   */
  record(stream: string, index: number): JsonObject;
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
  /** For rows whose path takes a date range (StreamDef.dateWindows): how the API filters by it. */
  window?: WindowSpec;
  /**
   * For rows listed in parts (StreamDef.variants): the positions, among the `total` records, of those
   * this query asks for (Droplets: GPU Droplets only with `type=gpus`, the others only without).
   */
  listedPart?(query: URLSearchParams, total: number, account: AccountView): { length: number; at(position: number): number };
}

/**
 * A list the API filters by a date range given in the path. Records are generated in date order, so the
 * records of a range are one run of indexes, found without generating the records in front of it.
 */
export interface WindowSpec {
  /** The API's own limit on the range, in days counting both ends (billing insights: 31). */
  maxDays: number;
  /** Record field holding the day the range is matched against (`YYYY-MM-DD` or an ISO date-time). */
  field: string;
  /**
   * Indexes [start, end) of the records whose day lies in [from, to] (UTC midnights, both inclusive).
   * The count context is the one `count` gets for the same parent.
   */
  range(ctx: CountContext, from: number, to: number): { start: number; end: number };
}

export type KindTable = Readonly<Record<string, KindSpec>>;
