/**
 * The stream table's row type. A stream is data: the engine reads any row without knowing its name.
 * Every option below exists because at least one DigitalOcean endpoint needs it; keep them small.
 */

/** How the records sit in a response body. */
export type RecordsShape =
  /** `body[recordsKey]` is an array of records (the usual list endpoint). */
  | 'list'
  /** `body[recordsKey]` (or the whole body when recordsKey is null) is one record. */
  | 'object'
  /** `body[recordsKey]` is an object keyed by id: one record per entry, the key stored in `mapKeyField`. */
  | 'map';

/** How a list endpoint pages. */
export type Pagination =
  /** No paging parameters: one request returns everything. */
  | 'none'
  /** `page` / `per_page`, next page announced in `links.pages.next`, total in `meta.total`. */
  | 'page'
  /** `page_token` taken from `links.pages.next` (registry repositories). */
  | 'token'
  /** `page` / `per_page`, the body telling `current_page` and `total_pages` (billing insights). */
  | 'total_pages';

export interface ParentLink {
  /** Name of the parent stream in the table. */
  stream: string;
  /**
   * Injected field → parent record field. Each injected field is also the placeholder in the child's
   * `path` (`/v2/databases/{database_cluster_id}/users`), and is written as a top-level field of every
   * child record, so that a child row can be joined to its parent.
   */
  keys: Record<string, string>;
  /**
   * How a key's value is written, `{}` standing for the parent's value: billing insights address the
   * account as `do:team:{}`. A parent field may be a dotted path into the parent record (`team.uuid`).
   */
  format?: Readonly<Record<string, string>>;
  /** Only parents whose `field` has one of `values` have this child (e.g. pools exist for PostgreSQL only). */
  filter?: { field: string; values: readonly string[] };
  /**
   * What a 404 on this child path means. `skip` (default): the parent vanished mid-sync; skip it with a
   * LOG line. `empty`: the API answers 404 when the child simply has no data (cluster lint results).
   */
  notFound?: 'skip' | 'empty';
  /**
   * Keys sent as query parameters instead of filling path placeholders: the parent only enumerates the
   * values (NFS lists are asked region by region, `GET /v2/nfs?region=atl1`; godo nfs.go nfsOptions).
   * Each maps to a value any account accepts, used where no parent record is at hand (the scope
   * report's list probe). Injected into the records like any other key.
   */
  queryKeys?: Readonly<Record<string, string>>;
  /**
   * Evidence that some parents have no child records, so their child list is not requested (unless
   * the config sets `exhaustive_fanout`). Only where DigitalOcean's documentation makes it certain:
   * the records emitted are the same with and without it.
   */
  hint?: FanoutHint;
  /**
   * A parent field that changes whenever the child gains a record (a Droplet's `backup_ids`). An
   * incremental sync keeps a digest of it per parent in the state and requests only the parents whose
   * digest changed, and new ones. Full refresh ignores it. See ChangeHint for the other form.
   */
  changeHint?: string | ChangeHint;
}

/**
 * A change hint taken from the row's `namedBy` list instead of a parent field: the sorted values of
 * `namedItems` (a field of the listed items, `id`) over the items naming the parent. The account-wide
 * snapshots list names a volume's snapshots; the set changes whenever the volume gains or loses one.
 * Used only while the `namedBy` hint is trusted (otherwise every parent is requested).
 */
export interface ChangeHint {
  namedItems: string;
}

/**
 * How a child's emptiness is proven from data the connector already has or reads once. `evidence`
 * names the documentation the proof rests on.
 */
export type FanoutHint =
  /**
   * The parent's array field lists the child's records (a Droplet's `snapshot_ids`): an empty array
   * proves there are none. Trusted only when at least one parent has a non-empty one, since a token
   * without the scope DigitalOcean requires for the field may see it empty.
   */
  | { nonEmpty: string; evidence: string }
  /** A list read once names every parent that has children; the others are skipped. */
  | { namedBy: NamedBy; evidence: string };

