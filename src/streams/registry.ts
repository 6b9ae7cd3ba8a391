import type { StreamDef } from './types.js';

const registryChild = { stream: 'registries', keys: { registry_name: 'name' } } as const;
/** Repository records carry registry_name themselves (and it is injected from their parent too). */
const repositoryChild = {
  stream: 'registry_repositories',
  keys: { registry_name: 'registry_name', repository_name: 'name' },
} as const;

export const registryStreams: readonly StreamDef[] = [
  {
    // /v2/registries, not the legacy /v2/registry (412 on accounts with several registries).
    name: 'registries',
    resource: 'Registries',
    path: '/v2/registries',
    recordsKey: 'registries',
    shape: 'list',
    scope: 'registry:read',
    primaryKey: ['name'],
    pagination: 'none',
    strip: [],
  },
  {
    name: 'registry_repositories',
    resource: 'Registry Repositories',
    path: '/v2/registries/{registry_name}/repositoriesV2',
    recordsKey: 'repositories',
    shape: 'list',
    scope: 'registry:read',
    primaryKey: ['registry_name', 'name'],
    parent: registryChild,
    freshness: { kind: 'rotated', maxAgeHours: 12, evidence: 'no field of the parent is documented to change with this list (OpenAPI registry): 12 hours' },
    pagination: 'token',
    strip: [],
  },
  {
    name: 'registry_repository_tags',
    resource: 'Repository Tags',
    path: '/v2/registries/{registry_name}/repositories/{repository_name}/tags',
    recordsKey: 'tags',
    shape: 'list',
    scope: 'registry:read',
    primaryKey: ['registry_name', 'repository_name', 'tag'],
    parent: repositoryChild,
    pagination: 'page',
    strip: [],
  },
  {
    name: 'registry_repository_digests',
    resource: 'Repository Digests',
    path: '/v2/registries/{registry_name}/repositories/{repository_name}/digests',
    recordsKey: 'manifests',
    shape: 'list',
    scope: 'registry:read',
    primaryKey: ['registry_name', 'repository_name', 'digest'],
    parent: repositoryChild,
    pagination: 'page',
    strip: [],
  },
  {
    // page/per_page are declared but the response has no links/meta: past 200 collections per registry,
    // the rest would not be announced.
    name: 'registry_garbage_collections',
    resource: 'Registry Garbage Collections',
    path: '/v2/registries/{registry_name}/garbage-collections',
    recordsKey: 'garbage_collections',
    shape: 'list',
    scope: 'registry:read',
    primaryKey: ['registry_name', 'uuid'],
    parent: registryChild,
    freshness: { kind: 'rotated', maxAgeHours: 24, evidence: 'no field of the parent is documented to change with this list (OpenAPI registry); kept by its cursor: daily' },
    pagination: 'page',
    cursor: { field: 'updated_at', kind: 'datetime' },
    strip: [],
  },
  {
    // One subscription per account (tier, created_at, updated_at): no key identifies it.
    name: 'registry_subscription',
    resource: 'Registry Subscription',
    path: '/v2/registries/subscription',
    recordsKey: 'subscription',
    shape: 'object',
    scope: 'registry:read',
    primaryKey: [],
    pagination: 'none',
    strip: [],
  },
  {
    // Reference data (available regions, subscription tiers) in one record: no key.
    name: 'registry_options',
    resource: 'Registry Options',
    path: '/v2/registries/options',
    recordsKey: 'options',
    shape: 'object',
    scope: 'registry:read',
    primaryKey: [],
    pagination: 'none',
    strip: [],
  },
];
