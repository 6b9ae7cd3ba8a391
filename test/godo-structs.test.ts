import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { godoMatches, type GodoField, type GodoStructs } from '../scripts/godo-types.js';
import { loadSchema, type JsonSchema } from '../src/streams/schemas.js';
import { STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';

/**
 * Every field of the godo struct a stream's records decode into (github.com/digitalocean/godo, the
 * client doctl and the Terraform provider run on) is a column of the stream's schema, at every depth
 * where the schema declares properties: a typed destination keeps only the fields the schema names.
 * test/fixtures/godo-structs.json is written by scripts/godo-structs.ts from godo's source, at the
 * commit it records; this test needs no godo checkout.
 */
const godo = JSON.parse(readFileSync(new URL('./fixtures/godo-structs.json', import.meta.url), 'utf8')) as GodoStructs;
const table = JSON.parse(readFileSync(new URL('./fixtures/godo-streams.json', import.meta.url), 'utf8')) as { commit: string };

const resolve = (goType: string): string => {
  let type = goType.replace(/^\*/, '');
  for (let i = 0; i < 10 && godo.types[type]?.underlying !== undefined; i++) type = godo.types[type].underlying!.replace(/^\*/, '');
  return type;
};

/** A strip path (syntax in src/streams/types.ts) removes `path` or an ancestor: the field is a secret, not a column. */
function stripped(def: StreamDef, path: string[]): boolean {
  const plain = path.map((p) => p.replace(/\[\]$/, ''));
  // `''` (from `..`) stands for any number of segments; a rule matching a prefix removes the subtree.
  const match = (rule: string[], at: number): boolean => {
    if (rule.length === 0) return true;
    const [head, ...rest] = rule;
    if (head === '') {
      for (let i = at; i <= plain.length; i++) if (match(rest, i)) return true;
      return false;
    }
    return at < plain.length && plain[at] === head && match(rest, at + 1);
  };
  return def.strip.some((rule) => match(rule.split('.').map((p) => p.replace(/\[\]$/, '')), 0));
}

/** godo fields the schema does not declare, as dotted paths, walking godo's types and the schema together. */
function missing(def: StreamDef, goType: string, node: JsonSchema, at: string[], seen: string[]): string[] {
  const type = resolve(goType);
  if (type.startsWith('[]')) return node.items ? missing(def, type.slice(2), node.items, [...at.slice(0, -1), `${at[at.length - 1] ?? ''}[]`], seen) : [];
  const fields: GodoField[] = godo.types[type]?.fields ?? [];
  if (fields.length === 0 || !node.properties || seen.includes(type)) return [];
  const out: string[] = [];
  for (const f of fields) {
    const key = Object.keys(node.properties).find((k) => godoMatches(f, k));
    const path = [...at, f.json];
    if (key === undefined) {
      // Untagged fields are matched loosely and never added under a guessed name (scripts/generate-schemas.ts).
      if (!f.untagged && !stripped(def, path)) out.push(path.join('.'));
      continue;
    }
    out.push(...missing(def, f.type, node.properties[key], [...at, key], [...seen, type]));
  }
  return out;
}

t.test('the fixture is read from the same godo commit as the godo table', async (t) => {
  t.match(godo.commit, /^[0-9a-f]{40}$/);
  t.equal(godo.commit, table.commit, 'test/fixtures/godo-streams.json and godo-structs.json agree');
  t.ok(Object.keys(godo.streams).length >= 120, `${Object.keys(godo.streams).length} streams typed by godo`);
});

t.test('every godo field of a stream\'s record type is declared by its schema, at every depth', async (t) => {
  let fields = 0;
  for (const def of STREAMS) {
    const record = godo.streams[def.name];
    if (!record) continue;
    fields += godo.types[record.type].fields?.length ?? 0;
    t.same(missing(def, record.type, loadSchema(def.name), [], []), [], `${def.name}: godo ${record.file} ${record.type} (${record.via})`);
  }
  t.comment(`${fields} top-level godo fields compared`);
});

t.test('known fields DigitalOcean\'s clients send and our schemas once lacked (issue 25)', async (t) => {
  // Each: stream, field, godo struct.field (file at the fixture's commit).
  const cases: [string, string, string][] = [
    ['account', 'volume_limit', 'account.go Account.VolumeLimit'],
    ['dedicated_inference_sizes', 'regions', 'dedicated_inference.go DedicatedInferenceSize.Regions'],
    ['dedicated_inference_gpu_model_configs', 'is_model_gated', 'dedicated_inference.go DedicatedInferenceGPUModelConfig.IsModelGated'],
    ['dedicated_inferences', 'name', 'dedicated_inference.go DedicatedInferenceListItem.Name'],
    ['dedicated_inferences', 'provider_model_id', 'dedicated_inference.go DedicatedInferenceListItem.ProviderModelID'],
    ['genai_indexing_jobs', 'total_items_indexed', 'gradientai.go LastIndexingJob.TotalItemsIndexed'],
    ['genai_models', 'inference_name', 'gradientai.go Model.InferenceName'],
    ['genai_models', 'usecases', 'gradientai.go Model.Usecases'],
    ['invoice_items', 'category', 'invoices.go InvoiceItem.Category'],
    ['droplet_backups', 'distribution', 'images.go Image.Distribution'],
    ['droplet_snapshots', 'public', 'images.go Image.Public'],
  ];
  for (const [stream, field, source] of cases) t.ok(loadSchema(stream).properties?.[field], `${stream}.${field} declared (godo ${source})`);
  // Seen only in client test bodies (scripts/generate-schemas.ts CLIENT_FIELDS): doctl
  // integration/database_list_test.go and godo sizes_test.go at the commits named there.
  t.same(loadSchema('database_clusters').properties?.read_only?.type, ['boolean', 'null'], 'database_clusters.read_only (doctl)');
  t.same(loadSchema('sizes').properties?.networking_throughput?.type, ['integer', 'null'], 'sizes.networking_throughput (godo sizes_test.go)');
  // godo partner_network_connect.go (*BGP).UnmarshalJSON reads these for local_asn / peer_asn.
  t.ok(loadSchema('partner_network_connect_attachments').properties?.bgp?.properties?.local_router_asn, 'bgp.local_router_asn');
});

/** Keys godo's type does not decode, and the evidence that they exist. */
const KEY_NOT_IN_GODO: Readonly<Record<string, string>> = {
  'kubernetes_cluster_lint_results.run_id': 'godo clusterlintDiagnosticsRoot keeps only diagnostics; the OpenAPI clusterlint_results has run_id, and so has its example',
};

t.test('every primary key field is a field of godo\'s record type that is never null', async (t) => {
  for (const def of STREAMS) {
    const record = godo.streams[def.name];
    if (!record) continue;
    const fields = godo.types[record.type].fields ?? [];
    const injected = new Set([...Object.keys(def.parent?.keys ?? {}), ...(def.mapKeyField ? [def.mapKeyField] : [])]);
    for (const key of def.primaryKey) {
      if (injected.has(key) || KEY_NOT_IN_GODO[`${def.name}.${key}`]) continue;
      const f = fields.find((x) => godoMatches(x, key));
      t.ok(f, `${def.name}: primary key ${key} is a field of godo ${record.type}`);
      // A pointer decodes JSON null; a value type always holds a value.
      if (f) t.notMatch(f.type, /^\*/, `${def.name}: godo ${record.type}.${key} is ${f.type}, not a pointer`);
    }
  }
});

const GODO = '/work/.mirror/digitalocean+godo/repo';
t.test('the fixture is what scripts/godo-structs.ts reads from godo', { skip: !existsSync(GODO) && `no godo checkout at ${GODO}` }, async (t) => {
  // Imported only here: the parser needs a godo git directory, which most machines lack.
  const { godoStructs } = await import('../scripts/godo-structs.js');
  const fresh = godoStructs(GODO, JSON.parse(readFileSync(new URL('./fixtures/godo-streams.json', import.meta.url), 'utf8')));
  if (fresh.commit !== godo.commit) {
    t.comment(`godo checkout at ${fresh.commit}, fixture at ${godo.commit}: compared at different commits, skipped`);
    return;
  }
  t.same(fresh, godo, 'test/fixtures/godo-structs.json is up to date (node dist/scripts/godo-structs.js)');
});
