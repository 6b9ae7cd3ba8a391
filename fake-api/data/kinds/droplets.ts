/** Droplets: the account's main resource; `scale` is the number of droplets. */
import { intKey } from '../keys.js';
import { defaultVpcKey, dropletRegionIndex, firewallsOfDroplet, neighborGroups, neighborsOfDroplet, volumeOfDroplet } from '../links.js';
import {
  DAY_MS, IMAGES, REGIONS, SIZES, TAGS, imageObject, iso, privateIpv4, publicIpv4, randomTime, regionObject, sizeObject,
} from '../reference.js';
import type { Json, JsonObject, KindSpec, KindTable, Located } from '../types.js';

/** The ids a Droplet lists in one of its array fields (`backup_ids`, `snapshot_ids`, `tags`). */
function listOf(parent: Located | undefined, field: string): Json[] {
  const value = parent?.record[field];
  return Array.isArray(value) ? value : [];
}

/**
 * A Droplet's backups or snapshots: exactly the images its `backup_ids` / `snapshot_ids` list, as
 * DigitalOcean documents those fields ("an array of backup IDs of any backups that have been taken of
 * the Droplet", "of any snapshots created from the Droplet"; OpenAPI schema `droplet`). So most
 * Droplets have none, and the list a connector reads agrees with the Droplet record.
 */
function dropletImages(field: 'backup_ids' | 'snapshot_ids', type: 'backup' | 'snapshot'): KindSpec {
  return {
    count: ({ parent }) => listOf(parent, field).length,
    make: ({ index, rng, parent }) => {
      const created = randomTime(rng);
      const region = (parent?.record.region as JsonObject | undefined)?.slug ?? 'nyc3';
      return {
        id: listOf(parent, field)[index],
        name: `${String(parent?.record.name)}-${type}-${iso(created).slice(0, 10)}`,
        type,
        regions: [region],
        created_at: iso(created),
        min_disk_size: Number(parent?.record.disk ?? 25),
        size_gigabytes: rng.float(0.5, 40, 2),
      };
    },
  };
}

const GPU_SIZE = { slug: 'gpu-h100x1-80gb', memory: 245_760, vcpus: 20, disk: 720, transfer: 15, price_monthly: 2_562.05, description: 'GPU' };

