import type { SourceConfig } from '../config.js';
import type { ProtocolWriter } from '../protocol/writer.js';
import { fullCatalog } from './catalog.js';

export async function discoverCommand(_config: SourceConfig, writer: ProtocolWriter): Promise<number> {
  await writer.emit({ type: 'CATALOG', catalog: { streams: fullCatalog() } });
  return 0;
}
