/** Block storage volumes, attached to droplets (see links.ts), and the snapshots of volumes and Droplets. */
import { uuidKey } from '../keys.js';
import { dropletOfVolume, volumeRegionIndex, volumeSnapshotAt, volumeSnapshotCount, volumeSnapshotTotal } from '../links.js';
import { Rng, seedOf } from '../random.js';
import { REGIONS, TAGS, iso, randomTime, regionObject } from '../reference.js';
import type { AccountView, JsonObject, KindTable } from '../types.js';

/**
 * Snapshot `index` of volume `volume`, the same object in both lists that serve it (its own random
 * stream, so it does not depend on which list asks; pure, so the volume need not be generated).
 */
function volumeSnapshot(account: AccountView, volume: number, index: number): JsonObject {
  const rng = new Rng(seedOf(account.seed, 'volume-snapshot', volume, index));
  const region = REGIONS[volumeRegionIndex(account, volume)].slug;
  const created = randomTime(rng);
  return {
    id: rng.uuid(),
    name: `volume-${region}-${volume}-${iso(created).slice(0, 10)}-${index}`,
    regions: [region],
    created_at: iso(created),
    resource_id: String(account.key('volumes', volume)),
    resource_type: 'volume',
    min_disk_size: rng.pick([10, 50, 100, 250, 500, 1000]),
    size_gigabytes: rng.float(0.1, 40, 2),
    tags: rng.chance(0.5) ? null : rng.some(TAGS, 1),
  };
}

/** The Droplet snapshots of the account-wide list, after the volume ones. */
function dropletSnapshotCount(scale: number): number {
  return Math.max(3, Math.ceil(scale / 5));
}

export const storageKinds: KindTable = {
  volumes: {
    count: ({ scale }) => Math.ceil(scale / 2),
    keys: { id: uuidKey },
    make: ({ index, f, rng, account, key }) => {
      const region = REGIONS[volumeRegionIndex(account, index)].slug;
      const droplet = dropletOfVolume(account, index);
      const name = `volume-${region}-${index}`;
      return {
        id: String(key('id')),
        region: regionObject(region),
        droplet_ids: droplet === undefined ? [] : [Number(account.key('droplets', droplet))],
        name,
        description: f.company.catchPhrase(),
        size_gigabytes: rng.pick([10, 50, 100, 250, 500, 1000]),
        created_at: iso(randomTime(rng)),
        filesystem_type: rng.pick(['ext4', 'xfs']),
        filesystem_label: name.slice(0, 16),
        tags: rng.some(TAGS, rng.int(0, 2)),
      };
    },
  },

  /** Sparse: most volumes have none (see volumeSnapshotCount); each is also in the account-wide list. */
  volume_snapshots: {
    count: ({ parent, account }) => (parent ? volumeSnapshotCount(account, parent.index) : 0),
    make: ({ index, parent, account }) => volumeSnapshot(account, parent?.index ?? 0, index),
  },

  /**
   * GET /v2/snapshots: every volume snapshot (exactly those the volumes' own lists serve), then Droplet
   * snapshots (resource_type `droplet`, resource_id a Droplet of the account; not tied to the Droplets'
   * snapshot_ids).
   */
  snapshots: {
    count: ({ scale, account }) => volumeSnapshotTotal(account) + dropletSnapshotCount(scale),
    make: ({ index, f, rng, account }) => {
      const volumes = volumeSnapshotTotal(account);
      if (index < volumes) {
        const at = volumeSnapshotAt(account, index);
        return volumeSnapshot(account, at.volume, at.index);
      }
      const droplets = account.count('droplets');
      const created = randomTime(rng);
      return {
        id: String(rng.int(100_000_000, 199_999_999)),
        name: `${f.word.adjective()}-${f.word.noun()}-${iso(created).slice(0, 10)}`.toLowerCase().replace(/[^a-z0-9-]/g, ''),
        regions: [rng.pick(REGIONS).slug],
        created_at: iso(created),
        resource_id: String(droplets > 0 ? account.key('droplets', rng.int(0, droplets - 1)) : rng.int(300_000_000, 399_999_999)),
        resource_type: 'droplet',
        min_disk_size: rng.pick([25, 50, 80, 160]),
        size_gigabytes: rng.float(0.5, 40, 2),
        tags: rng.some(TAGS, rng.int(0, 2)),
      };
    },
  },
};
