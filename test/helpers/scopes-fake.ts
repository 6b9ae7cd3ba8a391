import { STREAMS } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';
import { startFakeApi, type FakeApi } from '../../fake-api/server.js';
import { runInProcess, type CliResult } from './protocol.js';
import { writeInputs } from './files.js';

/**
 * Tokens of every kind check must tell apart, and a fake API that also serves the routes check
 * calibrates with (the real API has them; the fake serves the stream table only, so they are added
 * as rows of the table the fake serves, never of the connector's).
 */

/** The seed's custom-scoped token: exactly the read scopes the streams need. */
export const SEED_SCOPES = [
  'account:read', 'database:read', 'domain:read', 'droplet:read', 'firewall:read', 'kubernetes:read',
  'load_balancer:read', 'project:read', 'block_storage:read', 'ssh_key:read', 'vpc:read',
];

export const TOKENS = {
  seed: 'dop_v1_seed_scopes_0000000000000000000000000000',
  full: 'dop_v1_full_access_000000000000000000000000000',
  readOnly: 'dop_v1_read_only_preset_00000000000000000000000',
  seedViewCredentials: 'dop_v1_seed_view_credentials_0000000000000000',
  seedAccessCluster: 'dop_v1_seed_access_cluster_00000000000000000',
  noAccount: 'dop_v1_no_account_read_000000000000000000000000',
  partial: 'dop_v1_partial_no_droplet_no_database_00000000',
  allStreams: 'dop_v1_every_stream_scope_0000000000000000000',
  allStreamsAccessCluster: 'dop_v1_every_stream_scope_access_cluster_00',
  partialAccessCluster: 'dop_v1_partial_access_cluster_000000000000000',
  revoked: 'dop_v1_revoked_token_not_in_table_00000000000',
} as const;

const without = (scopes: readonly string[], ...drop: string[]) => scopes.filter((s) => !drop.includes(s));

/** Every scope a row of the table needs: the least-privileged token that reads every stream. */
export const STREAM_SCOPES = [...new Set(STREAMS.flatMap((def) => (def.scope ? [def.scope] : [])))];

export const TOKEN_SCOPES: Record<string, { name: string; scopes: string[] }> = {
  [TOKENS.seed]: { name: 'seed', scopes: SEED_SCOPES },
  [TOKENS.full]: {
    name: 'full-access',
    scopes: ['api:read', 'api:write', 'droplet:create', 'droplet:delete', 'database:view_credentials', 'kubernetes:access_cluster'],
  },
  [TOKENS.readOnly]: { name: 'read-only', scopes: ['api:read'] },
  [TOKENS.seedViewCredentials]: { name: 'seed+view_credentials', scopes: [...SEED_SCOPES, 'database:view_credentials'] },
  [TOKENS.seedAccessCluster]: { name: 'seed+access_cluster', scopes: [...SEED_SCOPES, 'kubernetes:access_cluster'] },
  [TOKENS.noAccount]: { name: 'no-account', scopes: without(SEED_SCOPES, 'account:read') },
  [TOKENS.partial]: { name: 'partial', scopes: without(SEED_SCOPES, 'droplet:read', 'database:read') },
  [TOKENS.allStreams]: { name: 'all-stream-scopes', scopes: STREAM_SCOPES },
  [TOKENS.allStreamsAccessCluster]: { name: 'all-stream-scopes+access_cluster', scopes: [...STREAM_SCOPES, 'kubernetes:access_cluster'] },
  [TOKENS.partialAccessCluster]: {
    name: 'partial+access_cluster',
    scopes: [...without(SEED_SCOPES, 'droplet:read', 'database:read'), 'kubernetes:access_cluster'],
  },
};

/**
 * The route check calibrates with when the token holds every stream scope (EXTRA_CALIBRATION_SCOPES):
 * a Volume's actions, which need block_storage_action:read, a scope no stream uses.
 */
const CALIBRATION_ROWS: readonly StreamDef[] = [
  {
    name: 'volume_actions', resource: 'Volume Actions', path: '/v2/volumes/{volume_id}/actions', recordsKey: 'actions', shape: 'list',
    scope: 'block_storage_action:read', primaryKey: ['id'], parent: { stream: 'volumes', keys: { volume_id: 'id' } }, pagination: 'page', strip: [],
  },
];

export const FAKE_STREAMS: readonly StreamDef[] = [...STREAMS, ...CALIBRATION_ROWS];

export function startScopesFake(lookupBeforeScope: boolean, extra: Parameters<typeof startFakeApi>[0] = {}): Promise<FakeApi> {
  return startFakeApi({
    seed: 7,
    scale: 5,
    streams: FAKE_STREAMS,
    defaultTokens: false,
    tokens: TOKEN_SCOPES,
    lookupBeforeScope,
    ...extra,
  });
}

export async function runWithToken(command: 'check' | 'discover', api: FakeApi, token: string, more: Record<string, unknown> = {}): Promise<CliResult> {
  const files = writeInputs({ 'config.json': { api_token: token, api_url: api.url, ...more } });
  return runInProcess([command, '--config', files['config.json']]);
}
