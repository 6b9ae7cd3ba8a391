/**
 * Cross references between streams, as pure functions of indexes: a volume says which droplet it is
 * attached to and that droplet lists the volume back; a project lists exactly the resources whose
 * project_id points at it. Keeping them here keeps both sides in agreement.
 */
import type { KeyValue } from './keys.js';
import { REGIONS, TAGS } from './reference.js';
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

/**
 * Droplets on the same physical hardware (DigitalOcean's "neighbors"): rare by design. In each block
 * of 40 Droplets, Droplet p = 40k + 11 shares a server with the first of the next 28 Droplets in its
 * region, if any: about one Droplet in 20 has a neighbor. The report endpoint and each Droplet's
 * neighbors list agree, and neighbors are always in the same region.
 */
function neighborPartner(account: AccountView, p: number): number | undefined {
  const region = dropletRegionIndex(account.seed, p);
  for (let q = p + 1; q <= p + 28 && q < account.count('droplets'); q++) if (dropletRegionIndex(account.seed, q) === region) return q;
  return undefined;
}

export function neighborsOfDroplet(account: AccountView, droplet: number): number[] {
  if (droplet % 40 === 11) {
    const q = neighborPartner(account, droplet);
    return q === undefined ? [] : [q];
  }
  const p = droplet - ((droplet - 11 + 40) % 40);
  return p >= 0 && droplet - p <= 28 && neighborPartner(account, p) === droplet ? [p] : [];
}

/** Every neighbor group of the account, as Droplet ids (`/v2/reports/droplet_neighbors_ids`). */
export function neighborGroups(account: AccountView): number[][] {
  const groups: number[][] = [];
  for (let p = 11; p < account.count('droplets'); p += 40) {
    const q = neighborPartner(account, p);
    if (q !== undefined) groups.push([Number(account.key('droplets', p)), Number(account.key('droplets', q))]);
  }
  return groups;
}

/** The tags a firewall applies to: none for about half of them, else one (a pure function of its index). */
export function firewallTags(account: AccountView, firewall: number): string[] {
  const rng = new Rng(seedOf(account.seed, 'firewall-tags', firewall));
  return rng.chance(0.5) ? [] : [TAGS[rng.int(0, TAGS.length - 1)]];
}

/** The Droplets a firewall names by id. */
export function firewallDroplets(account: AccountView, firewall: number): number[] {
  return someDroplets(account, firewall, account.count('firewalls'), 5);
}

/** The firewalls that apply to a Droplet: those naming its id, or one of its tags. */
export function firewallsOfDroplet(account: AccountView, dropletId: number, tags: readonly string[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < account.count('firewalls'); k++) {
    if (firewallDroplets(account, k).includes(dropletId) || firewallTags(account, k).some((tag) => tags.includes(tag))) out.push(k);
  }
  return out;
}
