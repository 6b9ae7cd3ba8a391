import type { ProtocolWriter } from '../protocol/writer.js';
import type { Checkpoint } from './stream-checkpoint.js';

/**
 * Turns checkpoints into STATE messages. A checkpoint identical to the previous one for its stream, with
 * no record since, says nothing new and is not written; the first one always is, so that every stream
 * emits at least one state per sync.
 */
export class StateEmitter {
  private readonly last = new Map<string, string>();

  constructor(private readonly writer: ProtocolWriter) {}

  emit(stream: string, checkpoint: Checkpoint): Promise<void> | void {
    const json = JSON.stringify(checkpoint.state);
    if (checkpoint.recordCount === 0 && this.last.get(stream) === json) return;
    this.last.set(stream, json);
    return this.writer.emit({
      type: 'STATE',
      state: {
        type: 'STREAM',
        stream: { stream_descriptor: { name: stream }, stream_state: checkpoint.state },
        sourceStats: { recordCount: checkpoint.recordCount },
      },
    });
  }
}
