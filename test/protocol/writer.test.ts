import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import t from 'tap';
import { clip, MAX_TEXT_CHARS, ProtocolWriter } from '../../src/protocol/writer.js';
import { protocolErrors } from '../helpers/protocol.js';

const TOKEN = 'dop_v1_0123abcd_WRITER_SECRET';

/** A sink that keeps every chunk written. */
function sink() {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { out, chunks, text: () => chunks.join('') };
}

/** A stdout that is full: write returns false until 'drain' is emitted by the test. */
class FullPipe extends EventEmitter {
  writes: string[] = [];
  full = true;
  write(data: string): boolean {
    this.writes.push(data);
    return !this.full;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('one JSON message per line, each valid protocol', async (t) => {
  const { out, text } = sink();
  const writer = new ProtocolWriter(out);
  await writer.log('INFO', 'hello');
  await writer.status('droplets', 'RUNNING');
  await writer.status('droplets', 'RUNNING', 1_700_000_000_000);
  await writer.error('boom', 'system_error', { internal: 'i', stack: 's', stream: 'droplets' });
  await writer.error('plain', 'config_error', { internal: '' });
  await writer.record('droplets', { id: 1 }, 1);
  await writer.estimate('droplets', 42);
  await writer.flush();
  const lines = text().split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  t.equal(lines.length, 7);
  for (const line of lines) t.same(protocolErrors(line), [], line.slice(0, 80));
  t.match(JSON.parse(lines[2]), { trace: { stream_status: { reasons: [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: 1_700_000_000_000 } }] } } });
  t.match(JSON.parse(lines[3]), { trace: { error: { message: 'boom', internal_message: 'i', stack_trace: 's', stream_descriptor: { name: 'droplets' } } } });
  t.notOk('stream_descriptor' in JSON.parse(lines[4]).trace.error);
  t.equal(JSON.parse(lines[4]).trace.error.internal_message, 'plain', 'an empty internal message falls back to the message');
  t.match(JSON.parse(lines[6]), { trace: { type: 'ESTIMATE', estimate: { name: 'droplets', type: 'STREAM', row_estimate: 42, byte_estimate: 42 * '{"id":1}'.length } } });
});

// airbyte-platform 310e6cb, airbyte-container-orchestrator/.../bookkeeping/StatsTracker.kt (trackEstimates):
// estimatedBytesCount.set(msg.byteEstimate) and estimatedRecordsCount.set(msg.rowEstimate) unbox both
// java.lang.Long fields, so an ESTIMATE without either fails the attempt.
t.test('every ESTIMATE carries row_estimate and byte_estimate, the bytes from the records written', async (t) => {
  const { out, text } = sink();
  const writer = new ProtocolWriter(out);
  await writer.estimate('droplets', 10); // no record of the stream yet: no honest byte figure, nothing sent
  await writer.estimate('empty', 0);
  await writer.record('droplets', { id: 1, name: 'a' }, 1);
  await writer.record('droplets', { id: 22, name: 'abc' }, 1);
  await writer.record('other', { x: 'y'.repeat(1000) }, 1);
  await writer.estimate('droplets', 10);
  await writer.flush();
  const estimates = text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE')
    .map((m) => m.trace.estimate);
  const mean = ('{"id":1,"name":"a"}'.length + '{"id":22,"name":"abc"}'.length) / 2;
  t.same(estimates, [
    { name: 'empty', type: 'STREAM', row_estimate: 0, byte_estimate: 0 },
    { name: 'droplets', type: 'STREAM', row_estimate: 10, byte_estimate: Math.round(mean * 10) },
  ]);
});

t.test('a registered secret is replaced in the texts of every kind of message, never in records', async (t) => {
  const { out, text } = sink();
  const writer = new ProtocolWriter(out);
  writer.addSecret(TOKEN);
  await writer.log('WARN', `token=${TOKEN} and again ${TOKEN}`);
  await writer.error(`failed with ${TOKEN}`, 'system_error', { internal: TOKEN, stack: `Error: ${TOKEN}\n at x` });
  await writer.emit({ type: 'RECORD', record: { stream: 's', data: { note: `prefix${TOKEN}suffix` }, emitted_at: 1 } });
  await writer.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: TOKEN } });
  await writer.flush();
  const lines = text().trim().split('\n');
  t.equal(text().split('**********').length - 1, 6, 'every occurrence in a text replaced');
  t.same(JSON.parse(lines[2]).record.data, { note: `prefix${TOKEN}suffix` }, 'a record is the API\'s data: never altered');
  for (const line of lines) t.same(protocolErrors(line), []);
  t.equal(writer.redact(`a ${TOKEN} b`), 'a ********** b');
});

