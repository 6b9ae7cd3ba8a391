import type { Writable } from 'node:stream';
import type { AirbyteMessage, AirbyteStream, FailureType, LogLevel, StreamStatus } from './messages.js';
import { AirbyteWriter, clip, MAX_TEXT_CHARS, type ProtocolWriter } from './writer.js';

/** How one selected stream is written: what SCHEMA says and what RECORD keeps. */
export interface SingerStreamPlan {
  schema: Record<string, unknown>;
  /** The whole key, composite or not; [] for a key-less stream. */
  keyProperties: readonly string[];
  /** The cursor, for a stream read incrementally. */
  bookmarkProperties?: readonly string[];
  /** Top-level properties deselected in the catalog (already absent from `schema`). */
  dropped: ReadonlySet<string>;
  /** Set for a full-table stream when ACTIVATE_VERSION is on: RECORD carries it, COMPLETE activates it. */
  version?: number;
}

/** What the Singer edge (src/singer/, src/commands/singer.ts) decides; the writer only writes it. */
export interface SingerEdge {
  plan(stream: string): SingerStreamPlan | undefined;
  /** The whole state value once `stream` has moved to `state`. */
  state(stream: string, state: Record<string, unknown>): Record<string, unknown>;
  /** The catalog document `--discover` prints, from the streams discover found. */
  catalog(streams: readonly AirbyteStream[]): unknown;
}

export type ConnectionVerdict = 'SUCCEEDED' | 'FAILED';

/**
 * The Singer protocol on the one engine: stdout carries only SCHEMA, RECORD, STATE and ACTIVATE_VERSION
 * (or the one catalog document of --discover); logs, stream statuses, errors and the check's answer go
 * to stderr as lines, secrets redacted as in Airbyte mode. Lines go out through the Airbyte writer's
 * batching, so backpressure and ordering are the same.
 */
export class SingerWriter implements ProtocolWriter {
  private readonly lines: AirbyteWriter;
  private readonly schemaSent = new Set<string>();
  private readonly recordPrefixes = new Map<string, string>();
  private lastExtracted = { at: NaN, iso: '' };
  private readonly warned = new Set<string>();
  /** The answer of --check, once checkCommand has given it. */
  verdict: ConnectionVerdict | undefined;

  constructor(
    private readonly edge: SingerEdge,
    out: Writable = process.stdout,
    private readonly err: Writable = process.stderr,
  ) {
    this.lines = new AirbyteWriter(out);
  }

  addSecret(value: string | undefined): void {
    this.lines.addSecret(value);
  }

  redact(text: string): string {
    return this.lines.redact(text);
  }

  /** One stderr line: redacted, cut, never more than one line. */
  private stderr(level: string, text: string): void {
    const line = clip(this.redact(text), MAX_TEXT_CHARS).replace(/\r?\n/g, ' | ');
    this.err.write(`${level} ${line}\n`);
  }

  private schema(stream: string, plan: SingerStreamPlan): Promise<void> | void {
    if (this.schemaSent.has(stream)) return;
    this.schemaSent.add(stream);
    return this.lines.push(
      JSON.stringify({
        type: 'SCHEMA',
        stream,
        schema: plan.schema,
        key_properties: plan.keyProperties,
        ...(plan.bookmarkProperties ? { bookmark_properties: plan.bookmarkProperties } : {}),
      }),
    );
  }

  /** The state to start from, once, before any record (Meltano keeps it even if nothing else comes). */
  initialState(value: Record<string, unknown>): Promise<void> | void {
    return this.lines.push(JSON.stringify({ type: 'STATE', value }));
  }

  emit(message: AirbyteMessage): Promise<void> | void {
    switch (message.type) {
      case 'RECORD':
        return this.record(message.record.stream, message.record.data, message.record.emitted_at);
      case 'STATE': {
        const { stream_descriptor, stream_state } = message.state.stream;
        return this.lines.push(JSON.stringify({ type: 'STATE', value: this.edge.state(stream_descriptor.name, stream_state) }));
      }
      case 'CATALOG':
        // Indented, as SDK taps print it: Meltano reads discovery output line by line with asyncio's
        // default 64 KiB line limit (meltano/meltano, src/meltano/core/plugin/singer/tap.py
        // `_stream_redirect`, at c139d24b), and the catalog on one line is over 500 KB.
        return this.lines.push(JSON.stringify(this.edge.catalog(message.catalog.streams), null, 2));
      case 'LOG':
        return this.log(message.log.level, message.log.message);
      case 'CONNECTION_STATUS': {
        const { status, message: text } = message.connectionStatus;
        this.verdict = status;
        return this.stderr(status === 'SUCCEEDED' ? 'INFO' : 'ERROR', `Check ${status}${text ? `: ${text}` : ''}`);
      }
      case 'TRACE': {
        const { trace } = message;
        if (trace.type === 'ERROR') return this.error(trace.error.message, trace.error.failure_type, { internal: trace.error.internal_message, stack: trace.error.stack_trace, stream: trace.error.stream_descriptor?.name });
        if (trace.type === 'STREAM_STATUS') return this.status(trace.stream_status.stream_descriptor.name, trace.stream_status.status);
        return;
      }
      default:
        // SPEC has no Singer form (--about takes its place): said on stderr, never on stdout.
        return this.stderr('DEBUG', `Not a Singer message: ${message.type}`);
    }
  }

