import type { StreamDef } from './types.js';

const dropletChild = { stream: 'droplets', keys: { droplet_id: 'id' } } as const;

/*
 * Hints (see ParentLink.hint): each rests on DigitalOcean's own description of the data, cited from
 * the OpenAPI specification (digitalocean-public.v2.json) and godo (droplets.go: Droplet.BackupIDs,
 * Droplet.SnapshotIDs; firewalls.go: Firewall.DropletIDs, Firewall.Tags).
 */
const hasBackups = {
  nonEmpty: 'backup_ids',
  evidence: 'schema droplet.backup_ids: "An array of backup IDs of any backups that have been taken of the Droplet instance"',
} as const;
const hasSnapshots = {
  nonEmpty: 'snapshot_ids',
  evidence: 'schema droplet.snapshot_ids: "An array of snapshot IDs of any snapshots created from the Droplet instance"',
} as const;
const hasNeighbors = {
  // The report is read once, as the droplet_neighbor_reports stream (emitted only if selected): one request.
  namedBy: { source: { stream: 'droplet_neighbor_reports' }, match: [{ listed: 'droplet_ids', parentField: 'id' }] },
  evidence:
    'droplets_list_neighborsIds: "Each array will contain a set of Droplet IDs for Droplets that share a physical server. An empty array indicates that all Droplets associated with your account are located on separate physical hardware."',
} as const;
const hasFirewalls = {
  namedBy: {
    source: { stream: 'firewalls' },
    match: [
      { listed: 'droplet_ids', parentField: 'id' },
      { listed: 'tags', parentField: 'tags' },
    ],
  },
  evidence: 'schema firewall: droplet_ids "the Droplets assigned to the firewall", tags "the names of the Tags assigned to the firewall"',
} as const;
const autoscalePoolChild = { stream: 'droplet_autoscale_pools', keys: { autoscale_pool_id: 'id' } } as const;

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
    // The plain list leaves GPU Droplets out; they are listed only with type=gpus.
    variants: [{}, { type: 'gpus' }],
    strip: [],
  },
  {
    name: 'droplet_backups',
    resource: 'Droplet Backups',
    path: '/v2/droplets/{droplet_id}/backups',
    recordsKey: 'backups',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['droplet_id', 'id'],
    parent: { ...dropletChild, hint: hasBackups, changeHint: 'backup_ids' },
    freshness: { kind: 'changeHinted', maxAgeHours: 24, evidence: 'OpenAPI droplet.backup_ids: "An array of backup IDs of any backups that have been taken of the Droplet instance" (godo Droplet.BackupIDs): the list changes when a backup is taken or expires; a daily backstop' },
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime' },
    strip: [],
  },
  {
    // `policies` is an object keyed by Droplet id, not a list. Each entry carries its own droplet_id
    // (godo droplets.go DropletBackupPolicy), which is kept; the key only fills it when absent.
    name: 'droplet_backup_policies',
    resource: 'Droplet Backup Policies',
    path: '/v2/droplets/backups/policies',
    recordsKey: 'policies',
    shape: 'map',
    mapKeyField: 'droplet_id',
    scope: 'droplet:read',
    primaryKey: ['droplet_id'],
    pagination: 'page',
    strip: [],
  },
  {
    // Many-to-many: the same firewall appears under each of its Droplets.
    name: 'droplet_firewalls',
    resource: 'Droplet Firewalls',
    path: '/v2/droplets/{droplet_id}/firewalls',
    recordsKey: 'firewalls',
    shape: 'list',
    scope: 'firewall:read',
    primaryKey: ['droplet_id', 'id'],
    parent: { ...dropletChild, hint: hasFirewalls, changeHint: { namedItems: 'id' } },
    freshness: {
      kind: 'derived',
      maxAgeHours: 24,
      derivedFrom: { namedBy: true },
      evidence:
        'OpenAPI droplets_list_firewalls returns "firewall objects, each of which contain the standard firewall attributes": the firewalls whose droplet_ids or tags name the Droplet, all of them in GET /v2/firewalls read every sync (godo firewalls.go Firewall.DropletIDs, Tags @3fce660); a firewall is applied to at most 10 Droplets and 5 tags (DigitalOcean limits), which is why large fleets use tags',
    },
    pagination: 'page',
    strip: [],
  },
  {
    // No fan-out hint: the list is of kernels *available* to a Droplet (OpenAPI droplets_list_kernels;
    // godo PR #41's review: nothing to do with the kernel it runs, so a null `kernel` proves nothing),
    // and nothing published says which Droplets have none. One request per Droplet, every sync.
    name: 'droplet_kernels',
    resource: 'Droplet Kernels',
    path: '/v2/droplets/{droplet_id}/kernels',
    recordsKey: 'kernels',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['droplet_id', 'id'],
    parent: dropletChild,
    freshness: { kind: 'rotated', maxAgeHours: 168, changedBy: ['image.id', 'kernel.id'], evidence: 'OpenAPI kernel model: "All Droplets created after March 2017 use internal kernels by default" (deprecated, `kernel: null`), and doctl\'s `droplet kernels` help says the list matters only to such Droplets: weekly, and at once when the Droplet\'s image or kernel changes' },
    pagination: 'page',
    strip: [],
  },
  {
    name: 'droplet_neighbors',
    resource: 'Droplet Neighbors',
    path: '/v2/droplets/{droplet_id}/neighbors',
    recordsKey: 'droplets',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['droplet_id', 'id'],
    parent: { ...dropletChild, hint: hasNeighbors, changeHint: { namedItems: 'droplet_ids' } },
    freshness: { kind: 'changeHinted', maxAgeHours: 24, evidence: 'OpenAPI droplets_list_neighborsIds: each group lists "Droplet IDs for Droplets that share a physical server": the Droplet\'s group changes when its neighbors do; a daily backstop' },
    pagination: 'none',
    strip: [],
  },
  {
    name: 'droplet_snapshots',
    resource: 'Droplet Snapshots',
    path: '/v2/droplets/{droplet_id}/snapshots',
    recordsKey: 'snapshots',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['droplet_id', 'id'],
    parent: { ...dropletChild, hint: hasSnapshots, changeHint: 'snapshot_ids' },
    freshness: { kind: 'changeHinted', maxAgeHours: 24, evidence: 'OpenAPI droplet.snapshot_ids: "An array of snapshot IDs of any snapshots created from the Droplet instance" (godo Droplet.SnapshotIDs); a daily backstop' },
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime' },
    strip: [],
  },
  {
    // user_data is cloud-init and often carries secrets.
    name: 'droplet_autoscale_pools',
    resource: 'Droplet Autoscale Pools',
    path: '/v2/droplets/autoscale',
    recordsKey: 'autoscale_pools',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: ['droplet_template.user_data'],
  },
  {
    // The list key is `droplets`, but its items are membership records (droplet_id, health, status).
    name: 'droplet_autoscale_members',
    resource: 'Droplet Autoscale Members',
    path: '/v2/droplets/autoscale/{autoscale_pool_id}/members',
    recordsKey: 'droplets',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['autoscale_pool_id', 'droplet_id'],
    parent: autoscalePoolChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI autoscale_pool: no member count or updated_at); membership follows scaling events: 6 hours' },
    pagination: 'page',
    strip: [],
  },
  {
    name: 'droplet_autoscale_history',
    resource: 'Droplet Autoscale History',
    path: '/v2/droplets/autoscale/{autoscale_pool_id}/history',
    recordsKey: 'history',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['autoscale_pool_id', 'history_event_id'],
    parent: autoscalePoolChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI autoscale_pool); history is append-only, its cursor keeps every event, a later read only delays it: 6 hours' },
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime' },
    strip: [],
  },
  {
    // The body is { neighbor_ids: [[id, id, …], …] } (OpenAPI droplets_list_neighborsIds): each inner list
    // is a group of Droplets sharing one physical host, and each group is a record { droplet_ids: […] }.
    // An account without neighbors has no record. No primary key: the group is its only field, a list.
    // droplet_neighbors has the same facts per Droplet.
    name: 'droplet_neighbor_reports',
    resource: 'Droplet Neighbors Report',
    path: '/v2/reports/droplet_neighbors_ids',
    recordsKey: 'neighbor_ids',
    shape: 'list',
    itemField: 'droplet_ids',
    scope: 'droplet:read',
    primaryKey: [],
    pagination: 'none',
    strip: [],
  },
  {
    // Reference data: the backup policies (daily, weekly) Droplets may use, keyed by name.
    name: 'droplet_backup_supported_policies',
    resource: 'Droplet Supported Backup Policies',
    path: '/v2/droplets/backups/supported_policies',
    recordsKey: 'supported_policies',
    shape: 'list',
    scope: 'droplet:read',
    primaryKey: ['name'],
    pagination: 'none',
    strip: [],
  },
];
