/**
 * The body of a stream's answer: its records in the row's shape, plus links and meta (or the page
 * counts) when it pages. A row whose path takes a date range answers with the records of that range.
 */
import { recordsPath, type StreamDef } from '../src/streams/types.js';
import { mapKey } from './data/dataset.js';
import type { Dataset, DayRange, Selection } from './data/dataset.js';
import type { Json, JsonObject, Located } from './data/types.js';
import { pageLinks } from './pagination.js';
import type { LinkContext, Paging } from './pagination.js';

export interface RenderInput {
  dataset: Dataset;
  def: StreamDef;
  parent: Located | undefined;
  /** null: the row returns everything at once. */
  paging: Paging | null;
  withSecrets: boolean;
  link: Omit<LinkContext, 'total'>;
  /** For a row with date windows: the range the path names. */
  window?: DayRange;
  /** The request's query, for rows listed in parts (Droplets and GPU Droplets). */
  query?: URLSearchParams;
}

/** undefined: nothing to show (an object-shaped child that does not exist for this parent → 404). */
export function renderStream(input: RenderInput): string | undefined {
  const { dataset, def, parent, paging, withSecrets } = input;
  const all = dataset.count(def, parent);
  const selection: Selection = input.window
    ? dataset.inWindow(def, parent, input.window)
    : input.query
      ? dataset.listed(def, parent, input.query)
      : { length: all, at: (k) => k };
  const total = selection.length;
  const extras = dataset.bodyExtras(def, parent);

  if (def.shape === 'object') {
    if (total === 0) return undefined;
    const record = dataset.serve(dataset.locate(def, parent, selection.at(0)), withSecrets);
    // A row read with or without its wrapper (StreamDef.bareRecordFields) gets both, on alternate
    // parents: the bare body godo reads (databases.go databaseStorageAutoscaleRoot) or the OpenAPI's
    // example shows (app_health), and the wrapped one the OpenAPI's schema declares.
    const bare = def.bareRecordFields !== undefined && (parent?.index ?? 0) % 2 === 1;
    return JSON.stringify(def.recordsKey === null || bare ? record : { [def.recordsKey]: record, ...extras });
  }

  const start = Math.min(total, paging ? paging.offset : 0);
  const end = paging ? Math.min(total, start + paging.perPage) : total;
  const key = def.recordsKey ?? def.name;
  let records: JsonObject[] | JsonObject;
  if (def.shape === 'map') {
    const map: JsonObject = {};
    for (let i = start; i < end; i++) {
      const loc = dataset.locate(def, parent, selection.at(i));
      map[mapKey(def, loc)] = dataset.serve(loc, withSecrets);
    }
    records = map;
  } else {
    records = [];
    for (let i = start; i < end; i++) records.push(dataset.serve(dataset.locate(def, parent, selection.at(i)), withSecrets));
  }
  // The database API (written in Go) sends an empty list as null; godo's fixtures show it.
  const empty = Array.isArray(records) && records.length === 0 && def.nullListIsEmpty === true;
  // A dotted records key (`scan.findings`) nests the records in wrapper objects.
  const [outer, ...inner] = def.recordsKey === null ? [key] : recordsPath(def);
  const wrapped = inner.reduceRight<Json>((value, k) => ({ [k]: value }), empty ? null : records);
  const body: JsonObject = { [outer]: wrapped, ...extras };
  if (paging) Object.assign(body, pageLinks(paging, { ...input.link, total }));
  return JSON.stringify(body);
}