t.test('a secret equal to a JSON word never rewrites the structure of a line', async (t) => {
  // config.ts refuses such tokens (MIN_TOKEN_LENGTH); the writer must hold even if one got through.
  for (const word of ['type', 'TRACE', 'RECORD', 'message', 'true', 'null', 'emitted_at', 'stream', 'data']) {
    const { out, text } = sink();
    const writer = new ProtocolWriter(out);
    writer.addSecret(word);
    await writer.log('INFO', `the ${word} is here`);
    await writer.error(`failed: ${word}`, 'system_error', { internal: word, stack: word, stream: 'droplets' });
    await writer.status('droplets', 'RUNNING', 5);
    await writer.record('droplets', { type: word, [word]: true, data: null, message: 'stream' }, 7);
    await writer.estimate('droplets', 3);
    await writer.emit({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'droplets' }, stream_state: { [word]: word } } } });
    await writer.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: `no ${word}` } });
    await writer.flush();
    const lines = text().trim().split('\n');
    t.equal(lines.length, 7, word);
    for (const line of lines) t.same(protocolErrors(line), [], `${word}: ${line.slice(0, 80)}`);
    const parsed = lines.map((l) => JSON.parse(l));
    t.same(parsed.map((m) => m.type), ['LOG', 'TRACE', 'TRACE', 'RECORD', 'TRACE', 'STATE', 'CONNECTION_STATUS'], `${word}: types intact`);
    t.equal(parsed[0].log.message, 'the ********** is here');
    t.equal(parsed[1].trace.error.message, 'failed: **********');
    t.equal(parsed[1].trace.error.internal_message, '**********');
    t.equal(parsed[1].trace.error.failure_type, 'system_error');
    t.same(parsed[3].record.data, { type: word, [word]: true, data: null, message: 'stream' }, `${word}: record untouched`);
    t.same(parsed[5].state.stream.stream_state, { [word]: word }, `${word}: state untouched`);
    t.equal(parsed[6].connectionStatus.message, 'no **********');
  }
});

t.test('message texts are cut to MAX_TEXT_CHARS, saying how much was left out', async (t) => {
  const { out, text } = sink();
  const writer = new ProtocolWriter(out);
  const huge = 'n'.repeat(MAX_TEXT_CHARS + 5_000);
  await writer.log('INFO', huge);
  await writer.error(huge, 'config_error', { internal: huge });
  await writer.flush();
  const [log, error] = text().trim().split('\n').map((l) => JSON.parse(l));
  t.equal(log.log.message, `${'n'.repeat(MAX_TEXT_CHARS)}… (5000 more characters)`);
  t.equal(error.trace.error.message.length, log.log.message.length);
  t.equal(error.trace.error.internal_message.length, log.log.message.length);
  t.equal(clip('short', 10), 'short');
});

t.test('a secret is also replaced in its JSON-escaped form', async (t) => {
  const secret = 'abc"def\\ghi';
  const { out, text } = sink();
  const writer = new ProtocolWriter(out);
  writer.addSecret(secret);
  await writer.log('INFO', `value ${secret} end`);
  await writer.flush();
  const message = JSON.parse(text()) as { log: { message: string } };
  t.notOk(message.log.message.includes(secret), 'the decoded message does not hold the secret');
  t.equal(message.log.message, 'value ********** end');
});

t.test('empty and very short secrets are ignored; duplicates are registered once', async (t) => {
  const writer = new ProtocolWriter(sink().out);
  writer.addSecret(undefined);
  writer.addSecret('');
  writer.addSecret('abc');
  t.equal(writer.redact('abc is not a secret'), 'abc is not a secret');
  writer.addSecret('abcd');
  writer.addSecret('abcd');
  t.equal(writer.redact('abcd'), '**********');
});

t.test('output is batched: messages of one turn go out in one write, without an explicit flush', async (t) => {
  const { out, chunks } = sink();
  const writer = new ProtocolWriter(out);
  void writer.log('INFO', 'a');
  void writer.log('INFO', 'b');
  void writer.log('INFO', 'c');
  t.equal(chunks.length, 0, 'nothing written synchronously');
  await tick();
  await tick();
  t.equal(chunks.length, 1);
  t.equal(chunks[0].split('\n').length, 4);
});

