import nock from 'nock';
import t from 'tap';
import { compileStripper } from '../../src/records/strip.js';
import { findStream } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { records, recordErrors, runInProcess } from '../helpers/protocol.js';
import { mockStreamRead, ORIGIN, TOKEN } from '../helpers/sample-api.js';

/**
 * Secrets that DigitalOcean's Go client (github.com/digitalocean/godo) shows in records but the OpenAPI
 * omits, so that nothing stripped them (issue 13). Each finding is served as godo shapes it and must
 * not reach stdout; findings fixed in a strip list are also checked against the strip list alone, so
 * that the test fails if the entry is dropped even though the credential detector stands behind it.
 */

nock.disableNetConnect();
const config = { api_token: TOKEN, api_url: ORIGIN, max_concurrency: 4 };
type Json = Record<string, unknown>;

interface Finding {
  name: string;
  stream: string;
  /** Where godo (or the issue) shows it. */
  evidence: string;
  /** Fields added to every served record; merged into what the record already has. */
  fragment: Json;
  /** Values that must not reach stdout. */
  secrets: string[];
  /** Fixed by the stream's strip list (not only by the detector): the strip list alone removes the secrets. */
  stripList: boolean;
  /** Values that are not secrets and must stay (decisions documented in the stream rows). */
  kept?: string[];
}

const logDestination = (n: string): Json => ({
  name: `http-logs-${n}`,
  endpoint: `https://http-intake.logs.example.com/v1/input/intake-token-${n}`,
  tls_insecure: false,
  headers: [
    { key: 'Authorization', value: `Bearer log-bearer-${n}` },
    { key: 'X-Scope', value: `tenant-scope-${n}` },
  ],
});

