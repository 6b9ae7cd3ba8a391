/**
 * The fake account: every record of every stream, computed on demand. A record is a pure function of
 * (seed, stream, parent's address, index), so any page of a million-record stream is rendered without
 * the pages before it, and nothing but a few counts is kept in memory.
 */
import type { StreamDef } from '../../src/streams/types.js';
import type { ChurnClock } from '../churn.js';
import { genericKind, loadSchema } from './generic.js';
import type { KeyValue } from './keys.js';
import { KINDS } from './kinds/index.js';
import { fieldAt, injectedValue, parentFieldValue } from './parent-keys.js';
import { Rng, makeFaker, seedOf } from './random.js';
import type { AccountView, CountContext, JsonObject, KindSpec, KindTable, Located } from './types.js';

const DAY_MS = 86_400_000;

export interface DatasetOptions {
  seed: number;
  /** Number of droplets; every other top-level count is derived from it. */
  scale: number;
  streams: readonly StreamDef[];
  /** Overrides: top-level count of a stream, or count per parent for a child stream. */
  counts?: Readonly<Record<string, number>>;
  /** Where schemas/<stream>.json live, for the generic generator; null: none. */
  schemasDir?: string | null;
  /** Replaces the built-in data-coherence table (tests). */
  kinds?: KindTable;
  /** Any instant of the account's "today" (epoch ms; see AccountView.today). Default: now. */
  today?: number;
  /** See AccountView.gpuDropletEvery. Default 0. */
  gpuDropletEvery?: number;
  /** Simulated hours (fake-api/churn.ts); absent: the account never changes. */
  churn?: ChurnClock;
}

/** Records of one answer, by position: a run of indexes, or a list of them. */
export interface Selection {
  readonly length: number;
  at(position: number): number;
}

/** A date range of a windowed row, as UTC midnights, both ends inclusive. */
export interface DayRange {
  from: number;
  to: number;
}

export interface ExpectedOptions {
  /** As seen by a token holding database:view_credentials. */
  withSecrets?: boolean;
  /**
   * true: exactly the objects the API serves. false (default): what a connector emits before stripping
   * secrets: the parent keys written into each child, the map key into each map entry.
   */
  raw?: boolean;
}

/** Above this many records a child path addressed by a field without a codec is not searched. */
const SCAN_LIMIT = 10_000;

export class Dataset {
  readonly seed: number;
  readonly scale: number;
  readonly today: number;
  readonly view: AccountView;
  private readonly defs = new Map<string, StreamDef>();
  private readonly specs = new Map<string, KindSpec>();
  private readonly kinds: KindTable;
  private readonly counts: Readonly<Record<string, number>>;
  private readonly topCounts = new Map<string, number>();
  /** One random stream and one faker for the whole account, re-seeded for every record. */
  private readonly rng = new Rng();
  private readonly faker = makeFaker(this.rng);
  private readonly churn?: ChurnClock;

  constructor(options: DatasetOptions) {
    this.seed = options.seed;
    this.churn = options.churn;
    this.scale = options.scale;
    this.kinds = options.kinds ?? KINDS;
    this.counts = options.counts ?? {};
    this.today = Math.floor((options.today ?? Date.now()) / DAY_MS) * DAY_MS;
    const lookups = new Map<string, Set<string>>();
    for (const def of options.streams) {
      this.defs.set(def.name, def);
      if (!def.parent) continue;
      const fields = lookups.get(def.parent.stream) ?? new Set<string>();
      // Only top-level fields get key codecs; a dotted one (`team.uuid`) is found by a scan.
      for (const field of Object.values(def.parent.keys)) if (!field.includes('.')) fields.add(field);
      lookups.set(def.parent.stream, fields);
    }
    for (const def of options.streams) {
      const spec = this.kinds[def.name] ?? genericKind(def, loadSchema(options.schemasDir ?? null, def.name), [...(lookups.get(def.name) ?? [])]);
      this.specs.set(def.name, spec);
    }
    this.view = {
      seed: this.seed,
      scale: this.scale,
      today: this.today,
      gpuDropletEvery: options.gpuDropletEvery ?? 0,
      count: (stream) => this.topCount(stream),
      key: (stream, index, field) => this.key(stream, index, field),
      record: (stream, index) => {
        const def = this.defs.get(stream);
        if (!def) throw new Error(`no stream ${stream} in the table`);
        return { ...this.locate(def, undefined, index).record };
      },
    };
  }

  def(name: string): StreamDef | undefined {
    return this.defs.get(name);
  }

  /** Known kinds answer even when their stream is not in the table, so cross references still work. */
  private spec(name: string): KindSpec | undefined {
    return this.specs.get(name) ?? this.kinds[name];
  }

  private salt(name: string, parent?: Located): number {
    const base = seedOf(this.seed, name, parent?.address ?? '');
    // A churned child list (fake-api/churn.ts) is another list after each change: counts and ids too.
    const epoch = parent ? (this.churn?.epoch(name, parent.address) ?? 0) : 0;
    return epoch === 0 ? base : seedOf(base, 'epoch', epoch);
  }

