/**
 * Writes test/fixtures/godo-streams.json: for each stream of the table, the method of DigitalOcean's Go
 * client godo (github.com/digitalocean/godo) that GETs the same path, the root struct it decodes the
 * body into, the key holding the records there, and whether that root pages (carries links or meta).
 * test/godo-streams.test.ts compares it with the stream table, without needing godo on the machine.
 *
 *   npm run build && node dist/scripts/godo-streams.js [path/to/godo/git-dir]
 *
 * godo is read, not run: string constants, `fmt.Sprintf` paths and `new(root)` calls are matched with
 * regular expressions, which godo's uniform style allows. A stream no godo method serves is listed with
 * the reason from NO_GODO below.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';
import { STREAMS } from '../src/streams/index.js';

/** Streams godo has no method for, and why (checked by hand against godo's source). */
export const NO_GODO: Readonly<Record<string, string>> = {
  billing_insights: 'godo has no billing insights service (no /v2/billing/{urn}/insights path)',
  monitoring_sinks: 'godo monitoring.go has alert policies only, no sinks service',
  monitoring_sink_destinations: 'godo monitoring.go has alert policies only, no sink destinations',
  addon_apps: 'godo has no add-ons service (no /v2/add-ons path)',
  addon_resources: 'godo has no add-ons service (no /v2/add-ons path)',
  addon_app_metadata: 'godo has no add-ons service (no /v2/add-ons path)',
  dedicated_inference_ca_certificates: 'godo dedicated_inference.go has no GET of /v2/dedicated-inferences/{id}/ca',
  genai_knowledge_base_indexing_schedules: 'godo gradientai.go has no scheduled-indexing service (no /v2/gen-ai/scheduled-indexing path)',
  genai_model_api_keys: 'godo gradientai.go lists agent API keys (/v2/gen-ai/agents/{id}/api_keys), not model API keys',
  genai_workspaces: 'godo gradientai.go has no workspaces list',
  genai_evaluation_test_cases: 'godo gradientai.go has no GET of /v2/gen-ai/evaluation_test_cases (EvaluationTestCase type only)',
  genai_evaluation_runs: 'godo gradientai.go has no evaluation runs list per test case',
  genai_evaluation_metrics: 'godo gradientai.go lists model/custom evaluation metrics under other paths, not /v2/gen-ai/evaluation_metrics',
};

export interface GodoStream {
  /** `Service.Method` (the receiver type without `Op`). */
  method: string;
  file: string;
  /** The struct the body is decoded into. */
  root: string;
  /** The JSON key of the records in that struct; null when the body itself is the record. */
  recordsKey: string | null;
  /** `page`: the root carries `links` or `meta`; `none`: it carries neither. */
  pagination: 'page' | 'none';
  /** Whether the method takes *ListOptions (page / per_page sent). */
  listOptions: boolean;
}

interface Method {
  receiver: string;
  name: string;
  file: string;
  params: string;
  body: string;
}

interface Field {
  name: string;
  type: string;
  tag: string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Every top-level string constant (`name = "v2/…"`, in const blocks or alone). */
function constants(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of source.matchAll(/^\s*(?:const\s+)?(\w+)\s*(?:string\s*)?=\s*"([^"]*)"\s*$/gm)) out.set(m[1], m[2]);
  // `a = b + "/x"` built from another constant.
  for (const m of source.matchAll(/^\s*(?:const\s+)?(\w+)\s*=\s*(\w+)\s*\+\s*"([^"]*)"\s*$/gm)) {
    const base = out.get(m[2]);
    if (base !== undefined) out.set(m[1], base + m[3]);
  }
  return out;
}

