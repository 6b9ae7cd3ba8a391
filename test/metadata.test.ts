/**
 * The registry metadata, the Dockerfile and package.json must agree: Airbyte pulls
 * `<dockerRepository>:<dockerImageTag>` and reads the image's io.airbyte.* labels, and the connector
 * reports package.json's version. Static checks only; scripts/test-image.sh builds and runs the image.
 */
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { parse } from 'yaml';
import { STREAMS } from '../src/streams/index.js';

const addFormats = formats.default;
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string; license: string; description: string; engines: { node: string } };
const spec = JSON.parse(read('spec.json')) as {
  documentationUrl: string;
  connectionSpecification: { properties: { api_url: { default: string } } };
};
const metadata = parse(read('metadata.yaml')) as { metadataSpecVersion: unknown; data: Record<string, unknown> };
const data = metadata.data;

/**
 * Airbyte's own metadata JSON schema (ConnectorMetadataDefinitionV0, generated from the YAML models of
 * airbytehq/airbyte airbyte-ci/connectors/metadata_service/lib; source commit in test/fixtures/README.md).
 * It forbids unknown keys under `data`, so it is the key list.
 */
const METADATA_SCHEMA = JSON.parse(read('test/fixtures/ConnectorMetadataDefinitionV0.schema.json')) as SchemaNode & {
  properties: { data: { properties: Record<string, unknown>; required: string[] } };
};
const DATA_KEYS = new Set(Object.keys(METADATA_SCHEMA.properties.data.properties));

type SchemaNode = { [key: string]: unknown };
/**
 * The generated schema embeds each model with its own `$id`, yet its `$ref`s are written relative to the
 * root document ("#/properties/data/..."): a JSON Schema validator would resolve them against the
 * embedded `$id` and fail. Dropping the embedded `$id`/`$schema` keeps every constraint. The one
 * non-standard `type` ("ConnectorMetric", under generated.metrics, a field CI writes) becomes `object`.
 */
function standalone(node: unknown, root = true): unknown {
  if (Array.isArray(node)) return node.map((n) => standalone(n, false));
  if (node === null || typeof node !== 'object') return node;
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(node as SchemaNode)) {
    if (!root && (k === '$id' || k === '$schema')) continue;
    out[k] = k === 'type' && v === 'ConnectorMetric' ? 'object' : standalone(v, false);
  }
  return out;
}
function metadataValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(standalone(METADATA_SCHEMA) as SchemaNode);
}
const REQUIRED = ['name', 'definitionId', 'connectorType', 'dockerRepository', 'dockerImageTag', 'license', 'documentationUrl', 'githubIssueLabel', 'connectorSubtype', 'releaseStage'];

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined and comments dropped. */
function dockerInstructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (current === '' && /^\s*#/.test(raw)) continue;
    if (current !== '' && /^\s*#/.test(raw)) continue; // comment lines inside a continuation are skipped
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  return logical.map((l) => {
    const m = /^(\S+)\s*(.*)$/s.exec(l) as RegExpExecArray;
    return { keyword: m[1].toUpperCase(), args: m[2] };
  });
}

/** `k=v` pairs of a LABEL or ENV instruction (values may be double-quoted). */
function pairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z0-9_.\-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    out[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  }
  return out;
}

const instructions = dockerInstructions(read('Dockerfile'));
const stages = instructions.reduce<Instruction[][]>((acc, ins) => {
  if (ins.keyword === 'FROM') acc.push([]);
  acc.at(-1)?.push(ins);
  return acc;
}, []);
const finalStage = stages.at(-1) ?? [];
/** The stage the image's file system is assembled in; the final stage is that file system, squashed. */
const runtimeStage = stages.find((stage) => /\sAS\s+runtime$/i.test(stage[0].args)) ?? [];
/** ARGs declared before the first FROM: usable in FROM lines, and in a stage that declares them again. */
const globalArgs = Object.fromEntries(
  instructions.slice(0, instructions.findIndex((i) => i.keyword === 'FROM')).filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=', 2) as [string, string]),
) as Record<string, string>;
const labels = Object.assign({}, ...finalStage.filter((i) => i.keyword === 'LABEL').map((i) => pairs(i.args))) as Record<string, string>;
const env = Object.assign({}, ...finalStage.filter((i) => i.keyword === 'ENV').map((i) => pairs(i.args))) as Record<string, string>;

