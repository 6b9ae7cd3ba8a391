/** Spaces keys: the fake's S3 keys (fake-api/s3.ts) come first, with the grants check judges. */
import { FAKE_SPACES_KEYS } from '../../s3.js';
import type { KindTable } from '../types.js';
import { SECRET_MARK } from '../generic.js';

const FIXED = Object.values(FAKE_SPACES_KEYS);

export const spacesKinds: KindTable = {
  spaces_keys: {
    count: ({ scale }) => FIXED.length + Math.ceil(scale / 25),
    make: ({ index, f, rng }) => {
      const fixed = FIXED[index];
      const created = new Date(Date.UTC(2024, 0, 1) + index * 86_400_000).toISOString();
      // DigitalOcean documents secret_key on create only; planted anyway so that stripping is tested.
      const secret_key = `${SECRET_MARK}${rng.hex(16)}`;
      if (fixed) return { name: fixed.name, access_key: fixed.id, grants: fixed.grants.map((g) => ({ ...g })), created_at: created, secret_key };
      return {
        name: `${f.word.noun()}-key`,
        access_key: `DO00${rng.hex(16).toUpperCase()}`,
        grants: [{ bucket: rng.pick(['', 'public-assets', 'team-logs']), permission: rng.pick(['read', 'readwrite', 'fullaccess']) }],
        created_at: created,
        secret_key,
      };
    },
  },
};
