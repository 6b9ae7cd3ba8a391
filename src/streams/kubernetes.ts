import type { StreamDef } from './types.js';

export const kubernetesStreams: readonly StreamDef[] = [
  {
    name: 'kubernetes_clusters',
    resource: 'Clusters',
    path: '/v2/kubernetes/clusters',
    recordsKey: 'kubernetes_clusters',
    shape: 'list',
    scope: 'kubernetes:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
  },
  {
    name: 'kubernetes_node_pools',
    resource: 'Node Pools',
    path: '/v2/kubernetes/clusters/{cluster_id}/node_pools',
    recordsKey: 'node_pools',
    shape: 'list',
    scope: 'kubernetes:read',
    primaryKey: ['cluster_id', 'id'],
    parent: { stream: 'kubernetes_clusters', keys: { cluster_id: 'id' } },
    pagination: 'none',
    strip: [],
  },
];
