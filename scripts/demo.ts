/**
 * `npm run demo`: a real sync with no token and no network. Starts the fake DigitalOcean API on
 * loopback, runs spec → check → discover → read through the built CLI, keeps the raw output in
 * demo-output/, and prints what happened.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAKE_SPACES_KEYS } from '../fake-api/s3.js';
import { DEFAULT_TOKENS, startFakeApi } from '../fake-api/server.js';
import { packageRoot } from '../src/paths.js';

interface Line {
  type: string;
  record?: { stream: string; data: Record<string, unknown> };
  state?: { stream: { stream_descriptor: { name: string } } };
  trace?: { type: string; error?: { message: string }; stream_status?: { status: string; stream_descriptor: { name: string } } };
  catalog?: { streams: { name: string; supported_sync_modes: string[] }[] };
  connectionStatus?: { status: string; message?: string };
  log?: { level: string; message: string };
}

const root = packageRoot();
const cli = fileURLToPath(new URL('../src/main.js', import.meta.url));
const outDir = join(root, 'demo-output');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The connector paces itself under DigitalOcean's 250 requests a minute; the demo compresses that
      // minute 100-fold so that it finishes in seconds (the pacing logic is the same).
      env: { ...process.env, SOURCE_DIGITALOCEAN_TIME_SCALE: '0.01' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const parse = (stdout: string): Line[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

const api = await startFakeApi({ seed: 42, scale: 25, rateLimits: false });
try {
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, 'config.json');
  const catalog = join(outDir, 'configured_catalog.json');
  // A read-only Spaces key of the fake account; the fake serves the S3 calls on the same origin.
  const spacesKey = (key: { id: string; secret: string }) => ({
    spaces_access_key_id: key.id,
    spaces_secret_access_key: key.secret,
    spaces_regions: ['nyc3', 'fra1'],
    spaces_endpoint: api.url,
  });
  writeFileSync(config, JSON.stringify({ api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, ...spacesKey(FAKE_SPACES_KEYS.readOnly) }, null, 2));
  const readWriteConfig = join(outDir, 'config-read-write-key.json');
  writeFileSync(readWriteConfig, JSON.stringify({ api_token: DEFAULT_TOKENS.readOnly, api_url: api.url, ...spacesKey(FAKE_SPACES_KEYS.readWrite) }, null, 2));

  const started = Date.now();
  const spec = await run(['spec']);
  writeFileSync(join(outDir, 'spec.jsonl'), spec.stdout);
  const check = await run(['check', '--config', config]);
  writeFileSync(join(outDir, 'check.jsonl'), check.stdout);
  const checkReadWrite = await run(['check', '--config', readWriteConfig]);
  writeFileSync(join(outDir, 'check-read-write-key.jsonl'), checkReadWrite.stdout);
  const discover = await run(['discover', '--config', config]);
  writeFileSync(join(outDir, 'discover.jsonl'), discover.stdout);
  const streams = parse(discover.stdout).find((m) => m.type === 'CATALOG')?.catalog?.streams ?? [];
  writeFileSync(
    catalog,
    JSON.stringify({ streams: streams.map((s) => ({ stream: s, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })) }, null, 2),
  );
  api.resetStats();
  const readStart = Date.now();
  const read = await run(['read', '--config', config, '--catalog', catalog]);
  const readMs = Date.now() - readStart;
  writeFileSync(join(outDir, 'read.jsonl'), read.stdout);

  const messages = parse(read.stdout);
  const perStream = new Map<string, { records: number; states: number; status: string }>();
  for (const s of streams) perStream.set(s.name, { records: 0, states: 0, status: '-' });
  for (const m of messages) {
    if (m.record) perStream.get(m.record.stream)!.records++;
    if (m.state) perStream.get(m.state.stream.stream_descriptor.name)!.states++;
    const status = m.trace?.stream_status;
    if (status) perStream.get(status.stream_descriptor.name)!.status = status.status;
  }
  const stats = api.stats(0);
  const checkStatus = parse(check.stdout).find((m) => m.connectionStatus)?.connectionStatus;
  const totalRecords = [...perStream.values()].reduce((n, s) => n + s.records, 0);

  console.log(`spec: exit ${spec.code}; check: ${checkStatus?.status ?? '?'} (exit ${check.code}); discover: ${streams.length} streams`);
  console.log(`check said: ${checkStatus?.message ?? ''}`);
  console.log('');
  console.log('stream'.padEnd(40) + 'records'.padStart(8) + 'states'.padStart(8) + '  status');
  for (const [name, s] of perStream) console.log(name.padEnd(40) + String(s.records).padStart(8) + String(s.states).padStart(8) + '  ' + s.status);
  console.log('');
  const rwStatus = parse(checkReadWrite.stdout).find((m) => m.connectionStatus)?.connectionStatus;
  console.log(`check with a read-write Spaces key: ${rwStatus?.status ?? '?'}: ${rwStatus?.message?.split('. ')[0] ?? ''}.`);
  console.log('Spaces buckets (ACL grants; PUBLIC = a grant to AllUsers or AuthenticatedUsers):');
  const acls = new Map(messages.filter((m) => m.record?.stream === 'spaces_bucket_acls').map((m) => [String(m.record?.data.bucket), m.record?.data]));
  for (const m of messages.filter((x) => x.record?.stream === 'spaces_buckets')) {
    const bucket = m.record?.data ?? {};
    const acl = acls.get(String(bucket.name));
    const grants = Array.isArray(acl?.grants) ? (acl.grants as Record<string, unknown>[]).map((g) => `${String(g.grantee_uri ?? g.grantee_id)}:${String(g.permission)}`) : ['(ACL not readable with this key)'];
    console.log(`  ${String(bucket.region)}/${String(bucket.name).padEnd(20)} ${acl === undefined ? 'unknown' : acl.public === true ? 'PUBLIC ' : 'private'} ${grants.join(', ')}`);
  }
  console.log('');
  console.log(`read: exit ${read.code}, ${totalRecords} records from ${streams.length} streams, ${stats.requests} requests, ${(readMs / 1000).toFixed(2)} s (all four commands: ${((Date.now() - started) / 1000).toFixed(2)} s)`);
  const errors = messages.filter((m) => m.trace?.type === 'ERROR').map((m) => m.trace?.error?.message);
  if (errors.length > 0) console.log(`errors:\n  ${errors.join('\n  ')}`);
  console.log('(time compressed 100-fold: the real API allows 250 requests a minute)');
  console.log(`raw protocol output: ${outDir}/{spec,check,discover,read}.jsonl`);
  process.exitCode = spec.code || check.code || discover.code || read.code || 0;
} finally {
  await api.close();
}
