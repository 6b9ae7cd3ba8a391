import type { Writable } from 'node:stream';
import type {
  AirbyteMessage,
  FailureType,
  LogLevel,
  StreamDescriptor,
  StreamStatus,
} from './messages.js';

const FLUSH_BYTES = 64 * 1024;
const REDACTED = '**********';
/**
 * Longest text of a LOG, an error or a connection status: a backstop behind the messages that cut what
 * they echo, so that no input (a 20 MB stream name) is ever copied whole into the output.
 */
export const MAX_TEXT_CHARS = 8_000;

/** `text` cut to `max` characters, saying how much was left out. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * What the engine and the commands write through: one interface, two protocols at the edge (Airbyte
 * below, Singer in singer-writer.ts), so that a second protocol is a second writer, never a second engine.
 */
export interface ProtocolWriter {
  addSecret(value: string | undefined): void;
  redact(text: string): string;
  emit(message: AirbyteMessage): Promise<void> | void;
  record(stream: string, data: Record<string, unknown>, emittedAt: number): Promise<void> | void;
  flush(): Promise<void>;
  log(level: LogLevel, message: string): Promise<void> | void;
  status(stream: string, status: StreamStatus, quotaReset?: number): Promise<void> | void;
  /** A rate-limit wait holding up these streams (each told only while it runs). */
  rateLimited(streams: readonly string[], quotaReset: number): void;
  /** `internal` is what the platform's job log shows for the failure: always given. */
  error(message: string, failureType: FailureType, opts: { internal: string; stack?: string; stream?: string }): Promise<void> | void;
  estimate(stream: string, rows: number): Promise<void> | void;
}

/**
 * The only place stdout is written. Messages are serialised one per line, batched per event-loop turn
 * (and at most 64 KB) for throughput, and written with backpressure. Known secrets (the token) are
 * replaced in the texts of LOG, TRACE ERROR and CONNECTION_STATUS messages, as a last line of defence
 * behind the code that never puts them there; only inside those string values, so that no secret can
 * rewrite the structure of a line, and never in records or states, whose values are the API's data.
 */
export class AirbyteWriter implements ProtocolWriter {
  private chunk: string[] = [];
  private chunkBytes = 0;
  private secrets: string[] = [];
  private readonly recordPrefixes = new Map<string, string>();
  /** Per stream, the last status sent: a RATE_LIMITED status goes only to a stream that is running. */
  private readonly lastStatus = new Map<string, StreamStatus>();
  /** Per stream, the records written and the bytes of their serialised data, for byte estimates. */
  private readonly written = new Map<string, { records: number; bytes: number }>();
  private drained: Promise<void> = Promise.resolve();
  private awaitingDrain = false;

  constructor(private readonly out: Writable = process.stdout) {}

