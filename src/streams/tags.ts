import type { StreamDef } from './types.js';

export const tagStreams: readonly StreamDef[] = [
  {
    name: 'tags',
    resource: 'Tags',
    path: '/v2/tags',
    recordsKey: 'tags',
    shape: 'list',
    scope: 'tag:read',
    primaryKey: ['name'],
    pagination: 'page',
    strip: [],
  },
];
