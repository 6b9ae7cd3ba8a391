/**
 * Billing insights: one data point per billed line item per day, over the 60 days before the account's
 * "today" (the server's clock at start, see AccountView.today), so that a connector reading the last
 * 90 days at the same moment reaches every one of them. Nightly estimates: nothing for today yet.
 *
 * The account has a fixed set of line items (a droplet, its backups, a volume, a cluster's worker
 * nodes…), each billed on a run of days (most every day; some created or destroyed during the period).
 * Data points are in day order, then line item order: record i is found from a 61-entry prefix sum,
 * and the points of a date range are one run of indexes.
 */
import type { Faker } from '@faker-js/faker';
import { DAY_MS, REGIONS, SIZES } from '../reference.js';
import { Rng, makeFaker, seedOf } from '../random.js';
import type { AccountView, CountContext, KindTable } from '../types.js';
import { accountUuids } from './account.js';

/** Days of data, ending the day before "today". */
export const BILLING_DAYS = 60;
/** DigitalOcean refuses a range of more than 31 days. */
export const BILLING_MAX_DAYS = 31;
const MAX_LINE_ITEMS = 40;

interface LineItem {
  sku: string;
  region: string;
  description: string;
  group_description: string;
  /** A full day's cost, in cents. */
  dailyCents: number;
  /** Usage-priced (bandwidth, snapshots, Spaces): the amount varies from day to day. */
  metered: boolean;
  /** Days billed: indexes into the period, both inclusive. */
  from: number;
  to: number;
}

/** DigitalOcean bills hourly, capped at the monthly price after 672 hours (28 days). */
const perDay = (monthlyDollars: number): number => (monthlyDollars * 100) / 28;

const slugOf = (f: Faker, index: number): string => `${f.word.adjective()}-${f.word.noun()}-${index}`.toLowerCase().replace(/[^a-z0-9-]/g, '');

type Product = (f: Faker, rng: Rng, n: number) => Omit<LineItem, 'region' | 'from' | 'to'>;

const PRODUCTS: ReadonlyArray<{ weight: number; make: Product }> = [
  {
    weight: 8,
    make: (f, rng, n) => {
      const k = rng.int(0, SIZES.length - 1);
      const size = SIZES[k];
      return { sku: `1-DO-DROP-01${String(k + 1).padStart(2, '0')}`, description: `${slugOf(f, n)} (${size.slug})`, group_description: '', dailyCents: perDay(size.price_monthly), metered: false };
    },
  },
  {
    weight: 2,
    make: (f, rng, n) => {
      const size = rng.pick(SIZES);
      return { sku: '1-DO-BKUP-0001', description: `${slugOf(f, n)} backups (weekly)`, group_description: '', dailyCents: perDay(size.price_monthly * 0.2), metered: false };
    },
  },
  {
    weight: 3,
    make: (f, rng, n) => {
      const gib = rng.pick([10, 50, 100, 250, 500]);
      return { sku: '1-DO-BLOCK-0001', description: `volume-${slugOf(f, n)} (${gib} GiB)`, group_description: '', dailyCents: perDay(gib * 0.1), metered: false };
    },
  },
  {
    weight: 2,
    make: (f, rng, n) => {
      const nodes = rng.int(1, 5);
      return {
        sku: '1-KS-K8SWN-00109',
        description: `${nodes} node${nodes > 1 ? 's' : ''} - 4 GB / 2 vCPU / 80 GB SSD`,
        group_description: `${f.word.adjective()}-k8s-${n}`.toLowerCase().replace(/[^a-z0-9-]/g, ''),
        dailyCents: perDay(24 * nodes),
        metered: false,
      };
    },
  },
  {
    weight: 2,
    make: (f, rng, n) => {
      const engine = rng.pick([['PG', 'postgresql'], ['MYSQL', 'mysql'], ['REDIS', 'redis'], ['MONGO', 'mongodb']] as const);
      const size = rng.pick([['db-s-1vcpu-1gb', 15], ['db-s-1vcpu-2gb', 30], ['db-s-2vcpu-4gb', 60]] as const);
      return { sku: `1-DB-${engine[0]}-0001`, description: `db-${engine[1]}-${slugOf(f, n)} (${size[0]})`, group_description: '', dailyCents: perDay(size[1]), metered: false };
    },
  },
  {
    weight: 1,
    make: (f, rng, n) => {
      const nodes = rng.int(1, 3);
      return { sku: '1-DO-LB-0001', description: `lb-${slugOf(f, n)} (${nodes} node${nodes > 1 ? 's' : ''})`, group_description: '', dailyCents: perDay(12 * nodes), metered: false };
    },
  },
  {
    weight: 1,
    make: () => ({ sku: '1-DO-SPACES-0001', description: 'Spaces Subscription (250 GiB, 1 TiB transfer)', group_description: '', dailyCents: perDay(5), metered: true }),
  },
  {
    weight: 1,
    make: (_f, rng) => {
      const gb = rng.int(5, 120);
      return { sku: '1-DO-SNAP-0001', description: `Snapshots (${gb} GB)`, group_description: '', dailyCents: perDay(gb * 0.06), metered: true };
    },
  },
  {
    weight: 1,
    make: () => ({ sku: '1-DO-RIP-0001', description: 'Reserved IP (unassigned)', group_description: '', dailyCents: perDay(5), metered: false }),
  },
  {
    weight: 1,
    make: () => ({ sku: '1-DO-BW-0001', description: 'Outbound data transfer overage', group_description: '', dailyCents: perDay(3), metered: true }),
  },
];

