import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { generate, generatorInputs, PROVENANCE_FILE, provenanceTsv, renderSchema } from '../scripts/generate-schemas.js';
import { packageRoot } from '../src/paths.js';
import { STREAMS } from '../src/streams/index.js';

/**
 * schemas/ is what scripts/generate-schemas.ts writes from the OpenAPI, godo's structs and
 * DigitalOcean's examples, not hand edits: regenerated here, every schema and schemas/_provenance.tsv
 * must come out as committed. Needs the OpenAPI (../shared/digitalocean-openapi/), skipped without it.
 */
const root = packageRoot();
const specFile = join(root, '..', 'shared', 'digitalocean-openapi', 'digitalocean-public.v2.json');

t.test('the committed schemas and provenance are the generator\'s output', { skip: !existsSync(specFile) && 'no OpenAPI at ../shared' }, async (t) => {
  const { godo, examples } = generatorInputs(root);
  const out = generate(JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>, STREAMS, godo, examples);
  t.same(out.errors, [], 'no stream failed');
  const stale = [...out.schemas].filter(([name, schema]) => readFileSync(join(root, 'schemas', `${name}.json`), 'utf8') !== renderSchema(schema)).map(([name]) => name);
  t.same(stale, [], 'every schema as generated (run npm run generate:schemas)');
  t.equal(readFileSync(join(root, 'schemas', PROVENANCE_FILE), 'utf8'), provenanceTsv(out.provenance, godo), `${PROVENANCE_FILE} as generated`);
  t.equal(out.schemas.size, STREAMS.filter((d) => !d.transport).length, 'one schema per API v2 stream');
  // Every declared field has a source, and godo's record type is named for each stream godo types.
  const sources = new Set([...out.provenance.values()].flatMap((m) => [...m.values()].map((p) => p.from)));
  t.same([...sources].sort(), ['client', 'godo', 'openapi', 'openapi+godo', 'openapi-example', 'parent'].sort(), 'only known sources');
});
