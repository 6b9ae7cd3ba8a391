/**
 * ParentLink.hint applied: which parents a child stream need not be requested for, because data the
 * connector already has (or reads once) proves they have no child records. Generic over the rows.
 */
import type { Record_ } from '../records/shape.js';
import type { ChangeHint, FanoutHint, NamedBy, ParentLink, StreamDef } from '../streams/types.js';

/** A field of a record; a dotted name reaches into nested objects (`team.uuid`). */
export function valueAt(record: unknown, field: string): unknown {
  let node: unknown = record;
  for (const part of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record_)[part];
  }
  return node;
}

/** Every scalar in a value, arrays (of arrays) flattened, as strings for comparison. */
function scalars(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) scalars(item, out);
  else if (value !== undefined && value !== null) out.push(String(value));
  return out;
}

/** The parent fields a hint reads, which the parent's projection must keep. */
export function hintParentFields(hint: FanoutHint | undefined): string[] {
  if (!hint) return [];
  return 'nonEmpty' in hint ? [hint.nonEmpty] : hint.namedBy.match.map((m) => m.parentField);
}

/**
 * The fields of a source stream's records a `namedBy` hint reads (empty: the whole item), with those its
 * `only` filter and a ChangeHint of the same link read.
 */
export function hintListedFields(link: ParentLink | undefined, source: string): string[] {
  const hint = link?.hint;
  if (!hint || !('namedBy' in hint)) return [];
  if (hint.namedBy.source.stream !== source) return [];
  const fields = hint.namedBy.match.flatMap((m) => (m.listed ? [m.listed] : []));
  if (hint.namedBy.only) fields.push(hint.namedBy.only.field);
  if (typeof link?.changeHint === 'object') fields.push(link.changeHint.namedItems);
  return fields;
}

export interface HintOutcome {
  parents: Record_[];
  /** Why nothing was skipped, when the evidence could not be trusted or read. */
  unused?: string;
}

/** `nonEmpty`: parents whose array field is non-empty, if the field can be trusted at all. */
export function byNonEmpty(field: string, parents: readonly Record_[]): HintOutcome {
  const lists = parents.map((p) => valueAt(p, field));
  if (!lists.every(Array.isArray)) return { parents: [...parents], unused: `some parents have no '${field}' list` };
  if (!lists.some((l) => (l as unknown[]).length > 0)) {
    // Either nothing has any, or the token cannot see the field: the two look the same.
    return { parents: [...parents], unused: `no parent has a non-empty '${field}', which may mean the token cannot see it` };
  }
  return { parents: parents.filter((_, i) => (lists[i] as unknown[]).length > 0) };
}

/** Per match, the listed items (that pass `only`) by each value that names a parent. */
function namingIndex(namedBy: NamedBy, listed: readonly unknown[]): Map<string, unknown[]>[] {
  const only = namedBy.only;
  const counted = only ? listed.filter((item) => only.values.includes(String(valueAt(item, only.field)))) : listed;
  return namedBy.match.map((m) => {
    const index = new Map<string, unknown[]>();
    for (const item of counted) {
      for (const v of scalars(m.listed ? valueAt(item, m.listed) : item)) {
        const items = index.get(v);
        if (items) items.push(item);
        else index.set(v, [item]);
      }
    }
    return index;
  });
}

/** The listed items naming one parent, each once. */
function namingItems(namedBy: NamedBy, index: readonly Map<string, unknown[]>[], parent: Record_): unknown[] {
  const found = new Set<unknown>();
  namedBy.match.forEach((m, i) => {
    for (const v of scalars(valueAt(parent, m.parentField))) for (const item of index[i].get(v) ?? []) found.add(item);
  });
  return [...found];
}

/** For each parent, the listed items naming it (each once, in list order of discovery). */
export function itemsNaming(namedBy: NamedBy, parents: readonly Record_[], listed: readonly unknown[]): unknown[][] {
  const index = namingIndex(namedBy, listed);
  return parents.map((p) => namingItems(namedBy, index, p));
}

/** `untrustedWhenNoneNamed`: the list names none of the parents, so it may not be the whole truth. */
function noneNamed(namedBy: NamedBy, parents: number, named: number): boolean {
  return namedBy.untrustedWhenNoneNamed === true && parents > 0 && named === 0;
}

const NONE_NAMED = 'it names none of them, which may mean the token cannot see the items that would';

/** `namedBy`: parents some listed item names. */
export function byNamedBy(namedBy: NamedBy, parents: readonly Record_[], listed: readonly unknown[]): HintOutcome {
  const index = namingIndex(namedBy, listed);
  const named = parents.filter((p) => namingItems(namedBy, index, p).length > 0);
  // Either no parent has any, or the token cannot see the items that would name them.
  if (noneNamed(namedBy, parents.length, named.length)) return { parents: [...parents], unused: NONE_NAMED };
  return { parents: named };
}

/**
 * A ChangeHint's value for each parent: the sorted `namedItems` values of the listed items naming it
 * (sorted, as the list's order says nothing about the parent). Undefined when the hint itself is not
 * trusted: an empty set for every parent would then skip parents that do have new records.
 */
export function namedChangeValues(namedBy: NamedBy, change: ChangeHint, parents: readonly Record_[], listed: readonly unknown[]): string[][] | undefined {
  const index = namingIndex(namedBy, listed);
  const items = parents.map((p) => namingItems(namedBy, index, p));
  if (noneNamed(namedBy, parents.length, items.filter((naming) => naming.length > 0).length)) return undefined;
  return items.map((naming) => naming.flatMap((item) => scalars(valueAt(item, change.namedItems))).sort());
}

/** How a row's change hint is named in log lines. */
export function changeHintLabel(link: ParentLink): string {
  const change = link.changeHint;
  if (typeof change === 'object') {
    const source = link.hint && 'namedBy' in link.hint ? link.hint.namedBy.source.stream : '?';
    return `the set of '${source}' items naming each (by '${change.namedItems}')`;
  }
  return `the '${change ?? ''}'`;
}

/** A short name for the evidence of a row's hint, for log lines. */
export function hintLabel(def: StreamDef): string {
  const hint = def.parent?.hint;
  if (!hint) return '';
  if ('nonEmpty' in hint) return `'${hint.nonEmpty}'`;
  return `the '${hint.namedBy.source.stream}' list`;
}
