/**
 * Managed database clusters of every engine, and their children. A child list is a pure function of
 * its cluster, so `/v2/databases` (which embeds `users`) and `/v2/databases/{id}/users` agree, and
 * passwords repeat wherever the real API repeats them (cluster, users, replicas, pools).
 */
import { uuidKey } from '../keys.js';
import { defaultVpcKey, projectKeyOf } from '../links.js';
import { DAY_MS, REGIONS, TAGS, TIME_END, TIME_START, iso, publicIpv4, randomTime } from '../reference.js';
import { Rng, seedOf } from '../random.js';
import type { JsonObject, KindSpec, KindTable, Located } from '../types.js';
import { CONNECTION_KEYS, ENGINES, VERSIONS, clusterUsers, connection, engineConfig, hideConnection, hideUser } from './database-engines.js';
import type { Engine } from './database-engines.js';

/** Everything a child needs to know about its cluster, read back from the cluster record. */
interface ClusterFacts {
  id: string;
  name: string;
  engine: Engine;
  host: string;
  region: string;
  password: string;
  created: number;
}

function facts(parent: Located | undefined): ClusterFacts {
  const r = parent?.record ?? {};
  const conn = (r.connection ?? {}) as JsonObject;
  return {
    id: String(r.id),
    name: String(r.name),
    engine: (ENGINES as readonly string[]).includes(String(r.engine)) ? (r.engine as Engine) : 'pg',
    host: String(conn.host),
    region: String(r.region),
    password: String(conn.password),
    created: Date.parse(String(r.created_at)),
  };
}

/** Every child kind of a cluster draws from its own stream seeded by the cluster id. */
function childRng(account: { seed: number }, parent: Located | undefined, what: string): Rng {
  return new Rng(seedOf(account.seed, what, String(parent?.record.id)));
}

const clusters: KindSpec = {
  /** At least one cluster of each engine, even for a tiny account; 'none' pagination, so bounded. */
  count: ({ scale }) => Math.min(500, Math.max(ENGINES.length, Math.ceil(scale / 10))),
  keys: { id: uuidKey },
  make: ({ index, f, rng, account, key }) => {
    const engine = ENGINES[index % ENGINES.length];
    const id = String(key('id'));
    const name = `${f.word.adjective()}-${engine}-${index}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
    const regionIndex = rng.int(0, REGIONS.length - 1);
    const accountNo = 1_000_000 + (account.seed % 9_000_000);
    const host = `${name}-do-user-${accountNo}-0.${rng.alnum(6)}.db.ondigitalocean.com`;
    const password = `AVNS_${rng.alnum(20)}`;
    const nodes = engine === 'kafka' ? 3 : rng.int(1, 3);
    const created = randomTime(rng, TIME_START, TIME_END - 60 * DAY_MS);
    const record: JsonObject = {
      id,
      name,
      engine,
      version: VERSIONS[engine][0],
      semantic_version: VERSIONS[engine][1],
      connection: connection(engine, host, password),
      private_connection: connection(engine, `private-${host}`, password),
    };
    if (nodes > 1 && (engine === 'pg' || engine === 'mysql')) {
      record.standby_connection = connection(engine, `replica-${host}`, password);
      record.standby_private_connection = connection(engine, `private-replica-${host}`, password);
    }
    if (engine === 'opensearch') record.ui_connection = { uri: `https://doadmin:${password}@${host}:443`, host, port: 443, user: 'doadmin', password, ssl: true };
    if (engine === 'kafka' && rng.chance(0.5)) record.schema_registry_connection = { uri: `https://doadmin:${password}@${host}:25065`, host, port: 25065, user: 'doadmin', password, ssl: true };
    Object.assign(record, {
      users: clusterUsers(account.seed, { id, engine, password }),
      db_names: engine === 'pg' || engine === 'mysql' ? ['defaultdb'] : null,
      num_nodes: nodes,
      region: REGIONS[regionIndex].slug,
      status: rng.chance(0.95) ? 'online' : 'resizing',
      created_at: iso(created),
      maintenance_window: { day: rng.pick(['monday', 'tuesday', 'saturday', 'sunday']), hour: `0${rng.int(0, 9)}:${rng.int(10, 59)}:00`, pending: rng.chance(0.2), description: [] },
      size: rng.pick(['db-s-1vcpu-1gb', 'db-s-1vcpu-2gb', 'db-s-2vcpu-4gb', 'gd-2vcpu-8gb']),
      tags: rng.some(TAGS, rng.int(0, 2)),
      private_network_uuid: String(defaultVpcKey(account, regionIndex)),
      project_id: String(projectKeyOf(account, index)),
      version_end_of_life: null,
      version_end_of_availability: null,
      storage_size_mib: rng.pick([10240, 30720, 61440]),
      metrics_endpoints: [{ host, port: 9273 }],
    });
    return record;
  },
  hideCredentials: (record) => {
    for (const k of CONNECTION_KEYS) hideConnection(record[k]);
    if (Array.isArray(record.users)) record.users.forEach(hideUser);
    return record;
  },
};

