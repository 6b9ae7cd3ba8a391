/**
 * Seeded randomness. Every record is generated from its own seed (a hash of the account seed, the stream,
 * the parent's address and the index), so record i never depends on records before it: a page can be
 * rendered without generating the pages in front of it, and the same seed always gives the same bytes.
 */
import { Faker, base, en } from '@faker-js/faker';

/** FNV-1a over the UTF-16 code units of a string, then avalanche-mixed. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** murmur3's finaliser: spreads every input bit over the whole word. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines numbers and strings into one 32-bit seed. */
export function seedOf(...parts: ReadonlyArray<number | string>): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const v = typeof part === 'number' ? mix32(part ^ Math.floor(part / 0x100000000)) : hashString(part);
    h = mix32(h ^ (v + 0x9e3779b9 + (h << 6) + (h >>> 2)));
  }
  return h;
}

/**
 * A small, fast PRNG (sfc32). Re-seeding costs four assignments, which matters because we re-seed once
 * per generated record; faker's default Mersenne Twister re-seed is far more expensive.
 * It also implements faker's Randomizer interface, so faker draws from the same stream.
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;

  constructor(seed: number | number[] = 0) {
    this.seed(seed);
  }

  seed(seed: number | number[]): void {
    const s = Array.isArray(seed) ? seedOf(...seed) : seed >>> 0;
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = s;
    for (let k = 0; k < 12; k++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  float(min: number, max: number, decimals: number): number {
    const f = 10 ** decimals;
    return Math.round((min + this.next() * (max - min)) * f) / f;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `count` distinct items, in the order they appear in `items`. */
  some<T>(items: readonly T[], count: number): T[] {
    const chosen = new Set<number>();
    const n = Math.min(count, items.length);
    while (chosen.size < n) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].sort((x, y) => x - y).map((k) => items[k]);
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0');
    return out.slice(0, length);
  }

  alnum(length: number): string {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let k = 0; k < length; k++) out += chars[Math.floor(this.next() * chars.length)];
    return out;
  }

  base64(bytes: number): string {
    const buf = Buffer.alloc(bytes);
    for (let k = 0; k < bytes; k++) buf[k] = Math.floor(this.next() * 256);
    return buf.toString('base64');
  }

  /** A random-looking v4 UUID. */
  uuid(): string {
    const h = this.hex(32);
    const variant = '89ab'[Math.floor(this.next() * 4)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** One faker per account, driven by the account's Rng: seed the Rng and faker follows. */
export function makeFaker(rng: Rng): Faker {
  // Faker calls next() detached from its object, so hand it bound functions.
  return new Faker({ locale: [en, base], randomizer: { next: () => rng.next(), seed: (s) => rng.seed(s) } });
}
