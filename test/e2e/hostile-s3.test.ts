/**
 * The Spaces (S3) side against a hostile or broken endpoint (issue 26): spaces_endpoint is configurable,
 * so an S3 server may be anything. One loopback server per case, the built CLI spawned against it, like
 * test/e2e/hostile.test.ts for API v2. The server lists `good-1`, `good-2` and `evil` (in that order
 * or not, see each case) and answers the good buckets well: whatever `evil` does, the good buckets
 * lose nothing. Bounds are asserted as bounds (peak RSS, requests, exit codes, a generous wall time),
 * never as speeds; the numbers are printed as TAP comments for the record.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import { catalogFor, writeInputs } from '../helpers/files.js';
import { pump, runMeasured, startHostile, type Handler, type HostileServer, type MeasuredOptions, type MeasuredRun } from '../helpers/hostile-server.js';
import { errorTraces, records, statuses, type Message } from '../helpers/protocol.js';

const TOKEN = 'dop_v1_hostile_s3_suite_0123456789abcdef';
const KEY_ID = 'DO00HOSTILE000000001';
const SECRET = 'hostile-spaces-secret-0123456789abcdefgh';
/** What a bare Node process running the CLI takes, plus headroom (as hostile.test.ts). */
const BASE_MIB = 150;
const MIB = 1024 * 1024;
const STREAMS = ['spaces_buckets', 'spaces_bucket_acls', 'spaces_bucket_policies', 'spaces_bucket_cors', 'spaces_bucket_lifecycle', 'spaces_bucket_versioning'];
const SUBRESOURCES = ['acl', 'policy', 'cors', 'lifecycle', 'versioning'] as const;
type Subresource = (typeof SUBRESOURCES)[number];
const STREAM_OF: Record<Subresource, string> = {
  acl: 'spaces_bucket_acls',
  policy: 'spaces_bucket_policies',
  cors: 'spaces_bucket_cors',
  lifecycle: 'spaces_bucket_lifecycle',
  versioning: 'spaces_bucket_versioning',
};
const GOOD = ['good-1', 'good-2'];
/** Real time: the request timeout is then 60 s, so that a body read up to the cap is never cut short. */
const REAL_TIMEOUTS: MeasuredOptions = { env: { SOURCE_DIGITALOCEAN_TIME_SCALE: '1' } };

