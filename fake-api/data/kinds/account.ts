/** Account and SSH keys. */
import { intKey } from '../keys.js';
import { Rng, seedOf } from '../random.js';
import type { KindTable } from '../types.js';

/** The account's uuid and team uuid are 40 hex digits on the real API (not UUIDs). */
export function accountUuids(seed: number): { uuid: string; team: string } {
  const rng = new Rng(seedOf(seed, 'account-uuids'));
  return { uuid: rng.hex(40), team: rng.hex(40) };
}

export const accountKinds: KindTable = {
  account: {
    count: () => 1,
    make: ({ f, account }) => {
      const ids = accountUuids(account.seed);
      const first = f.person.firstName();
      const last = f.person.lastName();
      return {
        droplet_limit: 25 + account.scale,
        floating_ip_limit: 5,
        volume_limit: 100,
        email: f.internet.email({ firstName: first, lastName: last, provider: 'example.com' }).toLowerCase(),
        name: `${first} ${last}`,
        uuid: ids.uuid,
        email_verified: true,
        status: 'active',
        status_message: '',
        team: { uuid: ids.team, name: `${f.company.name()} Team` },
      };
    },
  },

  ssh_keys: {
    count: ({ scale }) => Math.max(2, Math.ceil(scale / 10)),
    keys: { id: intKey(41_000_000) },
    make: ({ f, rng }) => {
      const fingerprint = Array.from({ length: 16 }, () => rng.hex(2)).join(':');
      const user = f.internet.username().toLowerCase();
      return {
        id: 0,
        fingerprint,
        public_key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rng.base64(32).replace(/=+$/, '')} ${user}@${f.word.noun()}`,
        name: `${user}-${rng.pick(['laptop', 'ci', 'bastion', 'deploy', 'workstation'])}`,
      };
    },
  },
};