const users: KindSpec = {
  count: ({ parent, account }) => clusterUsers(account.seed, facts(parent)).length,
  make: ({ index, parent, account }) => clusterUsers(account.seed, facts(parent))[index],
  hideCredentials: (record) => {
    hideUser(record);
    return record;
  },
};

const replicas: KindSpec = {
  count: ({ parent, account }) => {
    const c = facts(parent);
    return c.engine === 'pg' || c.engine === 'mysql' ? childRng(account, parent, 'replica-count').int(0, 2) : 0;
  },
  make: ({ index, rng, parent, account }) => {
    const c = facts(parent);
    const name = `read-${c.region}-${String(index + 1).padStart(2, '0')}`;
    const host = `${name}-${c.host}`;
    return {
      id: rng.uuid(),
      name,
      region: c.region,
      size: 'db-s-2vcpu-4gb',
      status: 'online',
      tags: [],
      created_at: iso(c.created + rng.int(1, 30) * DAY_MS),
      private_network_uuid: String(defaultVpcKey(account, Math.max(0, REGIONS.findIndex((r) => r.slug === c.region)))),
      connection: connection(c.engine, host, c.password),
      private_connection: connection(c.engine, `private-${host}`, c.password),
      storage_size_mib: 61440,
    };
  },
  hideCredentials: (record) => {
    hideConnection(record.connection);
    hideConnection(record.private_connection);
    return record;
  },
};

const POOL_NAMES = ['backend-pool', 'reporting-pool', 'analytics-pool'];
const pools: KindSpec = {
  count: ({ parent, account }) => (facts(parent).engine === 'pg' ? childRng(account, parent, 'pool-count').int(1, 3) : 0),
  make: ({ index, rng, parent }) => {
    const c = facts(parent);
    const name = POOL_NAMES[index % POOL_NAMES.length] + (index >= POOL_NAMES.length ? `-${index}` : '');
    return {
      user: 'doadmin',
      name,
      size: rng.pick([10, 20, 25]),
      db: 'defaultdb',
      mode: rng.pick(['transaction', 'session', 'statement']),
      connection: connection(c.engine, c.host, c.password, name, 25061),
      private_connection: connection(c.engine, `private-${c.host}`, c.password, name, 25061),
    };
  },
  hideCredentials: clusters.hideCredentials,
};

const backups: KindSpec = {
  count: ({ parent, account }) => childRng(account, parent, 'backup-count').int(3, 14),
  /** Daily backups ending a few days before TIME_END, oldest first: created_at only grows. */
  make: ({ index, rng, parent, account }) => {
    const total = backups.count({ scale: account.scale, parent, rng, account });
    const hour = childRng(account, parent, 'backup-hour').int(0, 23);
    const day = TIME_END - 3 * DAY_MS - (total - 1 - index) * DAY_MS + hour * 3_600_000;
    return { created_at: iso(day + rng.int(0, 600) * 1000), size_gigabytes: rng.float(0.01, 40, 8), incremental: index > 0 && rng.chance(0.7) };
  },
  bodyExtras: (parent, rng): JsonObject => {
    const engine = facts(parent).engine;
    return engine === 'pg' || engine === 'mysql'
      ? { scheduled_backup_time: { backup_hour: rng.int(0, 23), backup_minute: rng.int(0, 59), backup_interval_hours: 24 } }
      : {};
  },
};

const config: KindSpec = {
  count: () => 1,
  make: ({ parent, account }) => engineConfig(facts(parent).engine, childRng(account, parent, 'config')),
};

const firewallRules: KindSpec = {
  count: ({ parent, account }) => childRng(account, parent, 'fw-count').int(0, 4),
  make: ({ index, rng, parent, account }) => {
    const c = facts(parent);
    const type = rng.pick(['ip_addr', 'droplet', 'k8s', 'tag', 'app'] as const);
    let value: string;
    switch (type) {
      case 'ip_addr': value = publicIpv4(rng); break;
      case 'droplet': value = String(account.key('droplets', rng.int(0, Math.max(0, account.count('droplets') - 1)))); break;
      case 'k8s': value = String(account.key('kubernetes_clusters', rng.int(0, Math.max(0, account.count('kubernetes_clusters') - 1)))); break;
      case 'tag': value = rng.pick(TAGS); break;
      case 'app': value = rng.uuid(); break;
    }
    const rule: JsonObject = { uuid: rng.uuid(), cluster_uuid: c.id, type, value, created_at: iso(c.created + (index + 1) * DAY_MS) };
    if (rng.chance(0.5)) rule.description = `${type} access`;
    return rule;
  },
};

export const databaseKinds: KindTable = {
  database_clusters: clusters,
  database_users: users,
  database_replicas: replicas,
  database_connection_pools: pools,
  database_backups: backups,
  database_config: config,
  database_firewall_rules: firewallRules,
};