function methods(file: string, source: string): Method[] {
  const out: Method[] = [];
  const re = /^func \(\w+ \*?(\w+)\) (\w+)\(([^)]*)\)[^{]*\{$/gm;
  const starts = [...source.matchAll(re)];
  starts.forEach((m, i) => {
    const end = i + 1 < starts.length ? starts[i + 1].index : source.length;
    out.push({ receiver: m[1], name: m[2], file, params: m[3], body: source.slice(m.index, end) });
  });
  return out;
}

function structs(source: string): Map<string, Field[]> {
  const out = new Map<string, Field[]>();
  for (const m of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields: Field[] = [];
    // A field without a tag is matched by its name, case-insensitively, as encoding/json does.
    for (const f of m[2].matchAll(/^\s*(\w+)\s+([^\s`]+)(?:\s+`json:"([^",]*))?/gm)) fields.push({ name: f[1], type: f[2], tag: f[3] ?? f[1].toLowerCase() });
    out.set(m[1], fields);
  }
  return out;
}

/** The path a method requests, placeholders as `{}`, or undefined when it cannot be read. */
function methodPath(method: Method, consts: Map<string, string>): string | undefined {
  // Conversions of ids (`strconv.Itoa(id)`) are placeholders; removing them keeps argument lists flat.
  const body = method.body.replace(/strconv\.\w+\([^()]*\)/g, 'id');
  const value = (arg: string): string => {
    const literal = /^["`](.*)["`]$/.exec(arg);
    return literal ? literal[1] : (consts.get(arg) ?? '{}');
  };
  let template: string | undefined;
  const sprintf = /fmt\.Sprintf\(\s*("[^"]*"|`[^`]*`|\w+)\s*((?:,[^)\n]*)?)\)/.exec(body);
  const join = /path\.Join\(([^)\n]*)\)/.exec(body);
  const literal = /path\s*:?=\s*("[^"]*")\s*$/m.exec(body);
  const concat = /path\s*:?=\s*(\w+(?:\s*\+\s*(?:"[^"]*"|\w+))+)\s*$/m.exec(body);
  const plain = /path\s*:?=\s*(\w+)(?:\s*\+\s*"([^"]*)")?\s*$/m.exec(body) ?? /addOptions\(\s*(\w+)\s*,/.exec(body);
  const direct = /NewRequest\(ctx,\s*http\.MethodGet,\s*(\w+|"[^"]*")/.exec(body);
  // The first way of building the path in the body wins (later ones append a query to it).
  const first = Math.min(...[sprintf, join, literal, concat, plain, direct].map((m) => m?.index ?? Infinity));
  if (sprintf && sprintf.index === first) {
    const args = sprintf[2].split(',').map((a) => a.trim()).filter((a) => a !== '');
    let k = 0;
    template = value(sprintf[1]).replace(/%[sdv]/g, () => (args[k] !== undefined ? value(args[k++]) : '{}'));
    if (!/^["`]/.test(sprintf[1]) && !consts.has(sprintf[1])) template = undefined;
  } else if (join && join.index === first) {
    template = join[1].split(',').map((a) => value(a.trim()).replace(/^\/+/, '')).join('/');
  } else if (concat && concat.index === first && consts.has(concat[1].split('+')[0].trim())) {
    template = concat[1].split('+').map((a) => value(a.trim())).join('');
  } else if (literal && literal.index === first) {
    template = value(literal[1]);
  } else if (plain && plain.index === first && consts.has(plain[1])) {
    template = consts.get(plain[1])! + (plain[2] ?? '');
  } else if (direct) {
    template = direct[1].startsWith('"') ? value(direct[1]) : consts.get(direct[1]);
  }
  if (template === undefined) return undefined;
  return '/' + template.replace(/^\/+/, '').split('?')[0];
}

const normalise = (path: string): string => path.replace(/\{[^}]*\}/g, '{}').replace(/\/+$/, '');

/** The struct a method decodes into: its own, or that of the unexported helper it hands the path to. */
function rootOf(method: Method, all: readonly Method[] = []): string | undefined {
  if (!/http\.MethodGet/.test(method.body)) {
    const helper = /\w+\.(\w+)\(ctx,/.exec(method.body.split('\n').slice(1).join('\n'))?.[1];
    const target = all.find((m) => m.receiver === method.receiver && m.name === helper && m !== method);
    return target ? rootOf(target) : undefined;
  }
  return (/(?:root|result|\w+Root)\s*:?=\s*new\((\w+)\)/.exec(method.body) ?? /(?:root|\w+)\s*:?=\s*&(\w+)\{\}/.exec(method.body) ?? /var\s+root\s+(\w+)/.exec(method.body))?.[1];
}

const isScalar = (type: string): boolean => /^\*?(string|bool|u?int\d*|float\d+|Timestamp|time\.Time)$/.test(type);

export function godoTable(dir: string): { commit: string; streams: Record<string, GodoStream>; missing: Record<string, string> } {
  const files = git(dir, 'ls-tree', '--name-only', 'HEAD').split('\n').filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const sources = new Map(files.map((f) => [f, git(dir, 'show', `HEAD:${f}`)]));
  const all = [...sources.values()].join('\n');
  const consts = constants(all);
  const types = structs(all);
  const everything = [...sources].flatMap(([file, source]) => methods(file, source));
  // GETs, and exported methods that only build the path for an unexported helper making the GET.
  const gets = everything.filter((m) => rootOf(m, everything) !== undefined && !/http\.Method(Post|Put|Patch|Delete)/.test(m.body));
  const byPath = new Map<string, Method[]>();
  for (const m of gets) {
    const path = methodPath(m, consts);
    if (path === undefined) continue;
    byPath.set(normalise(path), [...(byPath.get(normalise(path)) ?? []), m]);
  }
  const streams: Record<string, GodoStream> = {};
  const missing: Record<string, string> = {};
  for (const def of STREAMS) {
    const candidates = byPath.get(normalise(def.path)) ?? [];
    // Prefer a list method, then a getter; never a method that decodes nothing.
    const method = [...candidates].sort((a, b) => score(b.name) - score(a.name))[0];
    if (!method) {
      missing[def.name] = NO_GODO[def.name] ?? `no godo GET method for ${def.path}`;
      continue;
    }
    const root = rootOf(method, everything)!;
    const fields = types.get(root) ?? [];
    const paging = fields.filter((f) => /^\*?(Links|Meta)$/.test(f.type));
    const data = fields.filter((f) => !paging.includes(f) && f.tag !== '' && f.tag !== '-' && !isScalar(f.type));
    // The records sit under our key when the root has it; else under its only non-scalar field; else
    // the root is the record itself.
    const holder = data.find((f) => f.tag === def.recordsKey)?.tag ?? (data.length === 1 && fields.length - paging.length === 1 ? data[0].tag : null);
    streams[def.name] = {
      method: `${method.receiver.replace(/Op$/, '')}.${method.name}`,
      file: method.file,
      root,
      recordsKey: holder,
      pagination: paging.length > 0 ? 'page' : 'none',
      listOptions: /\*ListOptions/.test(method.params),
    };
  }
  return { commit: git(dir, 'rev-parse', 'HEAD').trim(), streams, missing };
}

function score(name: string): number {
  return name === 'List' ? 3 : name.startsWith('List') ? 2 : name.startsWith('Get') ? 1 : /^[A-Z]/.test(name) ? 0.5 : 0;
}

function main(argv: readonly string[]): number {
  const dir = argv[0] ?? '/work/.mirror/digitalocean+godo/repo';
  const table = godoTable(dir);
  const out = join(packageRoot(), 'test', 'fixtures', 'godo-streams.json');
  writeFileSync(out, `${JSON.stringify({ source: 'github.com/digitalocean/godo', ...table }, null, 2)}\n`);
  console.log(`${Object.keys(table.streams).length} streams matched to godo methods, ${Object.keys(table.missing).length} without; wrote ${out}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