t.test('emit hands back a promise once 64 KB are queued', async (t) => {
  const { out } = sink();
  const writer = new ProtocolWriter(out);
  const big = 'x'.repeat(1024);
  let promised = 0;
  for (let i = 0; i < 70; i++) if (writer.emit({ type: 'LOG', log: { level: 'INFO', message: big } })) promised++;
  t.equal(promised, 1, 'exactly when the 64 KB threshold is crossed');
  await writer.flush();
});

t.test('backpressure: a write that returns false holds flush until drain, and later writes wait', async (t) => {
  const pipe = new FullPipe();
  const writer = new ProtocolWriter(pipe as unknown as Writable);
  void writer.log('INFO', 'first');
  let flushed = false;
  const first = writer.flush().then(() => (flushed = true));
  await tick();
  await tick();
  t.equal(pipe.writes.length, 1, 'the data went to the pipe');
  t.notOk(flushed, 'flush waits for drain');

  void writer.log('INFO', 'second');
  let secondFlushed = false;
  const second = writer.flush().then(() => (secondFlushed = true));
  await tick();
  await tick();
  t.equal(pipe.writes.length, 1, 'nothing more is written into a full pipe');
  t.notOk(secondFlushed);

  pipe.full = false;
  pipe.emit('drain');
  await first;
  await second;
  t.ok(flushed);
  t.ok(secondFlushed);
  t.equal(pipe.writes.length, 2, 'the second batch followed the drain');
  t.match(pipe.writes[0], /"first"/);
  t.match(pipe.writes[1], /"second"/);
});

t.test('many flushes waiting on a full pipe share one drain listener (no MaxListeners warning)', async (t) => {
  const pipe = new FullPipe();
  const writer = new ProtocolWriter(pipe as unknown as Writable);
  const flushes: Promise<void>[] = [];
  for (let i = 0; i < 20; i++) {
    void writer.log('INFO', `line ${i}`);
    flushes.push(writer.flush());
  }
  await tick();
  t.equal(pipe.listenerCount('drain'), 1, 'one listener while blocked');
  pipe.full = false;
  pipe.emit('drain');
  await Promise.all(flushes);
  t.equal(pipe.listenerCount('drain'), 0);
  t.match(pipe.writes.join(''), /line 0[\s\S]*line 19/, 'every line, in order');
});

t.test('with a drained pipe, flush resolves at once', async (t) => {
  const pipe = new FullPipe();
  pipe.full = false;
  const writer = new ProtocolWriter(pipe as unknown as Writable);
  void writer.log('INFO', 'x');
  await writer.flush();
  await writer.flush();
  t.equal(pipe.writes.length, 1, 'an empty flush writes nothing');
});

t.test('order is kept across many emits and flushes', async (t) => {
  const { out, text } = sink();
  const writer = new ProtocolWriter(out);
  for (let i = 0; i < 500; i++) {
    const pending = writer.log('INFO', `m${i} ${'y'.repeat(300)}`);
    if (pending) await pending;
    if (i % 97 === 0) await writer.flush();
  }
  await writer.flush();
  const order = text()
    .trim()
    .split('\n')
    .map((l) => Number((JSON.parse(l) as { log: { message: string } }).log.message.split(' ')[0].slice(1)));
  t.same(
    order,
    Array.from({ length: 500 }, (_, i) => i),
  );
});

t.test('RATE_LIMITED goes only to streams that started and have not ended', async (t) => {
  const { out, text } = sink();
  const writer = new ProtocolWriter(out);
  writer.rateLimited(['early'], 1); // not started yet: the LOG line says it
  await writer.status('a', 'STARTED');
  await writer.status('b', 'STARTED');
  await writer.status('b', 'COMPLETE');
  writer.rateLimited(['a', 'b', 'early'], 5);
  await writer.flush();
  const statuses = text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).trace.stream_status)
    .map((s) => `${s.stream_descriptor.name}:${s.status}${s.reasons ? ':RATE_LIMITED' : ''}`);
  t.same(statuses, ['a:STARTED', 'b:STARTED', 'b:COMPLETE', 'a:RUNNING:RATE_LIMITED']);
});