t.test("metadata.yaml validates against Airbyte's ConnectorMetadataDefinitionV0 JSON schema", async (t) => {
  const validate = metadataValidator();
  t.ok(validate(metadata), 'valid');
  t.same(validate.errors ?? [], [], 'no schema error');
  // The validator is not vacuous: the key this file used before (`registries`) and a bad uuid are rejected.
  t.notOk(validate({ ...metadata, data: { ...data, registries: data.registryOverrides } }), 'the old key `registries` is rejected');
  t.notOk(validate({ ...metadata, data: { ...data, definitionId: 'not-a-uuid' } }), 'a definitionId that is no uuid is rejected');
  t.notOk(validate({ ...metadata, data: { ...data, documentationUrl: 'docs/source-digitalocean.md' } }), 'a relative documentationUrl is rejected');
  const { documentationUrl: _dropped, ...withoutDocs } = data;
  t.notOk(validate({ ...metadata, data: withoutDocs }), 'a missing required key is rejected');
});

t.test('the schema fixture is the current one: it knows the keys Airbyte added', async (t) => {
  for (const key of ['registryOverrides', 'remoteRegistries', 'connectorTestSuitesOptions', 'supportsRefreshes']) t.ok(DATA_KEYS.has(key), `data.${key} is known`);
  t.notOk(DATA_KEYS.has('registries'), '`registries` is not (renamed registryOverrides)');
  t.same(METADATA_SCHEMA.properties.data.required.slice().sort(), REQUIRED.slice().sort(), 'the required keys are those listed here');
});

t.test('metadata.yaml has the shape the Airbyte registry accepts', async (t) => {
  t.equal(metadata.metadataSpecVersion, '1.0', 'metadataSpecVersion is the string "1.0"');
  t.same(Object.keys(metadata).sort(), ['data', 'metadataSpecVersion'], 'no other top-level key');
  for (const key of REQUIRED) t.ok(data[key] !== undefined && data[key] !== '', `data.${key} is set`);
  t.same(Object.keys(data).filter((k) => !DATA_KEYS.has(k)), [], 'no key the metadata schema rejects');
  t.equal(data.connectorType, 'source');
  t.equal(data.connectorSubtype, 'api');
  t.equal(data.name, 'DigitalOcean');
  t.match(data.definitionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'definitionId is a uuid v4');
  t.equal(data.license, pkg.license, 'license matches package.json');
  t.equal(data.documentationUrl, spec.documentationUrl, "documentationUrl matches spec.json's");
  t.equal(data.githubIssueLabel, pkg.name);
  t.ok(['alpha', 'beta', 'generally_available', 'custom'].includes(String(data.releaseStage)), 'a known releaseStage');
  t.ok((data.tags as string[]).includes('language:typescript'), 'tagged language:typescript');
});

t.test('allowedHosts, suggestedStreams and the heartbeat limit fit the connector', async (t) => {
  const hosts = (data.allowedHosts as { hosts: string[] }).hosts;
  t.ok(hosts.includes(new URL(spec.connectionSpecification.properties.api_url.default).hostname), "the default api_url's host is allowed");
  const names = new Set(STREAMS.map((s) => s.name));
  const suggested = (data.suggestedStreams as { streams: string[] }).streams;
  t.ok(suggested.length > 0, 'some streams are suggested');
  t.same(suggested.filter((s) => !names.has(s)), [], 'every suggested stream exists');
  for (const s of ['droplets', 'database_clusters', 'kubernetes_clusters', 'firewalls']) t.ok(suggested.includes(s), `${s} is suggested`);
  const max = data.maxSecondsBetweenMessages as number;
  // The longest silence is one rate-limit pause, capped at an hour (src/runtime.ts): the limit must exceed
  // it, and not undercut the platform's own default of 3 hours (airbyte-platform 310e6cb,
  // airbyte-featureflag/src/main/kotlin/FlagDefinitions.kt, HeartbeatMaxSecondsBetweenMessages = "10800").
  t.ok(Number.isInteger(max) && max > 3600 && max >= 3 * 3600, `maxSecondsBetweenMessages (${max}) exceeds the longest pause and the platform default`);
  // ${field} entries are resolved from the connection's config to a host (ConfigReplacer.getAllowedHosts):
  // every configurable URL and the Spaces endpoints are allowed.
  for (const host of ['${api_url}', '${spaces_endpoint}', '*.digitaloceanspaces.com']) t.ok(hosts.includes(host), `allowedHosts has ${host}`);
  const props = spec.connectionSpecification.properties as Record<string, unknown>;
  for (const host of hosts.filter((h) => h.startsWith('${'))) t.ok(props[host.slice(2, -1)] !== undefined, `${host} names a config field`);
});

