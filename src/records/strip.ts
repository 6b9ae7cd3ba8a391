/**
 * Removal of secret fields, compiled once per stream from the table's strip paths:
 * `a.b` removes `b` inside `a`; `a[].b` removes `b` in every element of array `a`; `a..b` removes every
 * `b` at any depth below `a` (and `..b` anywhere in the record). Arrays are walked element by element
 * wherever they occur, so a secret inside a list is removed even when the path does not say `[]`.
 */

export interface StripStep {
  name: string;
  /** Match `name` at any depth below the current node, not only as a direct child. */
  deep: boolean;
}

/** Removes a stream's strip paths from a record; `onRemove` hears the strip path of each value removed. */
export type Stripper = (record: Record<string, unknown>, onRemove?: (path: string) => void) => void;

/** Whether a removed value was worth counting: something, not null or an empty string. */
const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** A strip path as steps; also used by the over-privilege proof, which looks where stripping removes. */
export function parseStripPath(path: string): StripStep[] {
  const steps: StripStep[] = [];
  let deep = false;
  for (const part of path.split('.')) {
    if (part === '') {
      deep = true;
      continue;
    }
    steps.push({ name: part.endsWith('[]') ? part.slice(0, -2) : part, deep });
    deep = false;
  }
  if (deep || steps.length === 0) throw new Error(`strip path '${path}' is malformed`);
  return steps;
}

function apply(node: unknown, steps: readonly StripStep[], at: number, removed: (value: unknown) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) apply(item, steps, at, removed);
    return;
  }
  const object = node as Record<string, unknown>;
  const { name, deep } = steps[at];
  const last = at === steps.length - 1;
  if (deep) {
    for (const key of Object.keys(object)) {
      if (key !== name) apply(object[key], steps, at, removed);
      else if (last) {
        removed(object[key]);
        delete object[key];
      } else {
        apply(object[key], steps, at + 1, removed);
        // `..a.b` also means an `a` nested inside this one.
        apply(object[key], steps, at, removed);
      }
    }
    return;
  }
  if (!Object.hasOwn(object, name)) return;
  if (last) {
    removed(object[name]);
    delete object[name];
  } else apply(object[name], steps, at + 1, removed);
}

export function compileStripper(paths: readonly string[]): Stripper {
  if (paths.length === 0) return () => undefined;
  // Callbacks made once per stream, not per record: the listener of the record at hand is `sink`.
  let sink: ((path: string) => void) | undefined;
  const compiled = paths.map((path) => ({
    steps: parseStripPath(path),
    removed: (value: unknown) => {
      if (sink && present(value)) sink(path);
    },
  }));
  return (record, onRemove) => {
    sink = onRemove;
    for (const { steps, removed } of compiled) apply(record, steps, 0, removed);
    sink = undefined;
  };
}