export interface NamedBy {
  /** The list: another stream of the table, read once as a parent is (and emitted only if selected). */
  source: { stream: string };
  /**
   * A parent is named when a value of `listed` (a field of a listed item; the item itself when absent)
   * equals a value of the parent's `parentField`. Arrays on either side are flattened.
   */
  match: readonly { listed?: string; parentField: string }[];
  /**
   * Only listed items whose `field` has one of `values` can name a parent: the account-wide snapshots
   * list holds Droplet and volume snapshots, told apart by `resource_type`.
   */
  only?: { field: string; values: readonly string[] };
  /**
   * The list is read with another scope than the child path (snapshot:read for GET /v2/snapshots,
   * block_storage_snapshot:read for a volume's list), so a token may see it without the items that
   * would name parents. When it names no parent at all, it is not trusted and every parent is
   * requested: the rule `nonEmpty` applies to an all-empty field.
   */
  untrustedWhenNoneNamed?: boolean;
}

export interface CursorDef {
  /** Top-level record field holding the cursor value. */
  field: string;
  /** `datetime`: ISO timestamps compared as instants. `integer`: monotonically increasing ids. */
  kind: 'datetime' | 'integer';
  /**
   * Records that may still change (an action `in-progress`): while one is open, the saved cursor stays
   * just below the oldest open record, so that the record is read again until it reaches its final state.
   */
  openWhile?: { field: string; values: readonly string[] };
}

/**
 * The path takes a date range that the server limits in length (billing insights: 31 days). The
 * engine walks the range from the saved cursor (or the config's start_date, or `lookbackDays` ago) to
 * today, one window per request series. The window dates fill the path only; they are not injected.
 */
export interface DateWindows {
  /** Path placeholders receiving the window's first and last day (YYYY-MM-DD, inclusive). */
  start: string;
  end: string;
  maxDays: number;
  /** Where a first sync without start_date begins. */
  lookbackDays: number;
}

export interface EndpointRateLimit {
  /** Requests allowed per window, on top of the token-wide limits. */
  requests: number;
  windowMs: number;
}

/**
 * A row read over the S3 protocol of DigitalOcean Spaces, with the Spaces key (SigV4), not API v2 with
 * the token. `call` names the S3 operation: `ListBuckets` (GET / on each configured region's endpoint)
 * or a bucket subresource (GET /{bucket}?acl …) asked once per bucket, on the bucket's own region. The
 * row's `path` is then documentation only; the request is made by src/http/s3.ts, its XML turned into
 * records by src/records/s3.ts. Such rows are offered only when a Spaces key is configured.
 */
export interface S3Transport {
  kind: 's3';
  call: S3Call;
}

export type S3Call = 'ListBuckets' | 'acl' | 'policy' | 'cors' | 'lifecycle' | 'versioning';

