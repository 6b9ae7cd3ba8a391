import { readFileSync } from 'node:fs';
import nock from 'nock';
import t, { type Test } from 'tap';
import { findCredentials } from '../src/records/credentials.js';
import { extractRecords } from '../src/records/shape.js';
import { findStream, STREAMS as ALL_STREAMS } from '../src/streams/index.js';
import type { StreamDef } from '../src/streams/types.js';
import { catalogFor, writeInputs } from './helpers/files.js';
import { errorTraces, records, recordErrors, runInProcess } from './helpers/protocol.js';
import { nullKeys, undeclaredKeys } from './helpers/record-fields.js';
import { ORIGIN, TOKEN } from './helpers/sample-api.js';
import { loadSchema } from '../src/streams/schemas.js';

/**
 * Every stream read from DigitalOcean's own example responses (its OpenAPI description, extracted by
 * scripts/extract-openapi-examples.ts into test/fixtures/openapi-examples.json), served through the real
 * HTTP stack: bodies we did not write. Parents are read from their own examples. For each stream:
 * records are found, nothing the credential detector calls a secret reaches stdout, records validate
 * against the schema, and primary keys are unique.
 *
 * How the examples are served: a list's example is its only page (its `links.pages.next` points to pages
 * the example does not give, so it is dropped). A stream with several named examples is read once per
 * example; parents are served their first. A list asked for in variants (Droplets, then `type=gpus`)
 * gets, for a later variant, the example named after it ("GPU Droplets"), else an empty list. A child
 * whose parent filter no example parent passes (pools exist for pg clusters only) is given a parent: a
 * copy of the first example parent with the filter's value.
 */

nock.disableNetConnect();

type Json = Record<string, unknown>;
interface Entry { path: string; source: 'response' | 'schema'; examples: { name: string; body: Json }[] }
const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/openapi-examples.json', import.meta.url), 'utf8')) as { streams: Record<string, Entry> };

type Check = 'exit' | 'records' | 'schema' | 'primary key' | 'undeclared field' | 'null key';

/**
 * Where DigitalOcean's example itself is wrong: the check that fails and the disagreement. The check is
 * still run and reported; a stream listed here that passes is reported as stale (t.comment).
 */
const EXAMPLE_ERRORS: Readonly<Record<string, { check: Check; why: string }>> = {
  functions_access_keys: {
    check: 'primary key',
    why: 'the example "With Keys" of GET /v2/functions/namespaces/{namespace_id}/keys masks both key ids as "dof_v1-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; an id names one key (its "Empty List" example has no records, as an empty namespace has none)',
  },
  app_job_invocations: {
    check: 'undeclared field',
    why: 'the example of GET /v2/apps/{app_id}/job-invocations gives the trigger\'s JSON Schema as its value (`trigger.properties`); neither the OpenAPI app_job_invocation.trigger nor godo apps.gen.go JobInvocationTrigger has `properties` (scripts/generate-schemas.ts EXAMPLE_ERRORS)',
  },
  images: {
    check: 'primary key',
    why: 'the example "All" of GET /v2/images (OpenAPI paths./v2/images.get, examples.All) lists image 7555621 four times; an id names one image',
  },
  monitoring_alert_policies: {
    check: 'schema',
    why: 'the example (components.responses.list_alert_policy_response schema.example) gives `entities` as integers ([192018292]); the schema (alert_policy.entities: array of string, example ["192018292"]) and godo (monitoring.go AlertPolicy.Entities []string) say strings',
  },
};

/** Our own shortcomings these examples reveal (none left: app_health now accepts both shapes, test/godo-fidelity.test.ts). */
const OURS: Readonly<Record<string, { check: Check; why: string }>> = {};

/** The API v2 rows: the S3 rows (Spaces) have no OpenAPI path; test/spaces/ covers them. */
const STREAMS = ALL_STREAMS.filter((def) => !def.transport);

// exhaustive_fanout: the examples of different paths are not one account (the firewalls example names
// no Droplet of the Droplets example), so the fan-out hints that join them would skip every parent.
const config = { api_token: TOKEN, api_url: ORIGIN, max_concurrency: 4, exhaustive_fanout: true };

