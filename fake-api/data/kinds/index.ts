/**
 * The data-coherence table: stream name → how its records are made. A stream missing here is served
 * by the generic generator (generic.ts); add an entry when its records must point at other records.
 */
import type { KindTable } from '../types.js';
import { accountKinds } from './account.js';
import { billingKinds } from './billing.js';
import { databaseKinds } from './databases.js';
import { derivedKinds } from './derived.js';
import { dropletKinds } from './droplets.js';
import { kubernetesKinds } from './kubernetes.js';
import { networkingKinds } from './networking.js';
import { projectKinds } from './projects.js';
import { spacesKinds } from './spaces.js';
import { storageKinds } from './storage.js';

export const KINDS: KindTable = {
  ...accountKinds,
  ...billingKinds,
  ...dropletKinds,
  ...kubernetesKinds,
  ...databaseKinds,
  ...storageKinds,
  ...spacesKinds,
  ...networkingKinds,
  ...projectKinds,
  ...derivedKinds,
};
