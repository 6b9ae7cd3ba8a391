/** Block storage volumes, attached to droplets (see links.ts). */
import { uuidKey } from '../keys.js';
import { dropletOfVolume, volumeRegionIndex } from '../links.js';
import { REGIONS, TAGS, iso, randomTime, regionObject } from '../reference.js';
import type { KindTable } from '../types.js';

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
};