  topCount(name: string): number {
    let n = this.topCounts.get(name);
    if (n === undefined) {
      const spec = this.spec(name);
      n = this.counts[name] ?? (spec ? spec.count({ scale: this.scale, rng: new Rng(seedOf(this.seed, name, 'count')), account: this.view }) : 0);
      this.topCounts.set(name, n);
    }
    return name === 'droplets' && this.churn && this.counts[name] === undefined ? this.churn.dropletCount(n) : n;
  }

  count(def: StreamDef, parent?: Located): number {
    if (!parent) return this.topCount(def.name);
    const spec = this.spec(def.name);
    if (!spec) return 0;
    return this.counts[def.name] ?? spec.count(this.countContext(def, parent));
  }

  private countContext(def: StreamDef, parent: Located | undefined): CountContext {
    const rng = new Rng(parent ? seedOf(this.salt(def.name, parent), 'count') : seedOf(this.seed, def.name, 'count'));
    return { scale: this.scale, parent, rng, account: this.view };
  }

  /** The API's limit on a windowed row's range, in days counting both ends. */
  windowLimit(def: StreamDef): number | undefined {
    return this.spec(def.name)?.window?.maxDays ?? def.dateWindows?.maxDays;
  }

  /**
   * The records of a windowed row whose day lies in the range, in order. A kind with a window finds
   * them as a run of indexes; otherwise (a generic row, or a count override) every record is looked at.
   */
  inWindow(def: StreamDef, parent: Located | undefined, range: DayRange): Selection {
    const spec = this.spec(def.name);
    if (spec?.window && this.counts[def.name] === undefined) {
      const { start, end } = spec.window.range(this.countContext(def, parent), range.from, range.to);
      return { length: Math.max(0, end - start), at: (k) => start + k };
    }
    const field = spec?.window?.field ?? def.cursor?.field;
    const total = this.count(def, parent);
    const picked: number[] = [];
    for (let i = 0; i < total; i++) {
      const value = field === undefined ? undefined : fieldAt(this.locate(def, parent, i).record, field);
      const ms = typeof value === 'string' ? Date.parse(value) : NaN;
      // A record without a usable date is in every window, as a server that cannot filter it would do.
      if (!Number.isFinite(ms) || (ms >= range.from && ms < range.to + DAY_MS)) picked.push(i);
    }
    return { length: picked.length, at: (k) => picked[k] };
  }

  /** The records one request of a row listed in parts asks for (see KindSpec.listedPart). */
  listed(def: StreamDef, parent: Located | undefined, query: URLSearchParams): Selection {
    const total = this.count(def, parent);
    const part = this.spec(def.name)?.listedPart;
    return part ? part(query, total, this.view) : { length: total, at: (k) => k };
  }

  /** Key of a top-level record, without generating it. */
  key(name: string, index: number, field?: string): KeyValue {
    const codecs = this.spec(name)?.keys ?? {};
    const codec = codecs[field ?? Object.keys(codecs)[0]];
    return codec ? codec.encode(index, this.salt(name)) : index;
  }

  locate(def: StreamDef, parent: Located | undefined, index: number): Located {
    const spec = this.spec(def.name);
    if (!spec) throw new Error(`no generator for stream ${def.name}`);
    const salt = this.salt(def.name, parent);
    const codecs = spec.keys ?? {};
    // A churned top-level record changes its fields, not its keys (fake-api/churn.ts).
    const epoch = parent ? 0 : (this.churn?.epoch(def.name, `${def.name}:${index}`) ?? 0);
    this.rng.seed(epoch === 0 ? seedOf(salt, index) : seedOf(salt, index, 'epoch', epoch));
    const record = spec.make({
      index,
      f: this.faker,
      rng: this.rng,
      parent,
      account: this.view,
      key: (field) => codecs[field]?.encode(index, salt) ?? index,
    });
    for (const [field, codec] of Object.entries(codecs)) record[field] = codec.encode(index, salt);
    let view = record;
    if (def.parent && parent) {
      view = { ...record };
      for (const placeholder of Object.keys(def.parent.keys)) view[placeholder] = injectedValue(def.parent, placeholder, parent.view);
    }
    return { def, index, record, view, address: `${parent?.address ?? ''}/${def.name}:${index}`, parent };
  }

