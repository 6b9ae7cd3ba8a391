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
 * The only place stdout is written. Messages are serialised one per line, batched per event-loop turn
 * (and at most 64 KB) for throughput, and written with backpressure. Known secrets (the token) are replaced in every line, as a
 * last line of defence behind the code that never puts them there.
 */
export class ProtocolWriter {
  private chunk: string[] = [];
  private chunkBytes = 0;
  private secrets: string[] = [];
  private drained: Promise<void> = Promise.resolve();

  constructor(private readonly out: Writable = process.stdout) {}

  /** Register a value that must never appear in output. Empty and very short values are ignored. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4 && !this.secrets.includes(value)) this.secrets.push(value);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    }
    return result;
  }

  /** Queue one message; resolves once the queue is small enough to accept more (backpressure). */
  emit(message: AirbyteMessage): Promise<void> | void {
    const line = this.redact(JSON.stringify(message)) + '\n';
    // Lines queued in one turn of the event loop (a page of records) go out together right after it,
    // so output is batched but never held back while the connector waits on the network.
    if (this.chunk.length === 0) setImmediate(() => void this.flush());
    this.chunk.push(line);
    this.chunkBytes += line.length;
    if (this.chunkBytes >= FLUSH_BYTES) return this.flush();
  }

  /** Write what is queued and wait until stdout has taken it. */
  async flush(): Promise<void> {
    if (this.chunk.length > 0) {
      const data = this.chunk.join('');
      this.chunk = [];
      this.chunkBytes = 0;
      await this.drained;
      if (!this.out.write(data)) {
        this.drained = new Promise((resolve) => this.out.once('drain', resolve));
      }
    }
    await this.drained;
  }

  log(level: LogLevel, message: string): Promise<void> | void {
    return this.emit({ type: 'LOG', log: { level, message } });
  }

  status(stream: string, status: StreamStatus, quotaReset?: number): Promise<void> | void {
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

  error(
    message: string,
    failureType: FailureType,
    opts: { internal?: string; stack?: string; stream?: string } = {},
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
          ...(opts.internal ? { internal_message: opts.internal } : {}),
          ...(opts.stack ? { stack_trace: opts.stack } : {}),
          ...(descriptor ? { stream_descriptor: descriptor } : {}),
        },
      },
    });
  }

  estimate(stream: string, rows: number): Promise<void> | void {
    return this.emit({
      type: 'TRACE',
      trace: { type: 'ESTIMATE', emitted_at: Date.now(), estimate: { name: stream, type: 'STREAM', row_estimate: rows } },
    });
  }
}
