import type { PartitionKeys, Record_ } from '../records/shape.js';
import { findStream, STREAMS } from '../streams/index.js';
import type { StreamDef } from '../streams/types.js';
import type { EngineContext } from './context.js';
import { childPartitions } from './partitions.js';
import { walkStream } from './walk.js';

/** The fields of a parent's records that its children use (keys and filters): all we keep of a parent. */
function projectionFields(parent: string): string[] {
  const fields = new Set<string>();
  for (const def of STREAMS) {
    if (def.parent?.stream !== parent) continue;
    for (const field of Object.values(def.parent.keys)) fields.add(field);
    if (def.parent.filter) fields.add(def.parent.filter.field);
  }
  return [...fields];
}

/** A field of a record; a dotted name reaches into nested objects (`team.uuid`). */
function valueAt(record: Record_, field: string): unknown {
  if (!field.includes('.')) return record[field];
  let node: unknown = record;
  for (const part of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record_)[part];
  }
  return node;
}

function project(record: Record_, fields: readonly string[]): Record_ {
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

  constructor(private readonly ctx: EngineContext) {}

  /** Called before reading starts, for each configured stream that some configured child needs. */
  collectorFor(stream: string): ParentCollector {
    const collector = new ParentCollector(stream);
    this.lists.set(stream, collector.done);
    return collector;
  }

  async partitionsOf(def: StreamDef): Promise<PartitionKeys[]> {
    const link = def.parent;
    if (!link) return [];
    let list = this.lists.get(link.stream);
    if (!list) {
      list = this.readSilently(link.stream);
      list.catch(() => undefined);
      this.lists.set(link.stream, list);
    }
    let parents: Record_[];
    try {
      parents = await list;
    } catch (error) {
      throw new ParentFailed(link.stream, error);
    }
    const { partitions, keyless } = childPartitions(def, parents);
    if (keyless > 0) {
      this.ctx.log('WARN', `Stream '${def.name}': ${keyless} '${link.stream}' records have no value for the key this stream needs; their children cannot be read.`);
    }
    return partitions;
  }

  private async readSilently(name: string): Promise<Record_[]> {
    const def = findStream(name);
    if (!def) throw new Error(`internal: unknown parent stream ${name}`);
    const collector = new ParentCollector(name);
    const partitions = def.parent ? await this.partitionsOf(def) : [undefined];
    await walkStream(def, partitions, this.ctx, { onPage: (records) => collector.add(records) });
    return collector.records;
  }
}
