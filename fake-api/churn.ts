/**
 * Simulated time for the fake account (POST /__fake/advance): every hour, a realistic share of the
 * account changes, as a pure function of (seed, stream, record, hour), so the truth at any hour can be
 * asked (GET /__fake/expected/…) and two runs agree.
 *
 * Each churned stream has a period: every record (top-level rows) or every parent's list (child rows)
 * changes once per period, at an hour of its own (a hash of its address), so changes spread evenly:
 *  - a top-level record is regenerated with its id kept (a Droplet's backups taken and expired, its
 *    tags edited; a firewall's rules and tags edited; a cluster's users changed; an app deployed);
 *  - a child list is regenerated (records destroyed and created: a database's firewall rules changed);
 *  - Droplets are created at the tail of the list and the newest destroyed again, a few per hour.
 * Hour 0 is the account as the server started; nothing churns before `advance` is called.
 */
import { seedOf } from './data/random.js';

/** Hours between two changes of one record (top-level) or one parent's list (child), per stream. */
export const CHURN_PERIOD_HOURS: Readonly<Record<string, number>> = {
  // top-level records
  droplets: 168, // backups weekly; tags, image (so kernels) with them
  firewalls: 48,
  database_clusters: 72, // embedded users, db_names
  apps: 24, // a deployment a day
  kubernetes_clusters: 168, // node pools
  domains: 168, // zone edits
  // child lists
  database_firewall_rules: 168,
  droplet_snapshots: 336,
  volume_snapshots: 336,
  domain_records: 168,
  app_alerts: 336,
  uptime_check_states: 24,
  vpc_members: 336,
  project_resources: 336,
};

/** Of the Droplets, the share created (at the tail) over a cycle, and destroyed at its end. */
const DROPLET_TAIL_SHARE = 0.02;
const DROPLET_CYCLE_HOURS = 48;

export class ChurnClock {
  hour = 0;

  constructor(private readonly seed: number) {}

  /**
   * How many times a record or list has changed by this hour (0 before its first change): its epoch,
   * mixed into its seed. `address` names the record (top-level) or the parent (child list).
   */
  epoch(stream: string, address: string): number {
    const period = CHURN_PERIOD_HOURS[stream];
    if (period === undefined || this.hour <= 0) return 0;
    const phase = seedOf(this.seed, 'churn', stream, address) % period;
    // Changes at hours phase, phase + period, …: how many of those are ≤ the current hour.
    return this.hour < phase ? 0 : Math.floor((this.hour - phase) / period) + (phase === 0 ? 0 : 1);
  }

  /** The hour the record or list last changed (0: as the account started). */
  changedAt(stream: string, address: string): number {
    const period = CHURN_PERIOD_HOURS[stream];
    const e = this.epoch(stream, address);
    if (period === undefined || e === 0) return 0;
    const phase = seedOf(this.seed, 'churn', stream, address) % period;
    return (phase === 0 ? e : e - 1) * period + phase;
  }

  /** Droplets at this hour: the base count, less the tail destroyed, plus the tail created this cycle. */
  dropletCount(base: number): number {
    const tail = Math.floor(base * DROPLET_TAIL_SHARE);
    if (this.hour <= 0 || tail === 0) return base;
    const into = this.hour % DROPLET_CYCLE_HOURS;
    return base - tail + Math.floor((tail * into) / DROPLET_CYCLE_HOURS);
  }
}
