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

/**
 * Snapshots of a volume: none for most volumes; one to three for one volume in seven (the second of each
 * block of seven, so that even a tiny account has some). They are served by
 * both lists DigitalOcean has for them, and the same in each: the volume's own
 * (/v2/volumes/{id}/snapshots) and the account-wide /v2/snapshots, where they carry resource_type
 * `volume` and resource_id the volume's id (OpenAPI schema `snapshots`; godo snapshots.go ListVolume).
 */
export function volumeSnapshotCount(account: AccountView, volume: number): number {
  if (volume % 7 !== 1) return 0;
  return new Rng(seedOf(account.seed, 'volume-snapshots', volume)).int(1, 3);
}

/** Per account, the running total of volume snapshots before each volume (for the account-wide list). */
const volumeSnapshotStarts = new WeakMap<AccountView, Uint32Array>();

function snapshotStarts(account: AccountView): Uint32Array {
  let starts = volumeSnapshotStarts.get(account);
  if (!starts) {
    const volumes = account.count('volumes');
    starts = new Uint32Array(volumes + 1);
    for (let v = 0; v < volumes; v++) starts[v + 1] = starts[v] + volumeSnapshotCount(account, v);
    volumeSnapshotStarts.set(account, starts);
  }
  return starts;
}

/** How many volume snapshots the account has: the first entries of the account-wide snapshots list. */
export function volumeSnapshotTotal(account: AccountView): number {
  const starts = snapshotStarts(account);
  return starts[starts.length - 1];
}

/** Entry `position` of the account-wide list's volume part: which volume, and which of its snapshots. */
export function volumeSnapshotAt(account: AccountView, position: number): { volume: number; index: number } {
  const starts = snapshotStarts(account);
  let lo = 0;
  let hi = starts.length - 2;
  // The last volume whose first snapshot is at or before `position`.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= position) lo = mid;
    else hi = mid - 1;
  }
  return { volume: lo, index: position - starts[lo] };
}
