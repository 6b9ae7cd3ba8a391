import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../fake-api/server.js';
import { loadSchema } from '../src/streams/schemas.js';
import { STREAMS as TABLE } from '../src/streams/index.js';
import { catalogFor, writeInputs } from './helpers/files.js';
import { errorTraces, records, runInProcess } from './helpers/protocol.js';
import { nullKeys, undeclaredKeys } from './helpers/record-fields.js';

/**
 * Every stream read from the fake API through the connector: no emitted record carries a key its
 * schema does not name (at any depth where the schema declares properties), and no primary key field
 * is null. The fake generates from the schemas plus the data-coherence kinds (fake-api/data/kinds/):
 * a kind that invents a field DigitalOcean never sends fails here. test/openapi-examples.test.ts does
 * the same with DigitalOcean's own example bodies.
 */
const STREAMS = TABLE.filter((def) => !def.transport);

t.test('no emitted record has a field outside its schema, and every key is set', async (t) => {
  const api = await startFakeApi({ seed: 42, scale: 6, rateLimits: false, gpuDropletEvery: 3 });
  t.teardown(() => api.close());
  const files = writeInputs({
    'config.json': { api_token: DEFAULT_TOKENS.readOnlyWithCredentials, api_url: api.url, max_concurrency: 4 },
    'catalog.json': catalogFor(STREAMS.map((d) => d.name)),
  });
  const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  t.equal(result.code, 0, 'the read succeeds');
  t.same(errorTraces(result.messages), [], 'no error traces');
  let read = 0;
  for (const def of STREAMS) {
    const emitted = records(result.messages, def.name);
    if (emitted.length > 0) read++;
    const schema = loadSchema(def.name);
    const extra = [...new Set(emitted.flatMap((r) => undeclaredKeys(schema, r)))];
    t.same(extra, [], `${def.name}: ${emitted.length} records, every key declared`);
    const unset = [...new Set(emitted.flatMap((r) => nullKeys(def.primaryKey, r)))];
    t.same(unset, [], `${def.name}: primary key ${def.primaryKey.join(', ') || '(none)'} set in every record`);
  }
  t.ok(read >= STREAMS.length - 10, `${read} of ${STREAMS.length} streams emitted records`);
});