  /** The record of `def` under `parent` whose fields have these values (as strings, from a URL). */
  find(def: StreamDef, parent: Located | undefined, values: Readonly<Record<string, string>>): Located | undefined {
    const codecs = this.spec(def.name)?.keys ?? {};
    const salt = this.salt(def.name, parent);
    const total = this.count(def, parent);
    const candidates = new Set<number>();
    let decodable = false;
    for (const [field, value] of Object.entries(values)) {
      const codec = codecs[field];
      if (!codec) continue;
      decodable = true;
      const index = codec.decode(value, salt);
      if (index !== undefined && index < total) candidates.add(index);
    }
    if (!decodable && total <= SCAN_LIMIT) for (let i = 0; i < total; i++) candidates.add(i);
    for (const index of candidates) {
      const found = this.locate(def, parent, index);
      if (Object.entries(values).every(([field, value]) => String(fieldAt(found.view, field)) === value)) return found;
    }
    return undefined;
  }

  /**
   * Finds the parent a child path names. Undefined when any record up the chain does not exist, or
   * the parent is one the child does not exist for (pools of a MySQL cluster).
   */
  resolve(def: StreamDef, params: Readonly<Record<string, string>>): { parent?: Located } | undefined {
    if (!def.parent) return {};
    const parentDef = this.defs.get(def.parent.stream);
    if (!parentDef) return undefined;
    const fieldValues: Record<string, string> = {};
    for (const [placeholder, field] of Object.entries(def.parent.keys)) {
      const segment = params[placeholder];
      // The path holds the formatted value (`do:team:{uuid}`): anything else names no parent.
      const value = segment === undefined ? undefined : parentFieldValue(def.parent, placeholder, segment);
      if (value === undefined) return undefined;
      fieldValues[field] = value;
    }
    // The parent's own placeholders are fields injected into it, which the child names the same way.
    const parentParams: Record<string, string> = {};
    let addressed = true;
    for (const placeholder of Object.keys(parentDef.parent?.keys ?? {})) {
      const value = fieldValues[placeholder] ?? params[placeholder];
      if (value === undefined) addressed = false;
      else parentParams[placeholder] = value;
    }
    // A child path may name its parent alone (/v2/gen-ai/evaluation_runs/{uuid}/results: a run is known
    // by its uuid, not under its test case): the parent is then looked for under every grandparent.
    const parent = addressed ? this.findUnder(parentDef, parentParams, fieldValues) : this.findAnywhere(parentDef, fieldValues);
    if (!parent || !this.admits(def, parent)) return undefined;
    return { parent };
  }

  private findUnder(def: StreamDef, params: Readonly<Record<string, string>>, values: Readonly<Record<string, string>>): Located | undefined {
    const above = this.resolve(def, params);
    return above ? this.find(def, above.parent, values) : undefined;
  }

  private findAnywhere(def: StreamDef, values: Readonly<Record<string, string>>): Located | undefined {
    for (const above of this.parents(def)) {
      const found = this.find(def, above, values);
      if (found) return found;
    }
    return undefined;
  }

  private admits(def: StreamDef, parent: Located): boolean {
    const filter = def.parent?.filter;
    return !filter || filter.values.includes(String(fieldAt(parent.view, filter.field)));
  }

  /** The record as a token sees it. Mutates `loc.record`: use each Located for one answer only. */
  serve(loc: Located, withSecrets: boolean): JsonObject {
    const hide = this.spec(loc.def.name)?.hideCredentials;
    return withSecrets || !hide ? loc.record : hide(loc.record);
  }

  bodyExtras(def: StreamDef, parent: Located | undefined): JsonObject {
    const extras = this.spec(def.name)?.bodyExtras;
    return extras ? extras(parent, new Rng(seedOf(this.salt(def.name, parent), 'extras'))) : {};
  }

  /** Every parent a child stream is read under, in the order a connector walks them. */
  *parents(def: StreamDef): Generator<Located | undefined> {
    if (!def.parent) {
      yield undefined;
      return;
    }
    const parentDef = this.defs.get(def.parent.stream);
    if (!parentDef) return;
    for (const above of this.parents(parentDef)) {
      const n = this.count(parentDef, above);
      for (let i = 0; i < n; i++) {
        const parent = this.locate(parentDef, above, i);
        if (this.admits(def, parent)) yield parent;
      }
    }
  }

  *expected(name: string, options: ExpectedOptions = {}): Generator<JsonObject> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`unknown stream: ${name}`);
    for (const parent of this.parents(def)) {
      const n = this.count(def, parent);
      for (let i = 0; i < n; i++) {
        const loc = this.locate(def, parent, i);
        const record = this.serve(loc, options.withSecrets ?? false);
        if (options.raw) {
          yield record;
          continue;
        }
        const out: JsonObject = { ...record };
        for (const placeholder of Object.keys(def.parent?.keys ?? {})) out[placeholder] = loc.view[placeholder];
        if (def.shape === 'map' && def.mapKeyField && !(def.mapKeyField in out)) out[def.mapKeyField] = mapKey(def, loc);
        yield out;
      }
    }
  }
}

/** The key of a record in a `map`-shaped body. */
export function mapKey(def: StreamDef, loc: Located): string {
  const value = def.mapKeyField ? loc.record[def.mapKeyField] : undefined;
  return value === undefined || value === null ? String(loc.index) : String(value);
}
