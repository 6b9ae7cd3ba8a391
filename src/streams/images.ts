import type { StreamDef } from './types.js';

export const imageStreams: readonly StreamDef[] = [
  {
    // The account's own images only (snapshots, backups, custom images), not DigitalOcean's public catalog.
    name: 'images',
    resource: 'Images',
    path: '/v2/images',
    recordsKey: 'images',
    shape: 'list',
    scope: 'image:read',
    primaryKey: ['id'],
    pagination: 'page',
    query: { private: 'true' },
    strip: [],
  },
];
