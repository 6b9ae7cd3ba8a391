import type { StreamDef } from './types.js';

export const dropletStreams: readonly StreamDef[] = [
  {
    name: 'droplets',
    resource: 'Droplets',
    path: '/v2/droplets',
    recordsKey: 'droplets',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
  },
];