  record(stream: string, data: Record<string, unknown>, emittedAt: number): Promise<void> | void {
    const plan = this.edge.plan(stream);
    if (plan === undefined) return this.stderr('WARN', `A record of stream '${clip(stream, 200)}', which is not selected, was dropped.`);
    const pending = this.schema(stream, plan);
    const kept = this.fit(stream, plan, data);
    if (this.lastExtracted.at !== emittedAt) this.lastExtracted = { at: emittedAt, iso: new Date(emittedAt).toISOString() };
    let prefix = this.recordPrefixes.get(stream);
    if (prefix === undefined) {
      prefix = `{"type":"RECORD","stream":${JSON.stringify(stream)},${plan.version !== undefined ? `"version":${plan.version},` : ''}"record":`;
      this.recordPrefixes.set(stream, prefix);
    }
    const line = this.lines.push(`${prefix}${JSON.stringify(kept)},"time_extracted":"${this.lastExtracted.iso}"}`);
    return pending && line ? Promise.all([pending, line]).then(() => undefined) : (line ?? pending);
  }

  /**
   * The record as its SCHEMA declares it: deselected properties removed, and so are properties the
   * schema does not know (a field the API added since the schemas were generated), with one warning per
   * field and stream, as SDK taps do (meltano/sdk, singer_sdk/helpers/_typing.py
   * `_warn_unmapped_properties`, at 136de07f): a target builds its table from SCHEMA.
   */
  private fit(stream: string, plan: SingerStreamPlan, data: Record<string, unknown>): Record<string, unknown> {
    const declared = (plan.schema.properties ?? {}) as Record<string, unknown>;
    let extra = false;
    for (const key in data) {
      if (!(key in declared)) {
        extra = true;
        break;
      }
    }
    if (!extra) return data;
    const kept: Record<string, unknown> = {};
    for (const key in data) {
      if (key in declared) kept[key] = data[key];
      else if (!plan.dropped.has(key)) this.unmapped(stream, key);
    }
    return kept;
  }

  private unmapped(stream: string, field: string): void {
    const id = `${stream}\u0000${field}`;
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.stderr('WARN', `Stream '${stream}': the field '${clip(field, 200)}' is not in the stream's schema; it is left out of the records (as SDK taps do).`);
  }

  flush(): Promise<void> {
    return this.lines.flush();
  }

  log(level: LogLevel, message: string): void {
    this.stderr(level, message);
  }

  /**
   * Statuses are stderr lines; STARTED also writes the stream's SCHEMA (a stream with no record still
   * reaches the target, as with SDK taps), and COMPLETE activates a full table's version: the target
   * may then drop the rows this sync did not send. A stream that fails is never activated.
   */
  status(stream: string, status: StreamStatus, quotaReset?: number): Promise<void> | void {
    const until = quotaReset !== undefined ? ` (rate limited until ${new Date(quotaReset).toISOString()})` : '';
    this.stderr(status === 'INCOMPLETE' ? 'WARN' : 'INFO', `Stream '${stream}': ${status}${until}`);
    const plan = this.edge.plan(stream);
    if (!plan) return;
    if (status === 'STARTED') return this.schema(stream, plan);
    if (status === 'COMPLETE' && plan.version !== undefined) {
      const schema = this.schema(stream, plan);
      const activate = this.lines.push(JSON.stringify({ type: 'ACTIVATE_VERSION', stream, version: plan.version }));
      return schema && activate ? Promise.all([schema, activate]).then(() => undefined) : (activate ?? schema);
    }
  }

  error(message: string, failureType: FailureType, opts: { internal?: string; stack?: string; stream?: string } = {}): void {
    this.stderr('ERROR', `${message} (${failureType})`);
    if (opts.stack) this.stderr('DEBUG', opts.stack);
  }

  /** Singer has no progress message, and a line per page would drown the logs Meltano shows. */
  estimate(): void {}

  /**
   * A rate-limit wait: Airbyte mode marks the streams it holds up RUNNING with a RATE_LIMITED reason;
   * Singer has no such message, and the LOG line that says the wait already reaches stderr.
   */
  rateLimited(): void {}
}
