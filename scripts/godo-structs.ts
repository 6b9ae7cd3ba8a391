/**
 * Writes test/fixtures/godo-structs.json: for each stream, the struct of DigitalOcean's Go client godo
 * (github.com/digitalocean/godo) one record decodes into, with every field (JSON name, Go type, file),
 * and every godo type those fields reach. scripts/generate-schemas.ts adds godo's fields to the
 * OpenAPI's, and test/godo-structs.test.ts fails when a schema misses one, without godo on the machine.
 *
 *   npm run build && node dist/scripts/godo-structs.js [path/to/godo/git-dir]
 *
 * The record's struct is found from test/fixtures/godo-streams.json (the method's root struct and the
 * key the records sit under there), or from RECORD_TYPES below where no godo method reads the path but
 * godo declares the type. Go source is read with a line parser over `type X struct {…}` blocks, which
 * godo's gofmt'ed style allows.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { STREAMS } from '../src/streams/index.js';
import { recordsPath } from '../src/streams/types.js';
import { godoMatches, type GodoField, type GodoRecord, type GodoStructs, type GodoType } from './godo-types.js';

export type { GodoField, GodoRecord, GodoStructs, GodoType };

/**
 * Streams whose record type is not the godo table's root → records key: godo declares the type but
 * no method GETs the path, or the row reads a part of the root godo does not single out. Checked by
 * hand against godo's source.
 */
export const RECORD_TYPES: Readonly<Record<string, { type: string; why: string }>> = {
  genai_evaluation_test_cases: { type: 'EvaluationTestCase', why: 'gradientai.go declares EvaluationTestCase; no godo method lists them' },
  genai_workspaces: { type: 'Workspace', why: 'gradientai.go declares Workspace; no godo method lists workspaces' },
  genai_evaluation_metrics: { type: 'EvaluationMetric', why: 'gradientai.go EvaluationMetric, the record of its model evaluation metrics list, is the same apiEvaluationMetric' },
  security_finding_affected_resources: { type: 'AffectedResource', why: 'security.go ListFindingAffectedResources decodes affected_resources into []*AffectedResource (its path is built from a request struct)' },
  security_scan_findings: { type: 'ScanFinding', why: 'the records are scanRoot.scan.findings (Scan.Findings []*ScanFinding)' },
  kubernetes_cluster_lint_results: { type: 'clusterlintDiagnosticsRoot', why: 'the record is the whole body; godo clusterlintDiagnosticsRoot keeps only diagnostics' },
  database_options: { type: 'databaseOptionsRoot', why: 'the record is the whole body; godo databaseOptionsRoot keeps only options' },
};

/**
 * Keys a godo type's own UnmarshalJSON accepts besides its fields' tags: DigitalOcean sends them too,
 * or godo would not read them. Checked by hand; the fixture lists them as fields.
 */
export const UNMARSHAL_KEYS: Readonly<Record<string, readonly GodoField[]>> = {
  // partner_network_connect.go (*BGP).UnmarshalJSON: local_router_asn / peer_router_asn stand for local_asn / peer_asn.
  BGP: [
    { json: 'local_router_asn', type: 'int', omitempty: true },
    { json: 'peer_router_asn', type: 'int', omitempty: true },
  ],
};

/** Go types that are not structs of godo but have a known JSON form. */
const BUILTIN = /^(string|bool|u?int(8|16|32|64)?|float(32|64)|byte|rune|any|interface\{\}|Timestamp|time\.Time|json\.RawMessage|time\.Duration)$/;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

interface RawField {
  name?: string;
  type: string;
  tag?: string;
}

