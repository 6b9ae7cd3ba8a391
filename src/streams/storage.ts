import type { StreamDef } from './types.js';

export const storageStreams: readonly StreamDef[] = [
  {
    name: 'volumes',
    resource: 'Volumes',
    path: '/v2/volumes',
    recordsKey: 'volumes',
    shape: 'list',
    scope: 'block_storage:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
  },
];