/** Path templates of the table, most literal first, so `/v2/droplets/backups/policies` beats `/v2/droplets/{id}/backups`. */
const ROUTES = STREAMS.map((def) => ({
  def,
  pattern: new RegExp(`^${def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  holes: (def.path.match(/\{/g) ?? []).length,
})).sort((a, b) => a.holes - b.holes);

/** The body served for a stream: one of its examples, as the only page. */
function bodyOf(def: StreamDef, index = 0): Json {
  const body = structuredClone(FIXTURE.streams[def.name].examples[index].body);
  const pages = (body.links as Json | undefined)?.pages as Json | undefined;
  if (pages) delete pages.next;
  return body;
}

/** Which example answers a later variant of a list (`type=gpus` → "GPU Droplets"), if any. */
function variantExample(def: StreamDef, variant: Readonly<Record<string, string>>): number {
  const words = Object.values(variant).map((v) => v.toLowerCase().replace(/s$/, ''));
  return FIXTURE.streams[def.name].examples.findIndex((e) => words.some((w) => e.name.toLowerCase().includes(w)));
}

/** The later variant a request asks for, if any. */
function laterVariant(def: StreamDef, query: URLSearchParams): Readonly<Record<string, string>> | undefined {
  return def.variants?.slice(1).find((v) => Object.entries(v).every(([k, value]) => query.get(k) === value));
}

/** Bodies for a read of `def` from its example `index`: parents from their first, given where the child's filter needs one. */
function bodiesFor(def: StreamDef, index: number): Map<string, Json> {
  const bodies = new Map<string, Json>();
  for (const route of ROUTES) bodies.set(route.def.name, bodyOf(route.def, route.def === def ? index : 0));
  // Up the whole chain: a subject's config needs a Kafka cluster two levels up.
  for (let link = def.parent; link; link = (findStream(link.stream) as StreamDef).parent) {
    if (!link.filter) continue;
    const parentDef = findStream(link.stream) as StreamDef;
    const body = bodies.get(parentDef.name) as Json;
    const parents = extractRecords(parentDef, body);
    const { field, values } = link.filter;
    if (!parents.some((p) => values.includes(String(p[field]))) && parentDef.shape === 'list' && parentDef.recordsKey) {
      (body[parentDef.recordsKey] as Json[]).push({ ...structuredClone(parents[0]), [field]: values[0] });
    }
  }
  return bodies;
}

interface Outcome { failed: Check[]; records: number }

async function readFromExamples(t: Test, def: StreamDef, index: number): Promise<Outcome> {
  nock.cleanAll();
  const bodies = bodiesFor(def, index);
  const served: Json[] = [];
  nock(ORIGIN)
    .persist()
    .get(() => true)
    .reply((uri) => {
      const url = new URL(uri, ORIGIN);
      const route = ROUTES.find((r) => r.pattern.test(url.pathname));
      if (!route) return [404, { id: 'not_found', message: `no example for ${url.pathname}` }];
      let body = structuredClone(bodies.get(route.def.name) as Json);
      const variant = laterVariant(route.def, url.searchParams);
      if (variant) {
        const named = variantExample(route.def, variant);
        body = named >= 0 ? bodyOf(route.def, named) : { ...body, [route.def.recordsKey as string]: [] };
      }
      if (route.def === def) served.push(body);
      return [200, body];
    });
  const files = writeInputs({ 'config.json': config, 'catalog.json': catalogFor([def.name]) });
  const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  const failed: Check[] = [];
  const emitted = records(result.messages, def.name);
  if (result.code !== 0) {
    failed.push('exit');
    t.comment(`${def.name}: exit ${result.code}: ${errorTraces(result.messages).map((e) => e.message).join('; ').slice(0, 300)}`);
  }
  // An example of an empty list ("Empty List") has nothing to find.
  const servedNone = served.length > 0 && served.every((body) => {
    try {
      return extractRecords(def, body).length === 0;
    } catch {
      return false;
    }
  });
  if (emitted.length === 0 && !servedNone) failed.push('records');
  const schemaErrors = emitted.flatMap((r) => recordErrors(def.name, r));
  if (schemaErrors.length > 0) {
    failed.push('schema');
    t.comment(`${def.name}: ${schemaErrors.slice(0, 3).join('; ')}`);
  }
  if (def.primaryKey.length > 0) {
    const keys = emitted.map((r) => JSON.stringify(def.primaryKey.map((f) => r[f])));
    if (new Set(keys).size !== keys.length) failed.push('primary key');
  }
  // A key the schema does not name is dropped by a typed destination: the schema must cover it.
  const undeclared = [...new Set(emitted.flatMap((r) => undeclaredKeys(loadSchema(def.name), r)))];
  if (undeclared.length > 0) {
    failed.push('undeclared field');
    t.comment(`${def.name}: undeclared ${undeclared.slice(0, 5).join(', ')}`);
  }
  const unset = [...new Set(emitted.flatMap((r) => nullKeys(def.primaryKey, r)))];
  if (unset.length > 0) {
    failed.push('null key');
    t.comment(`${def.name}: primary key field(s) null: ${unset.join(', ')}`);
  }
  t.same(result.protocolErrors, [], 'every line is a valid Airbyte message');
  t.notOk(result.stdout.includes(TOKEN), 'the token never reaches stdout');
  // Whatever the example holds, nothing the detector calls a secret is emitted: neither in what is
  // emitted, nor as a value the detector finds in what was served.
  t.same(emitted.flatMap((r) => findCredentials(def.name, r)).slice(0, 5), [], 'no record carries what the detector calls a secret');
  const servedSecrets = served.flatMap((body) => secretValues(def, body)).filter((v) => !emittedValues(emitted).has(v));
  t.same(servedSecrets.filter((v) => result.stdout.includes(v)).slice(0, 3), [], `no secret value served (${servedSecrets.length}) reaches stdout`);
  return { failed, records: emitted.length };
}

/** Every string of the emitted records: a served secret equal to one of them ("example string") proves nothing. */
function emittedValues(emitted: Json[], into = new Set<string>()): Set<string> {
  const walk = (v: unknown): void => {
    if (typeof v === 'string') into.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  emitted.forEach(walk);
  return into;
}

/** The string values the detector would remove from a served body's records. */
function secretValues(def: StreamDef, body: Json): string[] {
  const values: string[] = [];
  let recs: Json[] = [];
  try {
    recs = extractRecords(def, body);
  } catch {
    return values;
  }
  for (const record of recs) {
    for (const found of findCredentials(def.name, record)) {
      const path = found.slice(0, found.lastIndexOf(' ('));
      for (const value of valuesAt(record, path.replace(/\[\]/g, '.[]').split('.'))) if (typeof value === 'string' && value.length >= 6) values.push(value);
    }
  }
  return values;
}

function valuesAt(node: unknown, parts: readonly string[]): unknown[] {
  if (parts.length === 0) return [node];
  const [head, ...rest] = parts;
  if (head === '[]') return Array.isArray(node) ? node.flatMap((item) => valuesAt(item, rest)) : [];
  if (node && typeof node === 'object' && !Array.isArray(node)) return valuesAt((node as Json)[head], rest);
  return [];
}

const clean: string[] = [];
const exceptions: string[] = [];

for (const def of STREAMS) {
  const entry = FIXTURE.streams[def.name] as Entry | undefined;
  t.test(`${def.name} from DigitalOcean's example (${entry?.source ?? 'none'})`, async (t) => {
    t.ok(entry, 'the fixture has an example for the stream (run scripts/extract-openapi-examples)');
    if (!entry) return;
    const failed = new Set<Check>();
    for (let index = 0; index < entry.examples.length; index++) {
      // An example that answers a later variant (GPU Droplets) is read as that variant, with the first.
      if (index > 0 && def.variants?.slice(1).some((v) => variantExample(def, v) === index)) continue;
      const outcome = await readFromExamples(t, def, index);
      t.comment(`${def.name} / ${entry.examples[index].name}: ${outcome.records} records${outcome.failed.length ? `, failed: ${outcome.failed.join(', ')}` : ''}`);
      outcome.failed.forEach((c) => failed.add(c));
    }
    const known = EXAMPLE_ERRORS[def.name] ?? OURS[def.name];
    const unexpected = [...failed].filter((check) => check !== known?.check && !(known?.check === 'exit' && check === 'records'));
    t.same(unexpected, [], 'reads clean, or fails only as listed');
    if (failed.size === 0) clean.push(def.name);
    else exceptions.push(`${def.name}: ${[...failed].join(', ')}${known ? ` (${known.why})` : ''}`);
    if (known && !failed.has(known.check)) t.comment(`${def.name}: listed as failing '${known.check}', but passes now: remove it from the list`);
  });
}

t.test('summary', async (t) => {
  t.comment(`${clean.length} of ${STREAMS.length} streams read clean from DigitalOcean's examples`);
  for (const e of exceptions) t.comment(`exception: ${e}`);
  t.equal(clean.length + exceptions.length, STREAMS.length, 'every stream was read');
  t.ok(exceptions.length <= Object.keys(EXAMPLE_ERRORS).length + Object.keys(OURS).length, 'no exception beyond the listed ones');
});