const FINDINGS: Finding[] = [
  {
    name: 'app log destinations: headers[].value and endpoint',
    stream: 'apps',
    evidence: 'godo apps.gen.go AppLogDestinationSpec{Endpoint, Headers []*AppLogDestinationSpecHeader{Key, Value}}',
    fragment: {
      spec: { log_destinations: [logDestination('a1')], services: [{ name: 'web', log_destinations: [logDestination('a2')] }] },
      active_deployment: { spec: { workers: [{ name: 'w', log_destinations: [logDestination('a3')] }] } },
    },
    secrets: ['intake-token-a1', 'log-bearer-a1', 'tenant-scope-a1', 'intake-token-a2', 'log-bearer-a2', 'intake-token-a3', 'log-bearer-a3'],
    stripList: true,
    kept: ['http-logs-a1', 'Authorization'],
  },
  {
    name: 'app deployment log destinations: headers[].value and endpoint',
    stream: 'app_deployments',
    evidence: 'godo apps.gen.go AppLogDestinationSpec (a deployment carries the spec it deployed)',
    fragment: { spec: { jobs: [{ name: 'j', log_destinations: [logDestination('d1')] }] } },
    secrets: ['intake-token-d1', 'log-bearer-d1', 'tenant-scope-d1'],
    stripList: true,
  },
  {
    name: 'app git.repo_clone_url with a token; a public clone URL and a domain certificate stay',
    stream: 'apps',
    evidence: 'OpenAPI apps_git_source_spec.repo_clone_url (public repositories); godo GitSourceSpec.RepoCloneURL, AppDomainSpec.Certificate',
    fragment: {
      spec: {
        services: [{ name: 'api', git: { repo_clone_url: 'https://x-access-token:clone-secret-77@github.com/acme/api.git', branch: 'main' } }],
        workers: [{ name: 'w2', git: { repo_clone_url: 'https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/acme/w.git' } }],
        jobs: [{ name: 'j2', git: { repo_clone_url: 'https://github.com/digitalocean/sample-golang.git' } }],
        domains: [{ domain: 'app.example.com', certificate: 'example-cert-name' }],
      },
    },
    secrets: ['clone-secret-77', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    stripList: false,
    kept: ['https://github.com/digitalocean/sample-golang.git', 'example-cert-name'],
  },
  {
    name: 'partner attachments: bgp.auth_key',
    stream: 'partner_network_connect_attachments',
    evidence: 'godo partner_network_connect.go BGP.AuthKey `json:"auth_key"` (partner_network_connect_test.go serves "auth_key":"my-auth-key")',
    fragment: { bgp: { local_asn: 64532, local_router_ip: '169.254.0.1/29', peer_asn: 64532, peer_router_ip: '169.254.0.6/29', auth_key: 'my-auth-key-bgp' } },
    secrets: ['my-auth-key-bgp'],
    stripList: true,
    kept: ['169.254.0.1/29'],
  },
  {
    name: 'database clusters: credential URIs under unnamed keys',
    stream: 'database_clusters',
    evidence: 'issue 13: a connection ssl_uri, metrics_endpoints[].uri with user:password (godo ServiceAddress has host/port only)',
    fragment: {
      connection: { ssl_uri: 'postgresql://doadmin:ssl-uri-secret@db.example.com:25060/defaultdb?sslmode=require' },
      metrics_endpoints: [{ host: 'db-metrics.example.com', port: 9273, uri: 'https://metrics:metrics-uri-secret@db-metrics.example.com:9273/metrics' }],
    },
    secrets: ['ssl-uri-secret', 'metrics-uri-secret'],
    stripList: false,
    kept: ['db-metrics.example.com'],
  },
  {
    name: 'database clusters: a password nested under users[].settings',
    stream: 'database_clusters',
    evidence: 'godo databases.go DatabaseUser.Settings (issue 13: a password nested under users[].settings)',
    fragment: { users: [{ name: 'app', role: 'normal', settings: { password: 'settings-pw-1', mongo_user_settings: { password: 'mongo-pw-2', role: 'readOnly' } } }] },
    secrets: ['settings-pw-1', 'mongo-pw-2'],
    stripList: true,
    kept: ['readOnly'],
  },
  {
    name: 'database users: a password nested under settings',
    stream: 'database_users',
    evidence: 'godo databases.go DatabaseUser.Settings',
    fragment: { settings: { password: 'user-settings-pw', acl: [{ id: 'acl-1', topic: 'events', permission: 'read' }] } },
    secrets: ['user-settings-pw'],
    stripList: true,
    kept: ['events'],
  },
  {
    name: 'functions triggers: scheduled_details.body',
    stream: 'functions_triggers',
    evidence: 'OpenAPI scheduled_details.body: the payload sent to the function on each run (arbitrary user data)',
    fragment: { scheduled_details: { cron: '*/5 * * * *', body: { name: 'payload-name-secret', note: 'payload-note-secret' } } },
    secrets: ['payload-name-secret', 'payload-note-secret'],
    stripList: true,
    kept: ['*/5 * * * *'],
  },
];

/** Deep-merges `fragment` into `target` without replacing what is there (objects merge, arrays append). */
function merge(target: Json, fragment: Json): void {
  for (const [key, value] of Object.entries(fragment)) {
    const have = target[key];
    if (Array.isArray(value)) target[key] = [...(Array.isArray(have) ? have : []), ...structuredClone(value)];
    else if (value && typeof value === 'object' && have && typeof have === 'object' && !Array.isArray(have)) merge(have as Json, value as Json);
    else if (have === undefined || have === null || typeof value !== 'object') target[key] = structuredClone(value);
  }
}

const json = (v: unknown): string => JSON.stringify(v);

for (const finding of FINDINGS) {
  t.test(finding.name, async (t) => {
    const def = findStream(finding.stream) as StreamDef;
    t.comment(finding.evidence);
    if (finding.stripList) {
      const record: Json = {};
      merge(record, finding.fragment);
      compileStripper(def.strip)(record);
      for (const secret of finding.secrets) t.notOk(json(record).includes(secret), `the strip list alone removes ${secret}`);
    }

    nock.cleanAll();
    const expected = mockStreamRead(def, undefined, (record) => merge(record, finding.fragment));
    const files = writeInputs({ 'config.json': config, 'catalog.json': catalogFor([def.name]) });
    const result = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    t.equal(result.code, 0, 'exit code 0');
    t.ok(expected.scope.isDone(), 'every expected request was made');
    const emitted = records(result.messages, def.name);
    t.equal(emitted.length, expected.records.length, 'every record emitted');
    t.same(emitted.flatMap((r) => recordErrors(def.name, r)).slice(0, 3), [], 'records validate against the schema');
    for (const secret of finding.secrets) t.notOk(result.stdout.includes(secret), `${secret} does not reach stdout`);
    for (const value of finding.kept ?? []) t.ok(json(emitted[0]).includes(json(value).slice(1, -1)), `${value} stays`);
    const logs = result.messages.filter((m) => m.log?.message.startsWith(`Stream '${def.name}': removed`));
    t.equal(logs.length, 1, 'one LOG line names the removed paths');
    t.notOk(finding.secrets.some((s) => logs[0]?.log?.message.includes(s)), 'the LOG line names paths, never values');
  });
}
