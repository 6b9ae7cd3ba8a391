/**
 * Key codecs: a record's key is computed from its index, and the index recovered from the key, so that
 * `/v2/databases/{id}/users` finds its cluster among a million without a scan or a map in memory.
 * A decoded index is only a candidate: the account regenerates the record and compares the key.
 */
import { Rng, seedOf } from './random.js';

export type KeyValue = string | number;

export interface KeyCodec {
  /** `salt` is the collection's salt, so two collections never share a key sequence. */
  encode(index: number, salt: number): KeyValue;
  decode(value: string, salt: number): number | undefined;
}

const MULT = 0x2c1b3c6d | 1;
/** Inverse of MULT modulo 2^32 (Newton's iteration doubles the correct bits each round). */
const MULT_INV = (() => {
  let inv = MULT;
  for (let k = 0; k < 5; k++) inv = Math.imul(inv, 2 - Math.imul(MULT, inv));
  return inv;
})();

function scramble(index: number, salt: number): number {
  return Math.imul((index ^ salt) >>> 0, MULT) >>> 0;
}

function unscramble(value: number, salt: number): number {
  return (Math.imul(value, MULT_INV) ^ salt) >>> 0;
}

/**
 * Integer ids counted up from `base` (droplets: 3xxxxxxxx). With `perParent`, each parent gets its own
 * block of 10,000 ids, so children of different parents rarely share an id, as on the real API.
 */
export function intKey(base: number, perParent = false): KeyCodec {
  const offset = (salt: number): number => (perParent ? (salt % 100_000) * 10_000 : 0);
  return {
    encode: (index, salt) => base + offset(salt) + index,
    decode: (value, salt) => {
      if (!/^\d{1,15}$/.test(value)) return undefined;
      const index = Number(value) - base - offset(salt);
      return index >= 0 ? index : undefined;
    },
  };
}

/** A v4-looking UUID whose last 8 hex digits are the scrambled index. */
export const uuidKey: KeyCodec = {
  encode(index, salt) {
    const rng = new Rng(seedOf(salt, index));
    const h = rng.hex(24);
    const variant = '89ab'[rng.int(0, 3)];
    const tail = scramble(index, salt).toString(16).padStart(8, '0');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 24)}${tail}`;
  },
  decode(value, salt) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) return undefined;
    return unscramble(parseInt(value.slice(-8), 16), salt);
  },
};

/**
 * A readable name that ends with the index (`quiet-otter-17`, `quiet-otter-17.com`). `format` must put
 * the index in the last run of digits; decoding reads that run back.
 */
export function nameKey(format: (index: number, rng: Rng) => string): KeyCodec {
  return {
    encode: (index, salt) => format(index, new Rng(seedOf(salt, index, 'name'))),
    decode: (value) => {
      const m = /(\d+)\D*$/.exec(value);
      return m ? Number(m[1]) : undefined;
    },
  };
}

/** 2020-01-01T00:00:00Z: where time keys start. */
const TIME_KEY_BASE = Date.UTC(2020, 0, 1);

/**
 * An RFC 3339 instant that is the key (a status message is its time): one minute per index after a
 * per-collection start, so a collection's keys are in time order and two collections rarely share one.
 */
export const timeKey: KeyCodec = {
  encode: (index, salt) => new Date(TIME_KEY_BASE + ((salt % 1000) * 1440 + index) * 60_000).toISOString().replace('.000Z', 'Z'),
  decode: (value, salt) => {
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) return undefined;
    const index = (ms - TIME_KEY_BASE) / 60_000 - (salt % 1000) * 1440;
    return Number.isInteger(index) && index >= 0 ? index : undefined;
  },
};
