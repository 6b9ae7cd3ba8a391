import t from 'tap';
import { generate } from '../scripts/generate-schemas.js';
import type { GodoStructs } from '../scripts/godo-types.js';
import type { StreamDef } from '../src/streams/types.js';

/**
 * How scripts/generate-schemas.ts merges its three sources, on a spec of one path: the OpenAPI model,
 * godo's struct (fields added, untyped fields typed, conflicting types left to the OpenAPI and noted),
 * and DigitalOcean's example records (keys added, types never changed).
 */
const spec = {
  paths: { '/v2/things': { get: { responses: { '200': { content: { 'application/json': { schema: { properties: { things: { type: 'array', items: { $ref: '#/components/schemas/thing' } } } } } } } } } } },
  components: {
    schemas: {
      thing: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          count: { type: 'string', format: 'uint64' },
          anything: {},
          nested: { type: 'object', properties: { a: { type: 'string' } } },
        },
      },
    },
  },
};
const row: StreamDef = { name: 'things', resource: 'T', path: '/v2/things', recordsKey: 'things', shape: 'list', scope: null, primaryKey: ['id'], pagination: 'none', strip: ['nested.token'] };
const godo: GodoStructs = {
  source: 'test',
  commit: '0'.repeat(40),
  streams: { things: { type: 'Thing', file: 'things.go', via: 'thingsRoot.things' } },
  types: {
    Thing: {
      file: 'things.go',
      fields: [
        { json: 'id', type: 'string' },
        { json: 'count', type: 'uint64' },
        { json: 'anything', type: 'bool' },
        { json: 'volume_limit', type: 'int', omitempty: true },
        { json: 'labels', type: 'Labels' },
        { json: 'nested', type: '*Nested' },
        { json: 'children', type: '[]*Thing' },
      ],
    },
    Labels: { file: 'things.go', underlying: '[]string' },
    Nested: { file: 'things.go', fields: [{ json: 'a', type: 'string' }, { json: 'b', type: 'float64' }, { json: 'token', type: 'string' }] },
  },
};

t.test('godo fields are added, untyped fields typed, conflicts keep the OpenAPI type', async (t) => {
  const out = generate(spec, [row], godo);
  t.same(out.errors, []);
  const props = out.schemas.get('things')?.properties ?? {};
  t.same(props.volume_limit?.type, ['integer', 'null'], 'a godo-only field, typed from Go');
  t.same(props.labels, { type: ['array', 'null'], items: { type: ['string', 'null'] } }, 'a named slice type looked through');
  t.same(props.count?.type, ['string', 'null'], 'OpenAPI string kept against godo uint64');
  t.same(props.anything?.type, ['boolean', 'null'], 'an OpenAPI field without a type typed by godo');
  t.same(Object.keys(props.nested?.properties ?? {}).sort(), ['a', 'b'], 'nested godo field added; the stripped one removed');
  t.same(props.children?.items?.type, ['object', 'null'], 'recursion through a type cut to a bare object');
  const prov = out.provenance.get('things')!;
  t.same(prov.get('volume_limit'), { from: 'godo', note: 'int' });
  t.match(prov.get('count')?.note, /godo uint64 is integer; kept the OpenAPI's string/);
  t.same(prov.get('id'), { from: 'openapi+godo' });
  t.equal(prov.has('nested.token'), false, 'no provenance for what the schema does not declare');
});

t.test('without godo the OpenAPI alone, every field marked openapi', async (t) => {
  const out = generate(spec, [row]);
  const props = out.schemas.get('things')?.properties ?? {};
  t.notOk(props.volume_limit);
  t.same(props.anything, {}, 'untyped stays untyped');
  t.same([...new Set(out.provenance.get('things')!.values())].map((p) => p.from), ['openapi']);
});

t.test('example records add the keys they carry, never a type', async (t) => {
  const examples = { things: [{ things: [{ id: 7, urn: 'do:thing:1', nested: { a: 'x', c: [1, 2.5] } }, { progress: { steps: [{ name: 's' }] } }] }] };
  const out = generate(spec, [row], undefined, examples);
  const props = out.schemas.get('things')?.properties ?? {};
  t.same(props.id?.type, ['string', 'null'], 'a declared field keeps its type whatever the example holds');
  t.same(props.urn?.type, ['string', 'null'], 'a new key typed from its value');
  t.same(props.nested?.properties?.c, { type: ['array', 'null'], items: { type: ['number', 'null'] } }, 'nested, integer and number merged');
  t.same(props.progress?.properties?.steps?.items?.properties?.name?.type, ['string', 'null'], 'a new object with its properties');
  t.equal(out.provenance.get('things')!.get('urn')?.from, 'openapi-example');
  // A body the row cannot read is a warning, not a failure.
  const broken = generate(spec, [row], undefined, { things: [{ things: 'not a list' }] });
  t.same(broken.errors, []);
  t.match(broken.warnings.join('\n'), /holds no records/);
});
