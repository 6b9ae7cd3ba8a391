import type { StreamDef } from './types.js';

/**
 * NFS lists take the region as a query parameter (`?region=atl1`, the OpenAPI's example value, used by
 * the scope probe). The region slug is also a field of every share and snapshot.
 */
const NFS_BY_REGION = { stream: 'regions', keys: { region: 'slug' }, queryKeys: { region: 'atl1' } } as const;

/**
 * Hint (see ParentLink.hint): the account-wide list names every volume that has a snapshot. OpenAPI
 * (digitalocean-public.v2.json) snapshots_list: "list all of the snapshots available on your account",
 * `resource_type=volume` for "only snapshots based on volumes"; schema `snapshots`: resource_id "the
 * resource that the snapshot originated from", resource_type droplet | volume. volumeSnapshots_list
 * returns that same schema. godo snapshots.go ListVolume is /v2/snapshots?resource_type=volume, and
 * storage.go ListSnapshots decodes a volume's list into the same Snapshot type. The list is read with
 * snapshot:read, a volume's with block_storage_snapshot:read: a list naming no volume is not trusted.
 */
const hasVolumeSnapshots = {
  namedBy: {
    source: { stream: 'snapshots' },
    match: [{ listed: 'resource_id', parentField: 'id' }],
    only: { field: 'resource_type', values: ['volume'] },
    untrustedWhenNoneNamed: true,
  },
  evidence:
    'snapshots_list: "To list all of the snapshots available on your account" ("To retrieve only snapshots based on volumes, include the resource_type query parameter set to volume"); schema snapshots: resource_id "The unique identifier for the resource that the snapshot originated from"',
} as const;

/** Block Storage, NFS, Spaces keys and snapshots. */
export const storageStreams: readonly StreamDef[] = [
  {
    name: 'volumes',
    resource: 'Volumes',
    path: '/v2/volumes',
    recordsKey: 'volumes',
    shape: 'list',
    scope: 'block_storage:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
  },
  {
    name: 'volume_snapshots',
    resource: 'Volume Snapshots',
    path: '/v2/volumes/{volume_id}/snapshots',
    recordsKey: 'snapshots',
    shape: 'list',
    scope: 'block_storage_snapshot:read',
    primaryKey: ['volume_id', 'id'],
    // Incremental: a volume is asked again only when the set of snapshots naming it changed.
    parent: { stream: 'volumes', keys: { volume_id: 'id' }, hint: hasVolumeSnapshots, changeHint: { namedItems: 'id' } },
    freshness: { kind: 'changeHinted', maxAgeHours: 24, evidence: 'the account\'s snapshot list (GET /v2/snapshots?resource_type=volume, OpenAPI snapshots: resource_id names the volume) changes when a volume gains or loses a snapshot; a daily backstop' },
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime' },
    strip: [],
  },
  {
    // Listed region by region: the OpenAPI declares `region` optional, but godo (nfs.go List, nfsOptions)
    // always sends it and doctl (commands/nfs.go) makes --region required; both page (nfsListRoot has
    // links and meta; doctl at 200). Every region of the regions list is asked.
    name: 'nfs_shares',
    resource: 'NFS Shares',
    path: '/v2/nfs',
    recordsKey: 'shares',
    shape: 'list',
    scope: 'nfs:list',
    primaryKey: ['id'],
    parent: NFS_BY_REGION,
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI region); a region\'s shares: 6 hours' },
    pagination: 'page',
    strip: [],
  },
  {
    // As nfs_shares (godo nfs.go ListSnapshots, nfsSnapshotListRoot): per region, paged. Each snapshot
    // names its share in share_id; listing per region (not per share) keeps snapshots of deleted shares.
    name: 'nfs_snapshots',
    resource: 'NFS Snapshots',
    path: '/v2/nfs/snapshots',
    recordsKey: 'snapshots',
    shape: 'list',
    scope: 'nfs:list',
    primaryKey: ['id'],
    parent: NFS_BY_REGION,
    freshness: { kind: 'rotated', maxAgeHours: 24, evidence: 'no field of the parent is documented to change with this list (OpenAPI region): daily' },
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime' },
    strip: [],
  },
  {
    // DigitalOcean documents secret_key on create only; it is stripped in case a list ever carries it.
    name: 'spaces_keys',
    resource: 'Spaces Keys',
    path: '/v2/spaces/keys',
    recordsKey: 'keys',
    shape: 'list',
    scope: 'spaces_key:read',
    primaryKey: ['access_key'],
    pagination: 'page',
    strip: ['secret_key'],
  },
  {
    // Droplet and volume snapshots together; snapshots are immutable.
    name: 'snapshots',
    resource: 'Snapshots',
    path: '/v2/snapshots',
    recordsKey: 'snapshots',
    shape: 'list',
    scope: 'snapshot:read',
    primaryKey: ['id'],
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime' },
    strip: [],
  },
  {
    // Listed per share with no region (godo's NfsServiceOp.ListAccessPoints sends none, and the OpenAPI
    // declares only `status` as a query parameter). Access point ids are global (GET /v2/nfs/access_points/{id}).
    name: 'nfs_access_points',
    resource: 'NFS Access Points',
    path: '/v2/nfs/shares/{share_id}/access_points',
    recordsKey: 'access_points',
    shape: 'list',
    scope: 'nfs:list',
    primaryKey: ['id'],
    parent: { stream: 'nfs_shares', keys: { share_id: 'id' } },
    pagination: 'none',
    strip: [],
  },
];