/** Every top-level `type X …` declaration of one file. */
function declarations(file: string, source: string, out: Map<string, { file: string; raw?: RawField[]; underlying?: string }>): void {
  for (const m of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const raw: RawField[] = [];
    let depth = 0;
    for (const line of m[2].split('\n')) {
      const code = line.replace(/\/\/.*$/, '').trim();
      // Inline anonymous structs (rare in godo): their inner lines are skipped, the field is an object.
      if (depth > 0) {
        if (code.startsWith('}')) {
          depth--;
          if (depth === 0) {
            const tag = /`json:"([^"]*)"/.exec(code)?.[1];
            const last = raw[raw.length - 1];
            if (last) last.tag = tag;
          }
        } else if (code.endsWith('{')) depth++;
        continue;
      }
      if (code === '') continue;
      const anonymous = /^(\w+)\s+(\*|\[\])?struct\s*\{$/.exec(code);
      if (anonymous) {
        raw.push({ name: anonymous[1], type: `${anonymous[2] ?? ''}map[string]any` });
        depth = 1;
        continue;
      }
      const tag = /`(?:[^`]*\s)?json:"([^"]*)"/.exec(code)?.[1];
      const named = /^(\w+)\s+([^\s`]+)/.exec(code);
      const embedded = /^\*?([\w.]+)(\s+`.*`)?$/.exec(code);
      if (named && !/^`/.test(named[2])) raw.push({ name: named[1], type: named[2], tag });
      else if (embedded) raw.push({ type: code.split(/\s/)[0], tag });
    }
    out.set(m[1], { file, raw });
  }
  for (const m of source.matchAll(/^type (\w+) ((?:\[\]|\*|map\[)?[\w.[\]*{}]+)\s*$/gm)) {
    if (m[2] !== 'struct' && !out.has(m[1])) out.set(m[1], { file, underlying: m[2] });
  }
  // Grouped declarations: `type ( A string; B int )`.
  for (const block of source.matchAll(/^type \(\n([\s\S]*?)^\)/gm)) {
    for (const m of block[1].matchAll(/^\s+(\w+)\s+((?:\[\]|\*|map\[)?[\w.[\]*]+)\s*$/gm)) {
      if (!out.has(m[1])) out.set(m[1], { file, underlying: m[2] });
    }
  }
}

/** The named types a Go type expression refers to. */
const namesIn = (type: string): string[] => [...type.matchAll(/[A-Za-z_][\w.]*/g)].map((m) => m[0]).filter((n) => n !== 'map' && !BUILTIN.test(n));

/** The struct's fields as encoding/json sees them: embedded structs flattened, `-` dropped. */
function fieldsOf(name: string, decls: Map<string, { raw?: RawField[] }>, seen: string[] = []): GodoField[] {
  const raw = decls.get(name)?.raw ?? [];
  const out: GodoField[] = [];
  for (const f of raw) {
    const [tagName, ...options] = (f.tag ?? '').split(',');
    if (tagName === '-') continue;
    if (f.name === undefined) {
      const inner = f.type.replace(/^\*/, '');
      // An embedded struct with a tag is a named field; without, its fields are promoted.
      if (tagName === '' && decls.get(inner)?.raw && !seen.includes(inner)) {
        out.push(...fieldsOf(inner, decls, [...seen, name]));
        continue;
      }
      out.push(field(tagName || inner.toLowerCase(), f.type, options, tagName === ''));
      continue;
    }
    if (!/^[A-Z]/.test(f.name)) continue;
    out.push(field(tagName || f.name.toLowerCase(), f.type, options, tagName === ''));
  }
  // A promoted field is shadowed by one of the outer struct with the same name.
  const byName = new Map<string, GodoField>();
  for (const f of out) if (!byName.has(f.json)) byName.set(f.json, f);
  return [...byName.values()];
}

function field(json: string, type: string, options: string[], untagged: boolean): GodoField {
  return {
    json,
    type,
    ...(options.includes('omitempty') ? { omitempty: true as const } : {}),
    ...(options.includes('string') ? { string: true as const } : {}),
    ...(untagged ? { untagged: true as const } : {}),
  };
}

/** The element type of a field holding records: `[]Droplet`, `[]*Droplet`, `*Droplet`, `map[string]*X`. */
const elementOf = (type: string): string => type.replace(/^\*/, '').replace(/^\[\]\*?/, '').replace(/^map\[[^\]]+\]\*?/, '').replace(/^\*/, '');

interface GodoTableFile {
  commit: string;
  streams: Record<string, { root: string; recordsKey: string | null; file: string }>;
}

export function godoStructs(dir: string, table: GodoTableFile): GodoStructs {
  const files = git(dir, 'ls-tree', '--name-only', 'HEAD').split('\n').filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const decls = new Map<string, { file: string; raw?: RawField[]; underlying?: string }>();
  for (const f of files) declarations(f, git(dir, 'show', `HEAD:${f}`), decls);
  const commit = git(dir, 'rev-parse', 'HEAD').trim();
  if (commit !== table.commit) throw new Error(`godo at ${commit}, but test/fixtures/godo-streams.json was read at ${table.commit}: run generate:godo-table first`);

  const streams: Record<string, GodoRecord> = {};
  for (const def of STREAMS) {
    const manual = RECORD_TYPES[def.name];
    if (manual) {
      if (!decls.has(manual.type)) throw new Error(`${def.name}: godo declares no type ${manual.type}`);
      streams[def.name] = { type: manual.type, file: decls.get(manual.type)!.file, via: manual.why };
      continue;
    }
    const godo = table.streams[def.name];
    if (!godo) continue;
    let type = godo.root;
    let via = godo.root;
    // Walk the row's records path through godo's structs; godo's own key when the row reads the root.
    // A row that also reads the bare body (bareRecordFields) holding godo's key: godo's root is the record
    // (database_autoscale's { storage }, godo databaseStorageAutoscaleRoot).
    const bare = godo.recordsKey !== null && def.recordsKey !== godo.recordsKey && (def.bareRecordFields ?? []).includes(godo.recordsKey);
    const keys = godo.recordsKey === null || bare ? [] : def.recordsKey !== null && recordsPath(def)[0] === godo.recordsKey ? recordsPath(def) : [godo.recordsKey];
    for (const key of keys) {
      const f = fieldsOf(type, decls).find((x) => godoMatches(x, key));
      if (!f) throw new Error(`${def.name}: godo ${type} has no field ${key}`);
      type = elementOf(f.type);
      via += `.${key}`;
    }
    if (!decls.get(type)?.raw) throw new Error(`${def.name}: godo record type ${type} (${via}) is not a struct`);
    streams[def.name] = { type, file: decls.get(type)!.file, via };
  }

  // Every godo type reachable from a record type, so that nested objects can be compared too.
  const types: Record<string, GodoType> = {};
  const queue = Object.values(streams).map((s) => s.type);
  while (queue.length > 0) {
    const name = queue.shift()!;
    const decl = decls.get(name);
    if (!decl || types[name]) continue;
    if (decl.raw) {
      const fields = [...fieldsOf(name, decls), ...(UNMARSHAL_KEYS[name] ?? [])];
      types[name] = { file: decl.file, fields };
      for (const f of fields) queue.push(...namesIn(f.type));
    } else if (decl.underlying) {
      types[name] = { file: decl.file, underlying: decl.underlying };
      queue.push(...namesIn(decl.underlying));
    }
  }
  return { source: 'github.com/digitalocean/godo', commit, streams, types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b))) };
}

function main(argv: readonly string[]): number {
  const dir = argv[0] ?? '/work/.mirror/digitalocean+godo/repo';
  const root = packageRoot();
  const table = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'godo-streams.json'), 'utf8')) as GodoTableFile;
  const out = godoStructs(dir, table);
  const file = join(root, 'test', 'fixtures', 'godo-structs.json');
  writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`${Object.keys(out.streams).length} streams typed by godo structs (${Object.keys(out.types).length} types); wrote ${file}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