const TOTAL_WEIGHT = PRODUCTS.reduce((sum, p) => sum + p.weight, 0);

function pickProduct(ticket: number): (typeof PRODUCTS)[number] {
  let rest = ticket;
  for (const product of PRODUCTS) {
    rest -= product.weight;
    if (rest < 0) return product;
  }
  return PRODUCTS[PRODUCTS.length - 1];
}

interface Ledger {
  items: LineItem[];
  /** before[d]: data points on the days before day d (BILLING_DAYS + 1 entries). */
  before: number[];
}

/** Line items depend on the seed and scale only; a few accounts' worth are kept. */
const ledgers = new Map<string, Ledger>();

function ledgerOf(account: AccountView): Ledger {
  const cacheKey = `${account.seed}:${account.scale}`;
  const cached = ledgers.get(cacheKey);
  if (cached) return cached;
  const rng = new Rng(seedOf(account.seed, 'billing-line-items'));
  const f = makeFaker(rng);
  const count = Math.min(MAX_LINE_ITEMS, Math.max(3, Math.ceil(account.scale * 0.75)));
  const items: LineItem[] = [];
  for (let n = 0; n < count; n++) {
    // The first line item is a droplet billed every day, so that no day is empty.
    const product = n === 0 ? PRODUCTS[0] : pickProduct(rng.next() * TOTAL_WEIGHT);
    const life = rng.next();
    const from = n === 0 || life < 0.85 ? 0 : rng.int(1, BILLING_DAYS - 10);
    const to = n === 0 || life < 0.7 || from > 0 ? BILLING_DAYS - 1 : rng.int(5, BILLING_DAYS - 2);
    items.push({ ...product.make(f, rng, n), region: REGIONS[rng.int(0, REGIONS.length - 1)].slug, from, to });
  }
  const before = [0];
  for (let d = 0; d < BILLING_DAYS; d++) before.push(before[d] + items.filter((item) => item.from <= d && d <= item.to).length);
  const ledger = { items, before };
  if (ledgers.size >= 32) ledgers.clear();
  ledgers.set(cacheKey, ledger);
  return ledger;
}

/** Day index (0 = first day of the period) and line item of data point `index`. */
function locatePoint(ledger: Ledger, index: number): { day: number; item: LineItem } {
  const { before, items } = ledger;
  let lo = 0;
  let hi = BILLING_DAYS - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (before[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  const day = lo;
  let k = index - before[day];
  for (const item of items) {
    if (item.from > day || day > item.to) continue;
    if (k-- === 0) return { day, item };
  }
  // Past the end (a count override asked for more): repeat the line items on the last day.
  return { day, item: items[index % items.length] };
}

const firstDay = (account: AccountView): number => account.today - BILLING_DAYS * DAY_MS;

function amount(item: LineItem, day: number, rng: Rng): string {
  let cents = item.dailyCents;
  if (item.metered) cents *= 0.5 + rng.next();
  // Created or destroyed that day: billed for part of it (a resource still there at the end runs on).
  if ((day === item.from && item.from > 0) || (day === item.to && item.to < BILLING_DAYS - 1)) cents *= rng.int(1, 23) / 24;
  return (Math.max(1, Math.round(cents)) / 100).toFixed(2);
}

export const billingKinds: KindTable = {
  billing_insights: {
    count: ({ account }) => ledgerOf(account).before[BILLING_DAYS],
    make: ({ index, rng, account }) => {
      const { day, item } = locatePoint(ledgerOf(account), index);
      return {
        usage_team_urn: `do:team:${accountUuids(account.seed).team}`,
        start_date: new Date(firstDay(account) + day * DAY_MS).toISOString().slice(0, 10),
        total_amount: amount(item, day, rng),
        region: item.region,
        sku: item.sku,
        description: item.description,
        group_description: item.group_description,
      };
    },
    window: {
      maxDays: BILLING_MAX_DAYS,
      field: 'start_date',
      range: ({ account }: CountContext, from: number, to: number) => {
        const { before } = ledgerOf(account);
        const base = firstDay(account);
        const first = Math.min(BILLING_DAYS, Math.max(0, Math.ceil((from - base) / DAY_MS)));
        const last = Math.min(BILLING_DAYS - 1, Math.floor((to - base) / DAY_MS));
        return last < first ? { start: before[first], end: before[first] } : { start: before[first], end: before[last + 1] };
      },
    },
  },
};
