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
    freshness: { kind: 'rotated', maxAgeHours: 12, evidence: 'no field of the parent is documented to change with this list (OpenAPI project): 12 hours' },
    pagination: 'page',
    strip: [],
  },
];