export interface StreamDef {
  /** Final, user-facing stream name (see streams.tsv): never rename. */
  name: string;
  /** The resource's name in DigitalOcean's documentation, for the coverage table. */
  resource: string;
  /** API path; `{field}` placeholders are filled from the parent's keys. */
  path: string;
  /**
   * Where the records are in the body; null means the whole body (object shape only). A dotted key
   * reaches into a wrapper object: `scan.findings` is the findings list inside GET /v2/security/scans/{id}'s
   * `scan` (see recordsPath).
   */
  recordsKey: string | null;
  shape: RecordsShape;
  /**
   * For `list` shape: the list's items are not objects (the neighbors report lists arrays of Droplet ids),
   * and each item becomes the record `{ [itemField]: item }`; without it, non-object items are dropped
   * and reported.
   */
  itemField?: string;
  /**
   * For `map` shape: the record field that receives the map key, unless the entry already carries that
   * field (the API's own value is kept).
   */
  mapKeyField?: string;
  /**
   * For `object` shape: the record may also come without its `recordsKey` wrapper, the whole body being
   * the record. A body holding one of these fields at the top level (and no wrapper) is read that way;
   * any other body without the wrapper is still an error. For endpoints whose wrapper godo and the
   * OpenAPI disagree on.
   */
  bareRecordFields?: readonly string[];
  /**
   * For `list` shape: a `null` list is read as no records (DigitalOcean's database API sends `null` for
   * an empty list; godo's fixtures show it). A missing key is still an error.
   */
  nullListIsEmpty?: boolean;
  /** The OAuth scope DigitalOcean requires for this path, or null when it declares none. */
  scope: string | null;
  /** Field names forming the primary key (injected parent keys first where that is the table's order). */
  primaryKey: readonly string[];
  parent?: ParentLink;
  pagination: Pagination;
  /** Extra query parameters the endpoint needs to list everything of interest. */
  query?: Readonly<Record<string, string>>;
  /** Present when the stream supports incremental sync. */
  cursor?: CursorDef;
  /**
   * Dotted paths of secret fields removed before a record is emitted. `a.b` removes `b` inside `a`;
   * `a[].b` removes `b` in every element of array `a`; `a..b` removes every `b` at any depth below `a`.
   */
  strip: readonly string[];
  /**
   * The list is split by a query parameter, and each part must be asked for on its own: Droplets are
   * listed without GPU Droplets unless `type=gpus`. Each variant's query is added to `query` and read as
   * its own series of pages, in order.
   */
  variants?: readonly Readonly<Record<string, string>>[];
  /** The path takes a date range the engine must walk (see DateWindows). */
  dateWindows?: DateWindows;
  /** DigitalOcean's own, tighter limit on this endpoint. */
  rateLimit?: EndpointRateLimit;
  /** Absent: DigitalOcean's API v2. Present: read over another protocol (see S3Transport). */
  transport?: S3Transport;
  /**
   * A per-parent child row offered in incremental mode: how fresh an incremental sync keeps it without
   * reading every parent every hour (see Freshness). Full refresh ignores it and reads every parent.
   */
  freshness?: Freshness;
}

/**
 * How an incremental sync of a per-parent child stream decides which parents to read (src/engine/plan.ts).
 * Every class reads new parents at once and every parent at least every `maxAgeHours` (a parent's slot
 * in that rotation comes from a hash of its key, so the re-reads spread evenly over the hours); the
 * config may scale or override the bound. A parent not read keeps, in the destination, the rows of the
 * read that last saw it; each record carries that read's time in `_parent_listed_at`.
 */
export interface Freshness {
  /**
   * `rotated`: no field tells when the child list changes; the bound alone keeps it fresh (plus
   * `changedBy` where a field is known to matter).
   * `changeHinted`: a parent field changes whenever the child list does (`changedBy`, else the link's
   * `changeHint`): a parent is read when that changed, and on a slow rotation as a backstop.
   * `derived`: the records are built from data the sync reads anyway (`derivedFrom`), with no request
   * per parent; a parent's rows are written again when what they derive from changed, and on the
   * rotation. Each sync audits a few parents, in rotation, by requesting their real list: a difference
   * is a WARN naming the fields, and the stream reads its parents by request until an audit is clean.
   */
  kind: 'rotated' | 'changeHinted' | 'derived';
  /** For `derived`: what the records are built from. */
  derivedFrom?: DerivedFrom;
  /** R: the longest a parent may go unread, in hours (1: every sync). Chosen by security value. */
  maxAgeHours: number;
  /**
   * Parent fields (dotted paths into the parent record) whose value is digested per parent in the
   * state: a parent whose digest changed is read at once.
   */
  changedBy?: readonly string[];
  /** The documentation the class and the bound rest on. */
  evidence: string;
}

/** Where a derived row's records come from (Freshness.derivedFrom). */
export type DerivedFrom =
  /**
   * The parent record embeds the list (a Kubernetes cluster's `node_pools`): each item is a record;
   * an item that is not an object (a database name in `db_names`) becomes `{ [itemField]: item }`.
   * A null or missing field is no records.
   */
  | { parentField: string; itemField?: string }
  /** The items of the link's `namedBy` list that name the parent, whole (the firewalls naming a Droplet). */
  | { namedBy: true };

/** The body keys leading to a row's records: `scan.findings` → ['scan', 'findings']; [] for the whole body. */
export function recordsPath(def: Pick<StreamDef, 'recordsKey'>): string[] {
  return def.recordsKey === null ? [] : def.recordsKey.split('.');
}
