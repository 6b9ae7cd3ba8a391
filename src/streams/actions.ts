import type { StreamDef } from './types.js';

export const actionStreams: readonly StreamDef[] = [
  {
    // High volume. Ids only grow, but an action changes until it completes: the cursor stays below the
    // oldest in-progress action, so that action is read again until it is completed or errored.
    name: 'actions',
    resource: 'Actions',
    path: '/v2/actions',
    recordsKey: 'actions',
    shape: 'list',
    scope: 'actions:read',
    primaryKey: ['id'],
    pagination: 'page',
    cursor: { field: 'id', kind: 'integer', openWhile: { field: 'status', values: ['in-progress'] } },
    strip: [],
  },
];
