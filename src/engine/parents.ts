import type { PartitionKeys, Record_ } from '../records/shape.js';
import { digestOf } from '../state/parent-digests.js';
import { findStream, STREAMS } from '../streams/index.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { byNamedBy, byNonEmpty, hintLabel, itemsNaming, hintListedFields, hintParentFields, namedChangeValues, valueAt, type HintOutcome } from './hints.js';
import { childPartitions, partitionId } from './partitions.js';
import { walkStream } from './walk.js';

/**
 * The fields of a parent's records that its children use (keys, filters, hint fields), and those a
 * hint of another stream reads from it: all we keep of a parent.
 */
function projectionFields(parent: string): string[] {
  const fields = new Set<string>();
  for (const def of STREAMS) {
    for (const field of hintListedFields(def.parent, parent)) fields.add(field);
    // A row derived from a namedBy list takes its items whole (Freshness.derivedFrom).
    const from = def.freshness?.derivedFrom;
    const hint = def.parent?.hint;
    if (from && 'namedBy' in from && hint && 'namedBy' in hint && hint.namedBy.source.stream === parent) fields.add(WHOLE);
    if (def.parent?.stream !== parent) continue;
    for (const field of Object.values(def.parent.keys)) fields.add(field);
    if (def.parent.filter) fields.add(def.parent.filter.field);
    for (const field of hintParentFields(def.parent.hint)) fields.add(field);
    if (typeof def.parent.changeHint === 'string') fields.add(def.parent.changeHint);
    for (const field of def.freshness?.changedBy ?? []) fields.add(field);
    if (from && 'parentField' in from) fields.add(from.parentField);
  }
  return [...fields];
}

/** Streams whose records some other row needs: parents, and the sources of `namedBy` hints. */
export function isNeededBy(name: string, others: readonly StreamDef[]): boolean {
  return others.some((other) => {
    const link = other.parent;
    if (!link) return false;
    if (link.stream === name) return true;
    const hint = link.hint;
    return hint !== undefined && 'namedBy' in hint && hint.namedBy.source.stream === name;
  });
}

/** Marks a projection that keeps whole records. */
const WHOLE = '*';

function project(record: Record_, fields: readonly string[]): Record_ {
  if (fields.includes(WHOLE)) return record;
  const kept: Record_ = {};
  for (const field of fields) kept[field] = valueAt(record, field);
  return kept;
}

/** Collects a parent's projected records while the parent stream itself is being read and emitted. */
export class ParentCollector {
  readonly records: Record_[] = [];
  readonly fields: string[];
  readonly done: Promise<Record_[]>;
  private settle!: { resolve(records: Record_[]): void; reject(error: unknown): void };

  constructor(readonly stream: string) {
    this.fields = projectionFields(stream);
    this.done = new Promise<Record_[]>((resolve, reject) => (this.settle = { resolve, reject }));
    // A parent may fail with no child left to await it; that must not become an unhandled rejection.
    this.done.catch(() => undefined);
  }

  add(records: readonly Record_[]): void {
    for (const record of records) this.records.push(project(record, this.fields));
  }

  finish(): void {
    this.settle.resolve(this.records);
  }

  fail(error: unknown): void {
    this.settle.reject(error);
  }
}

export class ParentFailed extends Error {
  constructor(readonly parent: string, readonly parentError: unknown) {
    super(`its parent stream '${parent}' could not be read`);
    this.name = 'ParentFailed';
  }
}

/**
 * Parent lists, each fetched once per command however many children need it: from the parent stream's
 * own read when it is in the catalog, otherwise by a silent read whose records are not emitted.
 */
export class ParentRegistry {
  private readonly lists = new Map<string, Promise<Record_[]>>();
  private readonly partitions = new Map<string, Promise<PartitionKeys[]>>();

  /**
   * `waitersOf(stream)`: the configured streams a silent read of `stream` holds up, named in its
   * rate-limit waits instead of a stream the catalog does not have.
   */
  constructor(
    private readonly ctx: EngineContext,
    private readonly waitersOf: (stream: string) => readonly string[] = () => [],
  ) {}

  /** Called before reading starts, for each configured stream that some configured child needs. */
  collectorFor(stream: string): ParentCollector {
    const collector = new ParentCollector(stream);
    this.lists.set(stream, collector.done);
    return collector;
  }

  /** The partitions of a child stream, computed once per command (the cost estimate asks too). */
  partitionsOf(def: StreamDef): Promise<PartitionKeys[]> {
    let partitions = this.partitions.get(def.name);
    if (!partitions) {
      partitions = this.computePartitions(def);
      partitions.catch(() => undefined);
      this.partitions.set(def.name, partitions);
    }
    return partitions;
  }

  /**
   * Per partition, the digest of the parent's change hint (ParentLink.changeHint); empty without one,
   * and when a ChangeHint's list cannot be read or trusted (every parent is then requested).
   */
  async changeDigestsOf(def: StreamDef): Promise<Map<string, string>> {
    const digests = new Map<string, string>();
    const link = def.parent;
    const change = link?.changeHint;
    if (!link || !change) return digests;
    const parents = await this.listOf(link.stream);
    let values: unknown[] | undefined = typeof change === 'string' ? parents.map((p) => valueAt(p, change)) : undefined;
    if (typeof change === 'object') {
      const hint = link.hint;
      if (!hint || !('namedBy' in hint)) throw new Error(`internal: stream ${def.name} has a change hint from a list but no namedBy hint`);
      let listed: unknown[];
      try {
        listed = await this.listOf(hint.namedBy.source.stream);
      } catch {
        // computePartitions has said why: the list could not be read, so every parent is requested.
        return digests;
      }
      values = namedChangeValues(hint.namedBy, change, parents, listed);
    }
    if (!values) return digests;
    parents.forEach((parent, i) => {
      const { partitions } = childPartitions(def, [parent]);
      if (partitions.length === 1) digests.set(partitionId(partitions[0]), digestOf(values[i]));
    });
    return digests;
  }

