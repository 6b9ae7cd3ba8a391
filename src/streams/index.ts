import { accountStreams } from './account.js';
import { databaseStreams } from './databases.js';
import { dropletStreams } from './droplets.js';
import { kubernetesStreams } from './kubernetes.js';
import { networkingStreams } from './networking.js';
import { projectStreams } from './projects.js';
import { storageStreams } from './storage.js';
import type { StreamDef } from './types.js';

/** Every stream the connector offers, in catalog order. */
export const STREAMS: readonly StreamDef[] = [
  ...accountStreams,
  ...dropletStreams,
  ...kubernetesStreams,
  ...databaseStreams,
  ...storageStreams,
  ...networkingStreams,
  ...projectStreams,
];

const BY_NAME = new Map<string, StreamDef>();
for (const def of STREAMS) {
  if (BY_NAME.has(def.name)) throw new Error(`duplicate stream name in the stream table: ${def.name}`);
  BY_NAME.set(def.name, def);
}

export function findStream(name: string): StreamDef | undefined {
  return BY_NAME.get(name);
}

/** The stream a child reads its parent keys from; the table guarantees it exists (see test/streams-table). */
export function parentOf(def: StreamDef): StreamDef | undefined {
  return def.parent ? BY_NAME.get(def.parent.stream) : undefined;
}