t.test('the image tag, its labels and package.json agree', async (t) => {
  t.equal(data.dockerImageTag, pkg.version, "dockerImageTag equals package.json's version");
  t.equal(labels['io.airbyte.version'], data.dockerImageTag, 'LABEL io.airbyte.version equals dockerImageTag');
  t.equal(labels['io.airbyte.name'], data.dockerRepository, 'LABEL io.airbyte.name equals dockerRepository');
  t.equal(data.dockerRepository, `airbyte/${pkg.name}`);
});

t.test('the Dockerfile follows what Airbyte launchers need', async (t) => {
  t.ok(stages.length >= 2, 'multi-stage');
  for (const stage of stages.slice(0, -1)) t.match(stage[0].args, /^\$\{BASE_NAME\}@\$\{BASE_DIGEST\}\s+AS\s+\S+$/i, `stage '${stage[0].args}' builds FROM the one pinned base`);
  t.equal(finalStage[0]?.args, 'scratch', 'the image starts from nothing ...');
  t.same(finalStage.filter((i) => i.keyword === 'COPY').map((i) => i.args), ['--from=runtime / /'], '... and is the runtime stage\'s file system, whole');
  const entrypoints = finalStage.filter((i) => i.keyword === 'ENTRYPOINT');
  t.equal(entrypoints.length, 1, 'one ENTRYPOINT');
  const words = JSON.parse(entrypoints[0]?.args ?? 'null') as unknown;
  t.ok(Array.isArray(words) && words.every((w) => typeof w === 'string'), 'ENTRYPOINT is exec form (a JSON array)');
  const list = words as string[];
  t.ok(list.every((w) => w.startsWith('/')), 'every ENTRYPOINT word is an absolute path (the interpreter too)');
  t.match(list[1], /^\/airbyte\/integration_code\/dist\/src\/main\.js$/, 'the script is named by an absolute path');
  t.equal(env.AIRBYTE_ENTRYPOINT, list.join(' '), 'AIRBYTE_ENTRYPOINT equals the ENTRYPOINT words joined by spaces');
  const user = finalStage.filter((i) => i.keyword === 'USER').at(-1);
  t.equal(user?.args, 'airbyte', 'runs as airbyte');
  t.equal(finalStage.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args, '/airbyte', 'WORKDIR /airbyte');
  const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  t.ok(runs.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r)), 'a build stage installs the dev dependencies');
  t.ok(runs.some((r) => /\bnpm run build\b/.test(r)), 'a build stage runs npm run build');
  t.ok(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'the production dependencies are installed with --omit=dev');
  t.notOk([...runtimeStage, ...finalStage].some((i) => i.keyword === 'RUN' && /(^|[\s;&|(])npm\s/.test(i.args)), 'the runtime stage runs no npm (no cache, no dev tools)');
  const copied = runtimeStage.filter((i) => i.keyword === 'COPY').map((i) => i.args).join('\n');
  for (const part of ['dist/src', 'schemas', 'spec.json', 'package.json', 'node_modules']) t.match(copied, part, `the runtime stage copies ${part}`);
  const caArgs = instructions.filter((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_EXTRA_CA_CERTS'));
  t.ok(caArgs.length > 0 && caArgs.every((i) => i.args === 'NODE_EXTRA_CA_CERTS'), 'the CA-bundle build arg has no default');
  const finalArgs = finalStage.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=')[0]);
  t.same(finalArgs.sort(), ['BASE_DIGEST', 'BASE_NAME', 'REVISION', 'SOURCE_URL'], 'the final stage takes only the provenance args');
  for (const arg of finalArgs) {
    t.notOk(finalStage.some((i) => i.keyword !== 'FROM' && i.keyword !== 'LABEL' && i.keyword !== 'ARG' && i.args.includes(`\${${arg}}`)), `${arg} is used in LABELs only (it never changes what runs)`);
  }
});

t.test('Node 24 LTS on a base pinned by digest, without package managers', async (t) => {
  t.match(globalArgs.BASE_NAME, /^docker\.io\/library\/node:24-(trixie|bookworm)-slim$/, 'a Debian slim Node 24 base, fully qualified');
  t.match(globalArgs.BASE_DIGEST, /^sha256:[0-9a-f]{64}$/, 'pinned by a sha256 digest');
  t.match(read('Dockerfile'), /skopeo inspect --raw docker:\/\/docker\.io\/library\/node:24-trixie-slim \| sha256sum/, 'the Dockerfile says how to refresh the digest');
  const minMajor = Number(/^>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
  t.equal(minMajor, 22, "engines: Node 22 or later (Node 20's life ended on 2026-04-30)");
  t.ok(24 >= minMajor, 'the image runs a Node the package supports');
  const removal = runtimeStage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
  for (const path of ['/usr/local/lib/node_modules/npm', '/usr/local/lib/node_modules/corepack', '/opt/yarn-*', '/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/bin/corepack', '/usr/local/bin/yarn', '/usr/local/bin/yarnpkg']) {
    t.ok(removal.split(/[\s;]+/).includes(path), `the runtime stage removes ${path}`);
  }
});

t.test('OCI labels say what the image is and where it comes from', async (t) => {
  t.equal(labels['org.opencontainers.image.version'], pkg.version);
  t.equal(labels['org.opencontainers.image.licenses'], pkg.license);
  t.equal(labels['org.opencontainers.image.description'], pkg.description);
  t.equal(labels['org.opencontainers.image.title'], pkg.name);
  t.equal(labels['org.opencontainers.image.revision'], '${REVISION}', 'the commit, given at build time');
  t.equal(labels['org.opencontainers.image.source'], '${SOURCE_URL}', 'the repository, given at build time');
  t.equal(labels['org.opencontainers.image.base.name'], '${BASE_NAME}', 'the base as FROM names it');
  t.equal(labels['org.opencontainers.image.base.digest'], '${BASE_DIGEST}', 'the digest FROM resolved');
  t.equal(labels['io.source-digitalocean.sbom'], '/airbyte/integration_code/sbom.cdx.json', 'where the SBOM is');
  const copied = runtimeStage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  t.ok(copied.some((c) => /^--from=deps \S+\/sbom\.cdx\.json \/airbyte\/integration_code\/sbom\.cdx\.json$/.test(c)), 'the SBOM made in the deps stage is shipped there');
});

t.test('.dockerignore keeps the build context to what the image needs', async (t) => {
  const lines = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  t.equal(lines[0], '*', 'everything is excluded first');
  const allowed = lines.slice(1).map((l) => l.replace(/^!/, '').replace(/\/$/, ''));
  t.same(allowed.filter((p) => /secrets|node_modules|dist|\.git/.test(p)), [], 'secrets, node_modules, dist and .git stay out');
  const copiedFromContext = new Set(
    instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
  );
  for (const source of copiedFromContext) t.ok(allowed.includes(source.replace(/\/$/, '')), `${source} is in the build context`);
});

t.test('documentationUrl names a real public page; the user docs in the repository know this version', async (t) => {
  // The project has no public home yet: the URL is DigitalOcean's API reference (linked from the user
  // docs too), never a made-up repository address. The setup guide itself is docs/source-digitalocean.md.
  t.equal(data.documentationUrl, 'https://docs.digitalocean.com/reference/api/');
  const page = 'docs/source-digitalocean.md';
  t.ok(existsSync(new URL(`../${page}`, import.meta.url)), `${page} exists`);
  const text = read(page);
  t.match(text, String(data.documentationUrl), 'the user docs link the same page');
  t.match(text, new RegExp(`^\\| ${pkg.version.replace(/\./g, '\\.')} \\|`, 'm'), `its changelog has ${pkg.version}`);
  t.match(text, `source-digitalocean:${pkg.version}`, 'it names the current image tag');
});
