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
  {
    // The teams of the token's organization: names, member counts and contact e-mails, no credential.
    name: 'organization_teams',
    resource: 'Organization Teams',
    path: '/v2/organizations/teams',
    recordsKey: 'teams',
    shape: 'list',
    scope: 'organization:read',
    primaryKey: ['uuid'],
    pagination: 'none',
    strip: [],
  },
];