interface Row {
  case: string;
  peakRssMiB: number;
  ms: number;
  requests: number;
  exit: number | null;
  outcome: string;
}
const table: Row[] = [];
t.teardown(() => {
  t.comment('case | peak RSS (MiB) | wall time (ms) | requests | exit | outcome');
  for (const row of table) t.comment(`${row.case} | ${row.peakRssMiB.toFixed(0)} | ${row.ms.toFixed(0)} | ${row.requests} | ${row.exit} | ${row.outcome}`);
});

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const xml = (res: ServerResponse, body: string, status = 200, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/xml', ...headers }).end(`${XML_HEAD}${body}`);
const bucketXml = (name: string) => `<Bucket><Name>${name}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket>`;
const listing = (names: readonly string[]) =>
  `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><Buckets>${names.map(bucketXml).join('')}</Buckets></ListAllMyBucketsResult>`;
const s3Error = (code: string) => `<Error><Code>${code}</Code><Message>${code}</Message><RequestId>tx1</RequestId></Error>`;

/** What a well-behaved Spaces endpoint answers for one bucket subresource. */
function answerWell(res: ServerResponse, bucket: string, sub: Subresource): void {
  switch (sub) {
    case 'acl':
      return xml(
        res,
        `<AccessControlPolicy xmlns="${S3_NS}"><Owner><ID>1</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>1</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
      );
    case 'policy':
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }] }));
    case 'cors':
      return xml(res, `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`);
    case 'lifecycle':
      return xml(res, `<LifecycleConfiguration><Rule><ID>expire</ID><Status>Enabled</Status><Prefix>tmp/</Prefix><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>`);
    case 'versioning':
      return xml(res, `<VersioningConfiguration xmlns="${S3_NS}"><Status>Enabled</Status></VersioningConfiguration>`);
  }
}

interface Call {
  /** ListBuckets when undefined. */
  bucket?: string;
  sub?: Subresource;
}
function callOf(req: IncomingMessage): Call {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/') return {};
  return { bucket: decodeURIComponent(url.pathname.slice(1)), sub: url.search.slice(1) as Subresource };
}

/** A Spaces endpoint that answers well, except where `hostile` takes over (it returns true then). */
function endpoint(buckets: readonly string[], hostile: (req: IncomingMessage, res: ServerResponse, call: Call, index: number) => boolean): Handler {
  return (req, res, index) => {
    const call = callOf(req);
    if (hostile(req, res, call, index)) return;
    if (call.bucket === undefined) return xml(res, listing(buckets));
    answerWell(res, call.bucket, call.sub as Subresource);
  };
}

interface Scenario {
  server: HostileServer;
  run: MeasuredRun;
  ms: number;
}

async function scenario(name: string, handler: Handler, opts: { streams?: string[]; config?: Record<string, unknown>; spawn?: MeasuredOptions } = {}): Promise<Scenario> {
  const server = await startHostile(handler, { maxRequests: 2_000 });
  try {
    const files = writeInputs({
      'config.json': {
        api_token: TOKEN,
        api_url: server.url,
        max_concurrency: 2,
        spaces_access_key_id: KEY_ID,
        spaces_secret_access_key: SECRET,
        spaces_regions: ['nyc3'],
        spaces_endpoint: server.url,
        ...opts.config,
      },
      'catalog.json': catalogFor(opts.streams ?? STREAMS),
    });
    const started = process.hrtime.bigint();
    const run = await runMeasured(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { killAfterMs: 120_000, ...opts.spawn });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const failed = errorTraces(run.messages).map((e) => e.stream_descriptor?.name ?? '-');
    const outcome = `${run.messages.filter((m) => m.type === 'RECORD').length} records; ${failed.length ? `failed: ${failed.join(', ')}` : 'no stream failed'}`;
    table.push({ case: name, peakRssMiB: run.peakRssMiB, ms, requests: server.requests.length, exit: run.code, outcome });
    return { server, run, ms };
  } finally {
    await server.close();
  }
}

const logs = (messages: Message[], level: string) => messages.filter((m) => m.type === 'LOG' && m.log?.level === level).map((m) => m.log!.message);
const rssKnown = (run: MeasuredRun) => Number.isFinite(run.peakRssMiB);

function assertClean(t: Test, run: MeasuredRun): void {
  t.same(run.protocolErrors, [], 'every stdout line is a valid AirbyteMessage');
  const all = JSON.stringify(run.messages) + run.stderr;
  t.notOk(all.includes(TOKEN) || all.includes(SECRET), 'neither the token nor the Spaces secret appears');
}

/** Every stream but `except` completed, and holds a record for each of `buckets`. */
function assertBucketsComplete(t: Test, run: MeasuredRun, buckets: readonly string[], except: readonly string[] = []): void {
  for (const stream of STREAMS.filter((s) => !except.includes(s))) {
    t.same(statuses(run.messages, stream).at(-1), 'COMPLETE', `${stream} completes`);
    const field = stream === 'spaces_buckets' ? 'name' : 'bucket';
    const seen = new Set(records(run.messages, stream).map((r) => String(r[field])));
    t.same(buckets.filter((b) => !seen.has(b)), [], `${stream}: no record lost for ${buckets.join(', ')}`);
  }
}

/** The buckets a stream's records name. */
const bucketsIn = (run: MeasuredRun, stream: string) => [...new Set(records(run.messages, stream).map((r) => String(r.bucket)))].sort();

t.test('an endless ListBuckets body stops at the default 64 MiB cap: one request, a TRACE ERROR, bounded memory', async (t) => {
  const { server, run } = await scenario(
    'endless ListBuckets body (cap 64 MiB)',
    endpoint([], (_req, res, call) => {
      if (call.bucket !== undefined) return false;
      pump(res, `${XML_HEAD}<ListAllMyBucketsResult><Buckets>`, bucketXml('x').repeat(512), { 'content-type': 'application/xml' });
      return true;
    }),
    { spawn: REAL_TIMEOUTS },
  );
  assertClean(t, run);
  t.equal(run.code, 1);
  t.equal(server.requests.length, 1, 'not retried');
  const [error] = errorTraces(run.messages);
  t.equal(error.stream_descriptor?.name, 'spaces_buckets');
  t.match(error.message, 'ListBuckets (GET / on nyc3) returned a body larger than the 64 MiB cap (max_response_size_mb); it was not read further nor retried.');
  t.ok(server.bytesWritten() < 200 * MIB, `the server wrote only ${(server.bytesWritten() / MIB).toFixed(0)} MiB before the connector hung up`);
  if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB + 2 * 64, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
});

t.test("an endless body for one bucket's ACL: that bucket is left out with a WARN, the others lose nothing", async (t) => {
  const { server, run } = await scenario(
    'endless body on evil?acl (cap 16 MiB)',
    endpoint(['evil', ...GOOD], (_req, res, call) => {
      if (call.bucket !== 'evil' || call.sub !== 'acl') return false;
      pump(res, `${XML_HEAD}<AccessControlPolicy><AccessControlList>`, '<Grant><Permission>READ</Permission></Grant>'.repeat(512), { 'content-type': 'application/xml' });
      return true;
    }),
    { config: { max_response_size_mb: 16 }, spawn: REAL_TIMEOUTS },
  );
  assertClean(t, run);
  t.equal(run.code, 0);
  t.same(errorTraces(run.messages), [], 'no stream fails');
  assertBucketsComplete(t, run, GOOD);
  t.same(bucketsIn(run, 'spaces_bucket_acls'), GOOD, 'evil has no ACL record');
  t.same(bucketsIn(run, 'spaces_bucket_versioning'), ['evil', ...GOOD], "evil's other calls are read");
  t.ok(
    logs(run.messages, 'WARN').some((w) => w.includes("Stream 'spaces_bucket_acls': GET /evil?acl on nyc3 (bucket 'evil') returned a body larger than the 16 MiB cap") && w.includes("Bucket 'evil' (nyc3) is left out")),
    'the WARN names stream, bucket, call and cap',
  );
  t.equal(server.requests.filter((r) => r.path === '/evil?acl').length, 1, 'not retried');
  if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB + 2 * 16, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
});

// Ten entities, each ten times the one before: expanded, &lol9; is 10^9 "lol"s (3 GB).
const LAUGHS = `<!DOCTYPE lolz [<!ENTITY lol0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('')}]>`;

t.test('entity expansion (billion laughs) in ListBuckets is refused unparsed: one request, at once, no memory', async (t) => {
  const { server, run, ms } = await scenario(
    'billion laughs in ListBuckets',
    endpoint([], (_req, res, call) => {
      if (call.bucket !== undefined) return false;
      xml(res, `${LAUGHS}<ListAllMyBucketsResult><Buckets><Bucket><Name>&lol9;</Name></Bucket></Buckets></ListAllMyBucketsResult>`);
      return true;
    }),
  );
  assertClean(t, run);
  t.equal(run.code, 1);
  t.equal(server.requests.length, 1, 'not retried');
  t.match(errorTraces(run.messages)[0].message, 'ListBuckets (GET / on nyc3) returned an XML document with a DOCTYPE or ENTITY declaration, which no S3 answer holds; it was refused unparsed');
  t.equal(records(run.messages, 'spaces_buckets').length, 0);
  t.ok(ms < 30_000, `${ms.toFixed(0)} ms`);
  if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
});

t.test("a DOCTYPE (external DTD) or billion laughs in one bucket's answers: refused, that bucket left out, the others lose nothing", async (t) => {
  const { server, run } = await scenario(
    'DOCTYPE on evil?versioning, billion laughs on evil?cors',
    endpoint([...GOOD.slice(0, 1), 'evil', ...GOOD.slice(1)], (_req, res, call) => {
      if (call.bucket !== 'evil') return false;
      if (call.sub === 'versioning') xml(res, `<!DOCTYPE VersioningConfiguration SYSTEM "http://127.0.0.1:9/steal.dtd"><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`);
      else if (call.sub === 'cors') xml(res, `${LAUGHS}<CORSConfiguration><CORSRule><AllowedOrigin>&lol9;</AllowedOrigin></CORSRule></CORSConfiguration>`);
      else return false;
      return true;
    }),
  );
  assertClean(t, run);
  t.equal(run.code, 0);
  assertBucketsComplete(t, run, GOOD);
  t.same(bucketsIn(run, 'spaces_bucket_versioning'), GOOD);
  t.same(bucketsIn(run, 'spaces_bucket_cors'), GOOD);
  t.same(bucketsIn(run, 'spaces_bucket_acls'), ['evil', ...GOOD].sort(), "evil's well-formed answers are kept");
  for (const sub of ['versioning', 'cors']) {
    t.ok(
      logs(run.messages, 'WARN').some((w) => w.includes(`GET /evil?${sub} on nyc3 (bucket 'evil') returned an XML document with a DOCTYPE or ENTITY declaration`)),
      `${sub}: the WARN names bucket and call`,
    );
    t.equal(server.requests.filter((r) => r.path === `/evil?${sub}`).length, 1, `${sub}: not retried`);
  }
  if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
});

t.test('a truncated document is retried; a listing that stays truncated fails after 9 attempts, one that recovers loses nothing', async (t) => {
  const truncated = `${XML_HEAD}<ListAllMyBucketsResult><Buckets>${bucketXml('good-1')}<Bucket><Na`;
  const always = await scenario(
    'truncated ListBuckets (always)',
    endpoint([], (_req, res, call) => {
      if (call.bucket !== undefined) return false;
      res.writeHead(200, { 'content-type': 'application/xml' }).end(truncated);
      return true;
    }),
  );
  assertClean(t, always.run);
  t.equal(always.run.code, 1);
  t.equal(always.server.requests.length, 9, 'the first attempt and 8 retries');
  t.match(errorTraces(always.run.messages)[0].message, `ListBuckets (GET / on nyc3) returned ${truncated.length} characters that are not a complete XML document instead of the expected XML on each of 9 attempts.`);
  t.equal(records(always.run.messages, 'spaces_buckets').length, 0, 'no bucket made up from half a document');

  const cut = new Map<string, number>();
  const recovering = await scenario(
    'truncated answers (twice per call), then whole',
    endpoint(['evil', ...GOOD], (req, res) => {
      const seen = cut.get(req.url ?? '') ?? 0;
      if (seen >= 2) return false;
      cut.set(req.url ?? '', seen + 1);
      // A connection dropped mid-body: the headers promised more than arrives.
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': '4096' }).write(`${XML_HEAD}<ListAllMyBucketsResult><Buckets><Bu`);
      setImmediate(() => res.destroy());
      return true;
    }),
  );
  assertClean(t, recovering.run);
  t.equal(recovering.run.code, 0);
  assertBucketsComplete(t, recovering.run, ['evil', ...GOOD]);
  t.equal(recovering.server.requests.length, 3 * (1 + 3 * 5), 'each of the 16 calls: two cut answers, then the whole one');
});

t.test('a body that trickles in for ever times out like API v2: the whole request is bounded, then retried, then reported', async (t) => {
  // Time scale 0.001: the request timeout is its floor, 1 s (src/runtime.ts), for the whole request, body included.
  const { server, run, ms } = await scenario(
    'ListBuckets body trickling 1 byte / 50 ms',
    endpoint([], (_req, res, call) => {
      if (call.bucket !== undefined) return false;
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write(`${XML_HEAD}<ListAllMyBucketsResult><Buckets>`);
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
      res.on('close', () => clearInterval(drip));
      return true;
    }),
    { streams: ['spaces_buckets'] },
  );
  assertClean(t, run);
  t.equal(run.code, 1);
  t.equal(server.requests.length, 9, 'the first attempt and 8 retries');
  t.match(errorTraces(run.messages)[0].message, 'GET / on nyc3 timed out on each of 9 attempts.');
  t.ok(ms < 60_000, `${ms.toFixed(0)} ms for 9 attempts of 1 s`);
});

t.test('a huge bucket list: 30,000 buckets are read whole in bounded memory; 100,000 (more tags than any Spaces answer) are refused unparsed', async (t) => {
  for (const count of [30_000, 100_000]) {
    const names = Array.from({ length: count }, (_, i) => `bucket-${String(i).padStart(6, '0')}`);
    const body = `${XML_HEAD}${listing(names)}`;
    const { server, run, ms } = await scenario(
      `huge ListBuckets (${count.toLocaleString('en-US')} buckets, ${(body.length / MIB).toFixed(1)} MiB)`,
      endpoint(names, (_req, res, call) => {
        if (call.bucket !== undefined) return false;
        res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
        return true;
      }),
      { streams: ['spaces_buckets'], spawn: REAL_TIMEOUTS },
    );
    assertClean(t, run);
    t.equal(server.requests.length, 1, `${count}: one request`);
    t.ok(ms < 60_000, `${count}: ${ms.toFixed(0)} ms`);
    const got = records(run.messages, 'spaces_buckets');
    if (count === 30_000) {
      t.equal(run.code, 0);
      t.equal(got.length, names.length, 'every bucket');
      t.equal(new Set(got.map((r) => r.name)).size, names.length, 'each once');
      // About 1 KB per element while fast-xml-parser works: 90,000 elements.
      if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB + 150, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB for a ${(body.length / MIB).toFixed(1)} MiB document`);
    } else {
      t.equal(run.code, 1);
      t.equal(got.length, 0);
      t.match(errorTraces(run.messages)[0].message, 'ListBuckets (GET / on nyc3) returned an XML document with more than 200,000 tags, far more than any Spaces answer holds; it was refused unparsed');
      if (rssKnown(run)) t.ok(run.peakRssMiB < BASE_MIB + 50, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB: never parsed`);
    }
  }
});

t.test('a redirect is never followed: ListBuckets fails with a config error, a bucket call leaves that bucket out', async (t) => {
  const target = await startHostile((_req, res) => xml(res, listing(['injected'])));
  t.teardown(() => target.close());
  const listingRedirect = await scenario(
    'redirect on ListBuckets',
    endpoint([], (_req, res, call) => {
      if (call.bucket !== undefined) return false;
      res.writeHead(307, { location: `${target.url}/?leak=QUERY_SECRET` }).end();
      return true;
    }),
  );
  assertClean(t, listingRedirect.run);
  t.equal(listingRedirect.run.code, 1);
  t.equal(listingRedirect.server.requests.length, 1, 'not retried');
  const [error] = errorTraces(listingRedirect.run.messages);
  t.match(error.message, `ListBuckets (GET / on nyc3) answered 307, a redirect to ${target.url}, which is never followed`);
  t.notMatch(error.message, 'QUERY_SECRET');
  t.equal(error.failure_type, 'config_error');

  const bucketRedirect = await scenario(
    'redirect on evil?policy (301 PermanentRedirect)',
    endpoint(['evil', ...GOOD], (_req, res, call) => {
      if (call.bucket !== 'evil' || call.sub !== 'policy') return false;
      xml(res, s3Error('PermanentRedirect'), 301, { location: `${target.url}/evil?policy` });
      return true;
    }),
  );
  assertClean(t, bucketRedirect.run);
  t.equal(bucketRedirect.run.code, 0);
  assertBucketsComplete(t, bucketRedirect.run, GOOD);
  t.same(bucketsIn(bucketRedirect.run, 'spaces_bucket_policies'), GOOD);
  t.ok(logs(bucketRedirect.run.messages, 'WARN').some((w) => w.includes("GET /evil?policy on nyc3 (bucket 'evil') answered 301, a redirect to")), 'the WARN names bucket and call');
  t.equal(target.requests.length, 0, 'no request ever reached the redirect target');
});

t.test('503 SlowDown storms: every call slowed down three times is retried with the backoff floor and nothing is lost', async (t) => {
  const slowed = new Map<string, number>();
  // Time scale 0.01: one backoff step is 10 ms, so the jittered waits are at least 5, 10 and 20 ms.
  const { server, run } = await scenario(
    '503 SlowDown x3 on every call',
    endpoint(['evil', ...GOOD], (req, res) => {
      const seen = slowed.get(req.url ?? '') ?? 0;
      if (seen >= 3) return false;
      slowed.set(req.url ?? '', seen + 1);
      xml(res, s3Error('SlowDown'), 503, { 'retry-after': '0' });
      return true;
    }),
    { spawn: { env: { SOURCE_DIGITALOCEAN_TIME_SCALE: '0.01' } } },
  );
  assertClean(t, run);
  t.equal(run.code, 0);
  assertBucketsComplete(t, run, ['evil', ...GOOD]);
  t.equal(server.requests.length, 4 * (1 + 3 * 5), 'each of the 16 calls: three SlowDowns, then the answer');
  const byPath = new Map<string, number[]>();
  for (const r of server.requests) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.at]);
  let floorHeld = true;
  for (const [path, times] of byPath) {
    times.slice(1).forEach((at, i) => {
      if (at - times[i] < 5 * 2 ** i - 2) floorHeld = false;
      if (at - times[i] < 5 * 2 ** i - 2) t.comment(`${path}: wait ${i + 1} was ${(at - times[i]).toFixed(1)} ms`);
    });
  }
  t.ok(floorHeld, 'no retry came sooner than half its backoff step (Retry-After: 0 is no reason to hammer)');
  t.ok(logs(run.messages, 'WARN').some((w) => /GET \/evil\?acl on nyc3 failed \(503 SlowDown\); retry 1 in/.test(w)), 'each retry is announced');

  const storm = await scenario(
    '503 SlowDown for ever on evil?policy',
    endpoint([...GOOD, 'evil'], (_req, res, call) => {
      if (call.bucket !== 'evil' || call.sub !== 'policy') return false;
      xml(res, s3Error('SlowDown'), 503);
      return true;
    }),
  );
  assertClean(t, storm.run);
  t.equal(storm.run.code, 1);
  t.equal(storm.server.requests.filter((r) => r.path === '/evil?policy').length, 9, 'the first attempt and 8 retries, no more');
  const [error] = errorTraces(storm.run.messages);
  t.equal(error.stream_descriptor?.name, 'spaces_bucket_policies');
  t.match(error.message, 'Spaces answered 503 (SlowDown: SlowDown) on GET /evil?policy on nyc3 on each of 9 attempts.');
  assertBucketsComplete(t, storm.run, [...GOOD, 'evil'], ['spaces_bucket_policies']);
});
