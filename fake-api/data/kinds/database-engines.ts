/**
 * What differs between database engines: versions, ports, admin users, connection objects and URIs,
 * users, config. Credentials are generated here and hidden here (see hideConnection, hideUser).
 */
import { Rng, seedOf } from '../random.js';
import type { Json, JsonObject } from '../types.js';

export const ENGINES = ['pg', 'mysql', 'redis', 'valkey', 'kafka', 'opensearch', 'mongodb'] as const;
export type Engine = (typeof ENGINES)[number];

export const VERSIONS: Record<Engine, [string, string]> = {
  pg: ['16', '16.4'],
  mysql: ['8', '8.0.35'],
  redis: ['7', '7.2.4'],
  valkey: ['8', '8.0.1'],
  kafka: ['3.7', '3.7.1'],
  opensearch: ['2', '2.15.0'],
  mongodb: ['7.0', '7.0.12'],
};

const PORTS: Record<Engine, number> = { pg: 25060, mysql: 25060, redis: 25061, valkey: 25061, kafka: 25073, opensearch: 25060, mongodb: 27017 };
const ADMIN: Record<Engine, string> = { pg: 'doadmin', mysql: 'doadmin', redis: 'default', valkey: 'default', kafka: 'doadmin', opensearch: 'doadmin', mongodb: 'doadmin' };
export const CONNECTION_KEYS = ['connection', 'private_connection', 'standby_connection', 'standby_private_connection', 'ui_connection', 'schema_registry_connection'];

function uri(engine: Engine, user: string, password: string, host: string, port: number, db: string): string {
  const auth = `${user}:${password}@${host}`;
  switch (engine) {
    case 'pg': return `postgresql://${auth}:${port}/${db}?sslmode=require`;
    case 'mysql': return `mysql://${auth}:${port}/${db}?ssl-mode=REQUIRED`;
    case 'redis':
    case 'valkey': return `rediss://${auth}:${port}`;
    case 'mongodb': return `mongodb+srv://${auth}/${db}?tls=true&authSource=admin`;
    case 'opensearch': return `https://${auth}:${port}`;
    case 'kafka': return '';
  }
}

export function connection(engine: Engine, host: string, password: string, db = 'defaultdb', port = PORTS[engine], user = ADMIN[engine]): JsonObject {
  const database = engine === 'pg' || engine === 'mysql' || engine === 'mongodb' ? db : '';
  return { uri: uri(engine, user, password, host, port, database || 'admin'), database, host, port, user, password, ssl: true };
}

/** Without database:view_credentials the API leaves out the user and password, including inside the URI. */
export function hideConnection(conn: Json | undefined): void {
  if (!conn || typeof conn !== 'object' || Array.isArray(conn)) return;
  delete conn.password;
  delete conn.user;
  if (typeof conn.uri === 'string') conn.uri = conn.uri.replace(/\/\/[^@/]*@/, '//');
}

export function hideUser(user: Json): void {
  if (!user || typeof user !== 'object' || Array.isArray(user)) return;
  delete user.password;
  delete user.access_key;
  delete user.access_cert;
}

function pem(rng: Rng, label: string): string {
  const body = rng.base64(96).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${body.join('\n')}\n-----END ${label}-----\n`;
}

/** The users of a cluster: the admin first, then a few application users (none on caching engines). */
export function clusterUsers(seed: number, cluster: { id: string; engine: Engine; password: string }): JsonObject[] {
  const rng = new Rng(seedOf(seed, 'db-users', cluster.id));
  const users: JsonObject[] = [{ name: ADMIN[cluster.engine], role: 'primary', password: cluster.password }];
  if (cluster.engine === 'redis' || cluster.engine === 'valkey') return users;
  const extra = rng.int(0, 3);
  for (let k = 1; k <= extra; k++) {
    const user: JsonObject = { name: `${rng.pick(['app', 'reporting', 'etl', 'analytics', 'service'])}-${String(k).padStart(2, '0')}`, role: 'normal', password: rng.alnum(16) };
    switch (cluster.engine) {
      case 'pg': user.settings = { pg_allow_replication: rng.chance(0.2) }; break;
      case 'mysql': user.mysql_settings = { auth_plugin: rng.pick(['mysql_native_password', 'caching_sha2_password']) }; break;
      case 'kafka':
        user.access_cert = pem(rng, 'CERTIFICATE');
        user.access_key = pem(rng, 'PRIVATE KEY');
        user.settings = { acl: [{ id: rng.alnum(8), topic: `${rng.pick(['events', 'orders', 'logs'])}.*`, permission: rng.pick(['admin', 'consume', 'produce', 'produceconsume']) }] };
        break;
      case 'opensearch': user.settings = { opensearch_acl: [{ index: `${rng.pick(['logs', 'metrics', 'app'])}-*`, permission: rng.pick(['read', 'readwrite', 'admin']) }] }; break;
      case 'mongodb': user.settings = { mongo_user_settings: { databases: ['app'], role: rng.pick(['readOnly', 'readWrite', 'dbAdmin']) } }; break;
    }
    users.push(user);
  }
  return users;
}

export function engineConfig(engine: Engine, rng: Rng): JsonObject {
  switch (engine) {
    case 'pg': return { autovacuum_naptime: 60, autovacuum_max_workers: rng.int(3, 6), log_min_duration_statement: rng.pick([-1, 1000, 5000]), max_connections: rng.pick([25, 50, 100]), timezone: 'UTC', jit: rng.chance(0.5), shared_buffers_percentage: 25, work_mem: rng.pick([4, 8, 16]), pgbouncer: { server_reset_query_always: false, min_pool_size: 0 }, backup_hour: rng.int(0, 23), backup_minute: rng.int(0, 59) };
    case 'mysql': return { sql_mode: 'ANSI,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE,STRICT_ALL_TABLES', sql_require_primary_key: true, connect_timeout: 10, default_time_zone: 'SYSTEM', innodb_lock_wait_timeout: 50, long_query_time: rng.pick([1, 5, 10]), slow_query_log: rng.chance(0.5), binlog_retention_period: 600 };
    case 'redis': return { redis_maxmemory_policy: rng.pick(['allkeys-lru', 'noeviction', 'volatile-lru']), redis_persistence: rng.pick(['rdb', 'off']), redis_ssl: true, redis_timeout: 300, redis_notify_keyspace_events: '', redis_acl_channels_default: 'allchannels' };
    case 'valkey': return { valkey_maxmemory_policy: rng.pick(['allkeys-lru', 'noeviction']), valkey_persistence: 'rdb', valkey_ssl: true, valkey_timeout: 300, valkey_notify_keyspace_events: '' };
    case 'kafka': return { group_initial_rebalance_delay_ms: 3000, group_min_session_timeout_ms: 6000, log_retention_hours: rng.pick([24, 168]), message_max_bytes: 1048588, auto_create_topics_enable: rng.chance(0.3) };
    case 'opensearch': return { http_max_content_length_bytes: 100000000, indices_query_bool_max_clause_count: 1024, enable_security_audit: rng.chance(0.5), ism_enabled: true, ism_history_enabled: true };
    case 'mongodb': return { default_read_concern: 'majority', default_write_concern: 'majority', transaction_lifetime_limit_seconds: 60, slow_op_threshold_ms: 100, verbosity: 0 };
  }
}
