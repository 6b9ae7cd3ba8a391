/**
 * Small reference tables (regions, sizes, images) shared by the generators, and time helpers.
 * Objects are built fresh on every call: a caller may mutate a record it was handed.
 */
import type { JsonObject } from './types.js';
import type { Rng } from './random.js';

/** All timestamps fall in this range, independent of the wall clock (same seed, same bytes, any day). */
export const TIME_START = Date.UTC(2019, 0, 1);
export const TIME_END = Date.UTC(2025, 5, 1);
export const DAY_MS = 86_400_000;

/** DigitalOcean writes second-precision UTC timestamps with a Z. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function randomTime(rng: Rng, from = TIME_START, to = TIME_END): number {
  return from + Math.floor(rng.next() * (to - from));
}

export const REGIONS: ReadonlyArray<{ slug: string; name: string }> = [
  { slug: 'nyc1', name: 'New York 1' },
  { slug: 'nyc3', name: 'New York 3' },
  { slug: 'sfo3', name: 'San Francisco 3' },
  { slug: 'ams3', name: 'Amsterdam 3' },
  { slug: 'fra1', name: 'Frankfurt 1' },
  { slug: 'lon1', name: 'London 1' },
  { slug: 'sgp1', name: 'Singapore 1' },
  { slug: 'tor1', name: 'Toronto 1' },
  { slug: 'blr1', name: 'Bangalore 1' },
  { slug: 'syd1', name: 'Sydney 1' },
];

interface Size {
  slug: string;
  memory: number;
  vcpus: number;
  disk: number;
  transfer: number;
  price_monthly: number;
  description: string;
}

export const SIZES: readonly Size[] = [
  { slug: 's-1vcpu-1gb', memory: 1024, vcpus: 1, disk: 25, transfer: 1, price_monthly: 6, description: 'Basic' },
  { slug: 's-1vcpu-2gb', memory: 2048, vcpus: 1, disk: 50, transfer: 2, price_monthly: 12, description: 'Basic' },
  { slug: 's-2vcpu-4gb', memory: 4096, vcpus: 2, disk: 80, transfer: 4, price_monthly: 24, description: 'Basic' },
  { slug: 's-4vcpu-8gb', memory: 8192, vcpus: 4, disk: 160, transfer: 5, price_monthly: 48, description: 'Basic' },
  { slug: 'g-2vcpu-8gb', memory: 8192, vcpus: 2, disk: 25, transfer: 4, price_monthly: 63, description: 'General Purpose' },
  { slug: 'c-4', memory: 8192, vcpus: 4, disk: 50, transfer: 5, price_monthly: 84, description: 'CPU-Optimized' },
];

const SIZE_SLUGS = SIZES.map((s) => s.slug);
const REGION_SLUGS = REGIONS.map((r) => r.slug);

export function regionObject(slug: string): JsonObject {
  const region = REGIONS.find((r) => r.slug === slug) ?? REGIONS[0];
  return {
    name: region.name,
    slug: region.slug,
    features: ['backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer'],
    available: true,
    sizes: [...SIZE_SLUGS],
  };
}

export function sizeObject(size: Size): JsonObject {
  return {
    slug: size.slug,
    memory: size.memory,
    vcpus: size.vcpus,
    disk: size.disk,
    transfer: size.transfer,
    price_monthly: size.price_monthly,
    price_hourly: Math.round((size.price_monthly / 672) * 1e6) / 1e6,
    regions: [...REGION_SLUGS],
    available: true,
    description: size.description,
    disk_info: [{ type: 'local', size: { amount: size.disk, unit: 'gib' } }],
  };
}

interface Image {
  id: number;
  name: string;
  distribution: string;
  slug: string;
  created_at: string;
  size_gigabytes: number;
}

export const IMAGES: readonly Image[] = [
  { id: 161071212, name: '24.04 (LTS) x64', distribution: 'Ubuntu', slug: 'ubuntu-24-04-x64', created_at: '2024-06-20T14:49:52Z', size_gigabytes: 2.37 },
  { id: 129211873, name: '22.04 (LTS) x64', distribution: 'Ubuntu', slug: 'ubuntu-22-04-x64', created_at: '2023-03-28T19:30:27Z', size_gigabytes: 2.34 },
  { id: 139384412, name: '12 x64', distribution: 'Debian', slug: 'debian-12-x64', created_at: '2023-08-16T15:03:32Z', size_gigabytes: 1.24 },
  { id: 158466420, name: '9 x64', distribution: 'Rocky Linux', slug: 'rockylinux-9-x64', created_at: '2024-05-14T21:02:41Z', size_gigabytes: 1.1 },
  { id: 155418632, name: 'Docker on Ubuntu 22.04', distribution: 'Ubuntu', slug: 'docker-20-04', created_at: '2024-04-02T10:11:40Z', size_gigabytes: 4.9 },
];

export function imageObject(image: Image): JsonObject {
  return {
    id: image.id,
    name: image.name,
    distribution: image.distribution,
    slug: image.slug,
    public: true,
    regions: [...REGION_SLUGS],
    created_at: image.created_at,
    type: 'base',
    min_disk_size: 15,
    size_gigabytes: image.size_gigabytes,
    description: '',
    tags: [],
    status: 'available',
    error_message: '',
  };
}

export const TAGS = ['production', 'staging', 'web', 'backend', 'env:prod', 'env:dev', 'team:data', 'k8s', 'monitoring'];

/** Index of the region a top-level resource lives in; shared so a volume sits next to its droplet. */
export function regionIndexOf(rng: Rng): number {
  return rng.int(0, REGIONS.length - 1);
}

export function publicIpv4(rng: Rng): string {
  return `${rng.pick([104, 134, 138, 143, 159, 164, 167, 178, 188, 206])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export function privateIpv4(rng: Rng, regionIndex: number): string {
  return `10.${100 + regionIndex}.${rng.int(0, 15)}.${rng.int(2, 254)}`;
}
