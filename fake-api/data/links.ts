/**
 * Cross references between streams, as pure functions of indexes: a volume says which droplet it is
 * attached to and that droplet lists the volume back; a project lists exactly the resources whose
 * project_id points at it. Keeping them here keeps both sides in agreement.
 */
import type { KeyValue } from './keys.js';
import { REGIONS } from './reference.js';
import { Rng, seedOf } from './random.js';
import type { AccountView } from './types.js';

export function dropletRegionIndex(seed: number, droplet: number): number {
  return new Rng(seedOf(seed, 'droplet-region', droplet)).int(0, REGIONS.length - 1);
}

/** Two droplets in three have a volume: volume j belongs to droplet j. */
export function volumeOfDroplet(account: AccountView, droplet: number): number | undefined {
  return droplet % 3 !== 0 && droplet < account.count('volumes') ? droplet : undefined;
}

export function dropletOfVolume(account: AccountView, volume: number): number | undefined {
  return volume % 3 !== 0 && volume < account.count('droplets') ? volume : undefined;
}

/** Region of a volume: its droplet's, or its own when unattached. */
export function volumeRegionIndex(account: AccountView, volume: number): number {
  const droplet = dropletOfVolume(account, volume);
  return droplet === undefined ? new Rng(seedOf(account.seed, 'volume-region', volume)).int(0, REGIONS.length - 1) : dropletRegionIndex(account.seed, droplet);
}

/** The first VPCs are the regions' default VPCs, in REGIONS order. */
export function defaultVpcKey(account: AccountView, regionIndex: number): KeyValue {
  const vpcs = Math.max(1, account.count('vpcs'));
  return account.key('vpcs', regionIndex % vpcs);
}

/** Resource r of any kind belongs to project r mod P. */
export function projectIndexOf(account: AccountView, resource: number): number {
  return resource % Math.max(1, account.count('projects'));
}

export function projectKeyOf(account: AccountView, resource: number): KeyValue {
  return account.key('projects', projectIndexOf(account, resource));
}

/** Droplets a firewall or load balancer points at: a few real droplets, spread over the account. */
export function someDroplets(account: AccountView, owner: number, stride: number, max: number): number[] {
  const droplets = account.count('droplets');
  const ids: number[] = [];
  for (let d = owner % Math.max(1, stride); d < droplets && ids.length < max; d += Math.max(1, stride)) {
    ids.push(Number(account.key('droplets', d)));
  }
  return ids;
}
