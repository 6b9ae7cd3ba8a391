import type { ProtocolWriter } from '../protocol/writer.js';
import { loadSpec } from '../spec.js';

/** Instant, offline and config-free: PyAirbyte runs it before every other command. */
export async function specCommand(writer: ProtocolWriter): Promise<number> {
  await writer.emit({ type: 'SPEC', spec: { ...loadSpec() } });
  return 0;
}