export const dropletKinds: KindTable = {
  droplets: {
    count: ({ scale }) => scale,
    // GPU Droplets (every n-th) are listed only with type=gpus, the others only without it.
    listedPart: (query, total, { gpuDropletEvery: n }) => {
      const gpus = n > 0 ? Math.floor(total / n) : 0;
      if (query.get('type') === 'gpus') return { length: gpus, at: (k) => k * n + n - 1 };
      return { length: total - gpus, at: (k) => (n > 1 ? k + Math.floor(k / (n - 1)) : k) };
    },
    keys: { id: intKey(300_000_000) },
    make: ({ index, f, rng, account }) => {
      const regionIndex = dropletRegionIndex(account.seed, index);
      const region = REGIONS[regionIndex].slug;
      const gpuEvery = account.gpuDropletEvery;
      const size = gpuEvery > 0 && index % gpuEvery === gpuEvery - 1 ? GPU_SIZE : rng.pick(SIZES);
      const image = rng.pick(IMAGES);
      const created = randomTime(rng);
      const backups = rng.chance(0.4);
      const ipv6 = rng.chance(0.3);
      const volume = volumeOfDroplet(account, index);
      const features: string[] = ['monitoring', 'droplet_agent', 'private_networking'];
      if (backups) features.unshift('backups');
      if (ipv6) features.push('ipv6');
      const v6: Json[] = ipv6
        ? [{ ip_address: `2604:a880:${rng.hex(4)}:d0::${rng.hex(3)}:${rng.hex(4)}`, netmask: 64, gateway: `2604:a880:${rng.hex(4)}:d0::1`, type: 'public' }]
        : [];
      const publicIp = publicIpv4(rng);
      const windowStart = Date.UTC(2025, 5, 2 + rng.int(0, 6));
      return {
        id: 0,
        name: `${f.word.adjective()}-${f.word.noun()}-${index}`.toLowerCase().replace(/[^a-z0-9-]/g, ''),
        memory: size.memory,
        vcpus: size.vcpus,
        disk: size.disk,
        disk_info: [{ type: 'local', size: { amount: size.disk, unit: 'gib' } }],
        locked: false,
        status: rng.chance(0.9) ? 'active' : 'off',
        kernel: null,
        created_at: iso(created),
        features,
        backup_ids: backups ? [rng.int(100_000_000, 199_999_999)] : [],
        next_backup_window: backups ? { start: iso(windowStart), end: iso(windowStart + DAY_MS - 3_600_000) } : null,
        snapshot_ids: rng.chance(0.2) ? [rng.int(100_000_000, 199_999_999)] : [],
        image: imageObject(image),
        volume_ids: volume === undefined ? [] : [String(account.key('volumes', volume))],
        size: sizeObject(size),
        size_slug: size.slug,
        networks: {
          v4: [
            { ip_address: privateIpv4(rng, regionIndex), netmask: '255.255.240.0', gateway: 'nil', type: 'private' },
            { ip_address: publicIp, netmask: '255.255.240.0', gateway: publicIp.replace(/\.\d+$/, '.1'), type: 'public' },
          ],
          v6,
        },
        region: regionObject(region),
        tags: rng.some(TAGS, rng.int(0, 2)),
        vpc_uuid: String(defaultVpcKey(account, regionIndex)),
      };
    },
  },

  droplet_backups: dropletImages('backup_ids', 'backup'),
  droplet_snapshots: dropletImages('snapshot_ids', 'snapshot'),

  /** Whole Droplet objects of the Droplets on the same hardware (rare; see links.ts). */
  droplet_neighbors: {
    count: ({ parent, account }) => (parent ? neighborsOfDroplet(account, parent.index).length : 0),
    make: ({ index, parent, account }) => account.record('droplets', neighborsOfDroplet(account, parent?.index ?? 0)[index]),
  },

  /** The neighbor report's groups, one record each: the same groups the report route and each Droplet's neighbors give. */
  droplet_neighbor_reports: {
    count: ({ account }) => neighborGroups(account).length,
    make: ({ index, account }) => ({ droplet_ids: neighborGroups(account)[index] }),
  },

  /** Whole firewall objects of the firewalls naming the Droplet by id or by one of its tags. */
  droplet_firewalls: {
    count: ({ parent, account }) => (parent ? firewallsOfDroplet(account, Number(parent.record.id), listOf(parent, 'tags').map(String)).length : 0),
    make: ({ index, parent, account }) =>
      account.record('firewalls', firewallsOfDroplet(account, Number(parent?.record.id), listOf(parent, 'tags').map(String))[index]),
  },

  /** One policy per droplet, keyed by the droplet's id (map-shaped body). */
  droplet_backup_policies: {
    count: ({ account }) => account.count('droplets'),
    keys: { droplet_id: intKey(300_000_000) },
    make: ({ rng }): JsonObject => {
      if (!rng.chance(0.4)) return { droplet_id: 0, backup_enabled: false };
      const weekly = rng.chance(0.3);
      const hour = rng.pick([0, 4, 8, 12, 16, 20]);
      const start = Date.UTC(2025, 5, 2 + rng.int(0, 6), hour);
      return {
        droplet_id: 0,
        backup_enabled: true,
        backup_policy: weekly
          ? { plan: 'weekly', weekday: rng.pick(['SUN', 'MON', 'WED', 'SAT']), hour, window_length_hours: 4, retention_period_days: 28 }
          : { plan: 'daily', hour, window_length_hours: 4, retention_period_days: 7 },
        next_backup_window: { start: iso(start), end: iso(start + 4 * 3_600_000) },
      };
    },
  },
};