  /** Register a value that must never appear in messages. Empty and very short values are ignored. */
  addSecret(value: string | undefined): void {
    if (!value || value.length < 4) return;
    if (!this.secrets.includes(value)) this.secrets.push(value);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    }
    return result;
  }

  /** A message text as it may be written: secrets replaced, cut to MAX_TEXT_CHARS. */
  private text(value: string): string {
    return clip(this.redact(value), MAX_TEXT_CHARS);
  }

  /** The message with its texts made safe; every other value, and the structure, untouched. */
  private scrub(message: AirbyteMessage): AirbyteMessage {
    switch (message.type) {
      case 'LOG':
        return { ...message, log: { ...message.log, message: this.text(message.log.message) } };
      case 'CONNECTION_STATUS': {
        const status = message.connectionStatus;
        return status.message === undefined ? message : { ...message, connectionStatus: { ...status, message: this.text(status.message) } };
      }
      case 'TRACE': {
        if (message.trace.type !== 'ERROR') return message;
        const { error } = message.trace;
        return {
          ...message,
          trace: {
            ...message.trace,
            error: {
              ...error,
              message: this.text(error.message),
              internal_message: this.text(error.internal_message),
              ...(error.stack_trace !== undefined ? { stack_trace: this.text(error.stack_trace) } : {}),
            },
          },
        };
      }
      default:
        return message;
    }
  }

  /** Queue one message; resolves once the queue is small enough to accept more (backpressure). */
  emit(message: AirbyteMessage): Promise<void> | void {
    return this.push(JSON.stringify(this.scrub(message)));
  }

  /**
   * The hot path: a RECORD line built around the serialised data, without a wrapper object per record.
   * Same bytes as emit() of a RecordMessage.
   */
  record(stream: string, data: Record<string, unknown>, emittedAt: number): Promise<void> | void {
    let prefix = this.recordPrefixes.get(stream);
    if (prefix === undefined) {
      prefix = `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":`;
      this.recordPrefixes.set(stream, prefix);
    }
    const json = JSON.stringify(data);
    const seen = this.written.get(stream);
    if (seen) {
      seen.records += 1;
      seen.bytes += json.length;
    } else {
      this.written.set(stream, { records: 1, bytes: json.length });
    }
    return this.push(`${prefix}${json},"emitted_at":${emittedAt}}}`);
  }

  /** Queue one line already serialised: the Singer writer's messages share this batching and backpressure. */
  push(line: string): Promise<void> | void {
    // Lines queued in one turn of the event loop (a page of records) go out together right after it,
    // so output is batched but never held back while the connector waits on the network.
    if (this.chunk.length === 0) setImmediate(() => void this.flush());
    this.chunk.push(line);
    this.chunkBytes += line.length + 1;
    if (this.chunkBytes >= FLUSH_BYTES) return this.flush();
  }

  /** Write what is queued and wait until stdout has taken it. */
  async flush(): Promise<void> {
    if (this.chunk.length > 0) {
      const data = this.chunk.join('\n') + '\n';
      this.chunk = [];
      this.chunkBytes = 0;
      await this.drained;
      // Many flushes may be waiting at once (every stream writes): one 'drain' listener serves them all.
      if (!this.out.write(data) && !this.awaitingDrain) {
        this.awaitingDrain = true;
        this.drained = new Promise((resolve) =>
          this.out.once('drain', () => {
            this.awaitingDrain = false;
            resolve();
          }),
        );
      }
    }
    await this.drained;
  }

  log(level: LogLevel, message: string): Promise<void> | void {
    return this.emit({ type: 'LOG', log: { level, message } });
  }

  status(stream: string, status: StreamStatus, quotaReset?: number): Promise<void> | void {
    this.lastStatus.set(stream, status);
    return this.emit({
      type: 'TRACE',
      trace: {
        type: 'STREAM_STATUS',
        emitted_at: Date.now(),
        stream_status: {
          stream_descriptor: { name: stream },
          status,
          ...(quotaReset !== undefined
            ? { reasons: [{ type: 'RATE_LIMITED' as const, rate_limited: { quota_reset: quotaReset } }] }
            : {}),
        },
      },
    });
  }

  /**
   * A TRACE ERROR. `internal` is required: the Airbyte platform shows a job's first failure by its
   * internal message, and "Unknown failure reason" when there is none (airbyte-platform
   * ConnectionManagerWorkflowImpl.reportFailure).
   */
  /**
   * RUNNING with a RATE_LIMITED reason for each of `streams` that has started and not ended: a status
   * before STARTED or after COMPLETE would break the order Airbyte's acceptance tests and the platform's
   * status tracker expect, and a wait before a stream starts is said in the LOG line alone.
   */
  rateLimited(streams: readonly string[], quotaReset: number): void {
    for (const stream of streams) {
      const last = this.lastStatus.get(stream);
      if (last === 'STARTED' || last === 'RUNNING') void this.status(stream, 'RUNNING', quotaReset);
    }
  }

  error(
    message: string,
    failureType: FailureType,
    opts: { internal: string; stack?: string; stream?: string },
  ): Promise<void> | void {
    const descriptor: StreamDescriptor | undefined = opts.stream ? { name: opts.stream } : undefined;
    return this.emit({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: Date.now(),
        error: {
          message,
          failure_type: failureType,
          internal_message: opts.internal || message,
          ...(opts.stack ? { stack_trace: opts.stack } : {}),
          ...(descriptor ? { stream_descriptor: descriptor } : {}),
        },
      },
    });
  }

  /**
   * A STREAM estimate (never SYNC: the platform ignores every estimate of a sync that mixes both,
   * ParallelStreamStatsTracker.updateEstimates). Both counts are always present, since the platform
   * unboxes both (StatsTracker.trackEstimates) and a missing one fails the attempt. The bytes are the rows
   * times the mean serialised size of the stream's records written so far, the size the platform counts
   * a record by; until the stream has written a record there is no honest byte figure, so no estimate is
   * sent (unless there are no rows at all).
   */
  estimate(stream: string, rows: number): Promise<void> | void {
    const seen = this.written.get(stream);
    if (rows > 0 && !seen) return;
    const bytes = seen ? Math.round((seen.bytes / seen.records) * rows) : 0;
    return this.emit({
      type: 'TRACE',
      trace: { type: 'ESTIMATE', emitted_at: Date.now(), estimate: { name: stream, type: 'STREAM', row_estimate: rows, byte_estimate: bytes } },
    });
  }
}

/** The Airbyte writer under the name every caller already constructs (`new ProtocolWriter(out)`). */
export const ProtocolWriter = AirbyteWriter;
