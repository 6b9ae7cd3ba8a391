import { accountStreams } from './account.js';
import { actionStreams } from './actions.js';
import { appStreams } from './apps.js';
import { billingStreams } from './billing.js';
import { databaseStreams } from './databases.js';
import { dropletStreams } from './droplets.js';
import { functionStreams } from './functions.js';
import { genaiStreams } from './genai.js';
import { imageStreams } from './images.js';
import { kubernetesStreams } from './kubernetes.js';
import { monitoringStreams } from './monitoring.js';
import { networkingStreams } from './networking.js';
import { projectStreams } from './projects.js';
import { referenceStreams } from './reference.js';
import { registryStreams } from './registry.js';
import { securityStreams } from './security.js';
import { spacesStreams } from './spaces.js';
import { storageStreams } from './storage.js';
import { tagStreams } from './tags.js';
import { uptimeStreams } from './uptime.js';
import type { StreamDef } from './types.js';

export interface Section {
  /** DigitalOcean's section (or a group of small ones), as the coverage table shows it. */
  title: string;
  streams: readonly StreamDef[];
}

/** The stream table by section, in catalog order. */
export const SECTIONS: readonly Section[] = [
  { title: 'Account & Billing', streams: [...accountStreams, ...billingStreams] },
  { title: 'Security', streams: securityStreams },
  { title: 'Droplets', streams: dropletStreams },
  { title: 'Kubernetes', streams: kubernetesStreams },
  { title: 'App Platform', streams: appStreams },
  { title: 'Functions', streams: functionStreams },
  { title: 'Databases', streams: databaseStreams },
  { title: 'Storage (Block Storage, NFS, Spaces, Snapshots)', streams: [...storageStreams, ...spacesStreams] },
  { title: 'Networking', streams: networkingStreams },
  { title: 'Container Registry', streams: registryStreams },
  { title: 'Images', streams: imageStreams },
  { title: 'Projects', streams: projectStreams },
  { title: 'Monitoring', streams: monitoringStreams },
  { title: 'Uptime', streams: uptimeStreams },
  { title: 'Tags', streams: tagStreams },
  { title: 'Actions', streams: actionStreams },
  { title: 'Sizes, Regions, 1-Click Apps & Add-Ons', streams: referenceStreams },
  { title: 'GradientAI Platform', streams: genaiStreams },
];

/** Every stream the connector offers, in catalog order. */
export const STREAMS: readonly StreamDef[] = SECTIONS.flatMap((section) => section.streams);

const BY_NAME = new Map<string, StreamDef>();
for (const def of STREAMS) {
  if (BY_NAME.has(def.name)) throw new Error(`duplicate stream name in the stream table: ${def.name}`);
  BY_NAME.set(def.name, def);
}

export function findStream(name: string): StreamDef | undefined {
  return BY_NAME.get(name);
}
