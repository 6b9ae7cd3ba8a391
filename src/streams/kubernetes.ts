import type { StreamDef } from './types.js';

const clusterChild = { stream: 'kubernetes_clusters', keys: { cluster_id: 'id' } } as const;

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
    parent: clusterChild,
    freshness: {
      kind: 'derived',
      maxAgeHours: 24,
      derivedFrom: { parentField: 'node_pools' },
      evidence:
        'OpenAPI cluster.node_pools: "the details of the worker nodes available to the Kubernetes cluster", kubernetes_node_pool items, the model GET .../node_pools lists (godo kubernetes.go KubernetesCluster.NodePools []*KubernetesNodePool @3fce660)',
    },
    // godo kubernetes.go kubernetesNodePoolsRoot carries links; doctl pages it at 200.
    pagination: 'page',
    strip: [],
  },
  {
    name: 'kubernetes_cluster_upgrades',
    resource: 'Cluster Upgrades',
    path: '/v2/kubernetes/clusters/{cluster_id}/upgrades',
    recordsKey: 'available_upgrade_versions',
    shape: 'list',
    scope: 'kubernetes:read',
    primaryKey: ['cluster_id', 'slug'],
    parent: clusterChild,
    freshness: { kind: 'rotated', maxAgeHours: 24, changedBy: ['version'], evidence: 'no field of the parent is documented to change with this list (OpenAPI cluster); the available upgrades depend on the cluster\'s version (re-read when it changes) and on releases: daily' },
    pagination: 'none',
    strip: [],
  },
  {
    // The body is the latest run (run_id, requested_at, completed_at, diagnostics). The API answers 404
    // for a cluster on which clusterlint never ran: that cluster simply has no record.
    name: 'kubernetes_cluster_lint_results',
    resource: 'Cluster Lint Results',
    path: '/v2/kubernetes/clusters/{cluster_id}/clusterlint',
    recordsKey: null,
    shape: 'object',
    scope: 'kubernetes:read',
    primaryKey: ['cluster_id', 'run_id'],
    parent: { ...clusterChild, notFound: 'empty' },
    freshness: { kind: 'rotated', maxAgeHours: 24, evidence: 'no field of the parent is documented to change with this list (OpenAPI cluster); a lint run is on demand: daily' },
    pagination: 'none',
    strip: [],
  },
  {
    // Reference data (regions, versions, sizes) in one record: no key identifies it.
    name: 'kubernetes_options',
    resource: 'Options',
    path: '/v2/kubernetes/options',
    recordsKey: 'options',
    shape: 'object',
    scope: 'kubernetes:read',
    primaryKey: [],
    pagination: 'none',
    strip: [],
  },
  {
    // The username and groups the cluster maps the token's user to (no credential).
    name: 'kubernetes_cluster_users',
    resource: 'Cluster User',
    path: '/v2/kubernetes/clusters/{cluster_id}/user',
    recordsKey: 'kubernetes_cluster_user',
    shape: 'object',
    scope: 'kubernetes:read',
    primaryKey: ['cluster_id'],
    parent: clusterChild,
    freshness: { kind: 'rotated', maxAgeHours: 24, evidence: 'no field of the parent is documented to change with this list (OpenAPI cluster); the user of the cluster\'s credentials rarely changes: daily' },
    pagination: 'none',
    strip: [],
  },
  {
    // Messages have no id: a message is its time and text. They are only appended, so the time is a
    // cursor (the API's own `since` filter is not used: the saved cursor is applied to what is read).
    name: 'kubernetes_cluster_status_messages',
    resource: 'Cluster Status Messages',
    path: '/v2/kubernetes/clusters/{cluster_id}/status_messages',
    recordsKey: 'messages',
    shape: 'list',
    scope: 'kubernetes:read',
    primaryKey: ['cluster_id', 'timestamp', 'message'],
    parent: clusterChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI cluster); append-only, kept by its cursor: 6 hours' },
    pagination: 'none',
    cursor: { field: 'timestamp', kind: 'datetime' },
    strip: [],
  },
];
