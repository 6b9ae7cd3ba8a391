import t from 'tap';
import { SECRET_MARK } from '../../fake-api/data/generic.js';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';
import { STREAMS as TABLE } from '../../src/streams/index.js';
import { isSecretKey, spawnCli, stringLeaves } from '../helpers/e2e.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { errorTraces, records, recordErrors, states, statuses } from '../helpers/protocol.js';

/** The API v2 rows: the S3 rows (Spaces buckets) need a Spaces key and are tested in test/spaces/. */
const STREAMS = TABLE.filter((def) => !def.transport);
const RARE = new Set(['droplet_neighbors', 'droplet_neighbor_reports']);

/**
 * The whole product on the real wire: the built CLI against the fake DigitalOcean API on loopback, every
 * stream, with a token that can see database passwords (so the API really serves secrets).
 */
t.test('a full sync of every stream', async (t) => {
  // Rate limits have their own tests; here they would only slow the sync down.
  // Every fourth Droplet is a GPU Droplet, which the API lists only with type=gpus.
  const api = await startFakeApi({ seed: 7, scale: 12, rateLimits: false, gpuDropletEvery: 4 });
  t.teardown(() => api.close());
  const token = DEFAULT_TOKENS.readOnlyWithCredentials;
  const names = STREAMS.map((s) => s.name);
  const files = writeInputs({
    'config.json': { api_token: token, api_url: api.url, max_concurrency: 4 },
    'catalog.json': catalogFor(names),
  });
  const run = await spawnCli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);

  t.equal(run.code, 0, `exit 0 (stderr: ${run.stderr.slice(0, 300)})`);
  t.same(run.protocolErrors, [], 'every stdout line is a valid Airbyte message');
  t.same(errorTraces(run.messages), [], 'no error traces');
  t.equal(run.stderr, '', 'nothing on stderr');
  t.notOk(run.stdout.includes(token) || run.stderr.includes(token), 'the token appears nowhere');
  const warnings = run.messages.filter((m) => m.log?.level === 'WARN' && m.log.message.includes('over-privileged'));
  t.equal(warnings.length, 1, 'one WARN says the token can see database credentials');
  t.match(warnings[0]?.log?.message, /carries database credentials \([a-z_.[\]]+(, [a-z_.[\]]+)*\)/, 'the WARN names the fields found');
  // Secrets the fake API plants at every strip path (app log-destination headers and endpoints, BGP keys, …).
  t.notOk(run.stdout.includes(SECRET_MARK), 'no planted secret reaches stdout');
  const removals = run.messages.filter((m) => m.log?.message.includes('secret value(s) before output'));
  t.ok(removals.some((m) => m.log?.message.startsWith("Stream 'apps': removed") && m.log.message.includes('log_destinations[].headers[].value')), 'the apps LOG line names the header values removed');
  t.ok(removals.some((m) => m.log?.message.startsWith("Stream 'partner_network_connect_attachments': removed") && m.log.message.includes('bgp.auth_key')), 'the partner LOG line names bgp.auth_key');

  const stats = api.stats(0);
  t.equal(
    Object.entries(stats.credentialCalls ?? {}).reduce((n, [, v]) => n + Number(v), 0),
    0,
    'no credential endpoint was called',
  );

  const gpu = records(run.messages, 'droplets').filter((d) => String(d.size_slug).startsWith('gpu-'));
  t.equal(gpu.length, 3, 'the GPU Droplets are read too (asked for with type=gpus)');

  // The generic generator plants a marked secret at every strip path of the rows it serves (agent API
  // keys, custom models' Hugging Face token, …): the API really sends them, and none may come out.
  const planted = STREAMS.filter((def) => JSON.stringify([...api.account.expectedRecords(def.name, { withSecrets: true })]).includes(SECRET_MARK));
  t.ok(planted.some((def) => def.name === 'genai_agent_api_keys'), 'the fake serves agent API keys with their secret_key');
  t.notOk(run.stdout.includes(SECRET_MARK), `no planted secret of ${planted.length} streams reaches stdout`);

  for (const def of STREAMS) {
    const emitted = records(run.messages, def.name);
    const served = [...api.account.expectedRecords(def.name, { withSecrets: true })];
    const cleanServed = [...api.account.expectedRecords(def.name, { withSecrets: false })];
    // Neighbors are rare by design (fake-api/data/links.ts: one Droplet in 20); test/e2e/fanout-hints.test.ts reads some.
    if (!RARE.has(def.name)) t.ok(served.length > 0, `${def.name}: the fake account has records, so the count below means something`);
    t.equal(emitted.length, served.length, `${def.name}: every served record emitted (${served.length})`);
    t.same(emitted.flatMap((r) => recordErrors(def.name, r)).slice(0, 3), [], `${def.name}: records match the schema`);
    t.same(statuses(run.messages, def.name), ['STARTED', 'RUNNING', 'COMPLETE'], `${def.name}: statuses`);
    const streamStates = states(run.messages, def.name);
    t.ok(streamStates.length >= 1, `${def.name}: at least one state`);
    t.equal(streamStates.reduce((n, s) => n + (s.sourceStats?.recordCount ?? 0), 0), emitted.length, `${def.name}: exact recordCount`);
    // Values only the credentialed token sees are the secrets: none may reach the output.
    const visible = stringLeaves(cleanServed);
    const secrets = [...stringLeaves(served, new Set(), isSecretKey)].filter((v) => !visible.has(v) && v.length >= 6);
    const leaked = secrets.filter((s) => run.stdout.includes(s));
    t.same(leaked.slice(0, 3), [], `${def.name}: no secret served (${secrets.length}) appears in the output`);
  }
});
