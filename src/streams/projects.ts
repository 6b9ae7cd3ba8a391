import type { StreamDef } from './types.js';

export const projectStreams: readonly StreamDef[] = [
  {
    name: 'projects',
    resource: 'Projects',
    path: '/v2/projects',
    recordsKey: 'projects',
    shape: 'list',
    scope: 'project:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
  },
  {
    name: 'project_resources',
    resource: 'Project Resources',
    path: '/v2/projects/{project_id}/resources',
    recordsKey: 'resources',
    shape: 'list',
    scope: 'project:read',
    primaryKey: ['project_id', 'urn'],
    parent: { stream: 'projects', keys: { project_id: 'id' } },
    pagination: 'page',
    strip: [],
  },
];
