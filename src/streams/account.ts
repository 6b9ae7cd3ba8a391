import type { StreamDef } from './types.js';

export const accountStreams: readonly StreamDef[] = [
  {
    name: 'account',
    resource: 'Account',
    path: '/v2/account',
    recordsKey: 'account',
    shape: 'object',
    scope: 'account:read',
    primaryKey: ['uuid'],
    pagination: 'none',
    strip: [],
  },
  {
    name: 'ssh_keys',
    resource: 'SSH Keys',
    path: '/v2/account/keys',
    recordsKey: 'ssh_keys',
    shape: 'list',
    scope: 'ssh_key:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
    rateLimit: { requests: 10, windowMs: 60_000 },
  },
];