  /**
   * Per partition, the parent's values of `fields` (StreamDef.freshness.changedBy), for the plan to
   * digest; a partition made of several parents (a region listed twice) takes the first.
   */
  async fieldValuesOf(def: StreamDef, fields: readonly string[]): Promise<Map<string, unknown[]>> {
    const values = new Map<string, unknown[]>();
    const link = def.parent;
    if (!link) return values;
    for (const parent of await this.listOf(link.stream)) {
      const { partitions } = childPartitions(def, [parent]);
      const id = partitions.length === 1 ? partitionId(partitions[0]) : undefined;
      // The projection keeps each field under its (dotted) name.
      if (id !== undefined && !values.has(id)) values.set(id, fields.map((field) => parent[field] ?? null));
    }
    return values;
  }

  /**
   * Per partition, the raw items a derived row's records are built from (Freshness.derivedFrom), with
   * the partition's keys; undefined when the namedBy list could not be read (the row is then read by
   * request).
   */
  async derivedItemsOf(def: StreamDef): Promise<Map<string, { keys: PartitionKeys; items: Record_[] }> | undefined> {
    const link = def.parent;
    const from = def.freshness?.derivedFrom;
    if (!link || !from) return undefined;
    const parents = await this.listOf(link.stream);
    let perParent: unknown[][];
    if ('parentField' in from) {
      perParent = parents.map((p) => {
        const value = p[from.parentField];
        return Array.isArray(value) ? value : [];
      });
    } else {
      const hint = link.hint;
      if (!hint || !('namedBy' in hint)) throw new Error(`internal: stream ${def.name} is derived from a namedBy list it has not`);
      let listed: unknown[];
      try {
        listed = await this.listOf(hint.namedBy.source.stream);
      } catch {
        return undefined;
      }
      perParent = itemsNaming(hint.namedBy, parents, listed);
    }
    const out = new Map<string, { keys: PartitionKeys; items: Record_[] }>();
    parents.forEach((parent, i) => {
      const { partitions } = childPartitions(def, [parent]);
      if (partitions.length !== 1) return;
      const id = partitionId(partitions[0]);
      if (out.has(id)) return;
      const itemField = 'parentField' in from ? from.itemField : undefined;
      const items = perParent[i].map((item) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record_) : { [itemField ?? 'value']: item }));
      out.set(id, { keys: partitions[0], items });
    });
    return out;
  }

  private listOf(stream: string): Promise<Record_[]> {
    let list = this.lists.get(stream);
    if (!list) {
      list = this.readSilently(stream);
      list.catch(() => undefined);
      this.lists.set(stream, list);
    }
    return list;
  }

  private async computePartitions(def: StreamDef): Promise<PartitionKeys[]> {
    const link = def.parent;
    if (!link) return [];
    let parents: Record_[];
    try {
      parents = await this.listOf(link.stream);
    } catch (error) {
      throw new ParentFailed(link.stream, error);
    }
    const filtered = childPartitions(def, parents);
    if (filtered.keyless > 0) {
      this.ctx.log('WARN', `Stream '${def.name}': ${filtered.keyless} '${link.stream}' records have no value for the key this stream needs; their children cannot be read.`);
    }
    if (!link.hint || this.ctx.exhaustiveFanout) return filtered.partitions;
    const outcome = await this.applyHint(def, parents);
    const label = hintLabel(def);
    if (outcome.unused !== undefined) {
      this.ctx.log('INFO', `Stream '${def.name}': every '${link.stream}' record is requested, because ${label} cannot be relied on: ${outcome.unused}.`);
      return filtered.partitions;
    }
    const { partitions } = childPartitions(def, outcome.parents);
    const skipped = filtered.partitions.length - partitions.length;
    this.ctx.log('INFO', `Stream '${def.name}': ${partitions.length} of ${filtered.partitions.length} '${link.stream}' records requested; ${label} shows the other ${skipped} have none (set exhaustive_fanout to request them all).`);
    return partitions;
  }

  private async applyHint(def: StreamDef, parents: Record_[]): Promise<HintOutcome> {
    const hint = def.parent?.hint;
    if (!hint) return { parents };
    if ('nonEmpty' in hint) return byNonEmpty(hint.nonEmpty, parents);
    const from = hint.namedBy.source;
    let listed: unknown[];
    try {
      listed = await this.listOf(from.stream);
    } catch (error) {
      return { parents, unused: `it could not be read (${error instanceof Error ? error.message : String(error)})` };
    }
    return byNamedBy(hint.namedBy, parents, listed);
  }

  private async readSilently(name: string): Promise<Record_[]> {
    const def = findStream(name);
    if (!def) throw new Error(`internal: unknown parent stream ${name}`);
    const collector = new ParentCollector(name);
    const partitions = def.parent ? await this.partitionsOf(def) : [undefined];
    await walkStream(def, partitions, this.ctx, { onPage: (records) => collector.add(records), waitLabels: this.waitersOf(name) });
    return collector.records;
  }
}
