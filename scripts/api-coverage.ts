/**
 * The second coverage count: DigitalOcean's readable collections (every GET path of its OpenAPI, from
 * the fixture scripts/openapi-get-paths.ts extracts) that a stream reads, against all of them. A GET
 * path is either read by a stream, excluded for a stated reason, or listed as not read yet: nothing is
 * left unclassified (test/coverage-table.test.ts fails when the OpenAPI gains a path this does not place).
 */
import type { StreamDef } from '../src/streams/types.js';
import type { GetPath } from './openapi-get-paths.js';

/** Why a GET path is not a readable collection of account resources. */
export type ExclusionReason =
  | 'logs'
  | 'download'
  | 'rendering'
  | 'credentials'
  | 'actions'
  | 'metrics'
  | 'other_api'
  | 'one_record'
  | 'alias'
  | 'covered'
  | 'operation';

export const REASONS: Readonly<Record<ExclusionReason, string>> = {
  logs: 'logs and exec sessions: live output and consoles, not resources',
  download: 'download and signed URLs: short-lived links, themselves secrets',
  rendering: 'CSV/PDF renderings of data a stream reads',
  credentials: 'endpoints that mint or reveal credentials or tokens',
  actions: 'per-resource action lists and actions by id: the `actions` stream has them all',
  metrics: 'monitoring metrics and usage: time series, a separate capability',
  other_api: 'another API: serverless inference (inference.do-ai.run), authenticated by a model access key',
  one_record: 'one record, by id, of a list a stream reads',
  alias: 'another name for a path a stream reads',
  covered: 'a subset of, or a view over, records another stream reads',
  operation: 'the status of an operation the connector never starts',
};

/** Excluded by their shape: the reason follows from the path alone. */
const RULES: readonly { reason: ExclusionReason; pattern: RegExp }[] = [
  { reason: 'logs', pattern: /\/(logs|exec)$/ },
  { reason: 'download', pattern: /(download_url|signed_url|\/oauth2\/url)$/ },
  { reason: 'rendering', pattern: /\/(csv|pdf)$/ },
  { reason: 'credentials', pattern: /\/(credentials|kubeconfig|docker-credentials|bgp_auth_key|service_key|tokens)$/ },
  { reason: 'actions', pattern: /\/actions(\/\{[^}]+\})?$/ },
  { reason: 'metrics', pattern: /^\/v2\/monitoring\/metrics\/|\/metrics\/[a-z_]+$|\/agents\/\{[^}]+\}\/usage$/ },
  { reason: 'other_api', pattern: /^\/v1\// },
];

/** A GET path placed by hand: excluded for a reason, or a readable collection not read yet. */
export interface PathNote {
  path: string;
  /** `not_read`: a readable collection no stream reads yet (counted against coverage). */
  reason: ExclusionReason | 'not_read';
  note: string;
}

export const PATH_NOTES: readonly PathNote[] = [
  { path: '/v2/registry', reason: 'alias', note: 'the single-registry API: `registries`' },
  { path: '/v2/registry/options', reason: 'alias', note: '`registry_options`' },
  { path: '/v2/registry/subscription', reason: 'alias', note: '`registry_subscription`' },
  { path: '/v2/registry/{registry_name}/repositories', reason: 'alias', note: 'deprecated V1 list: `registry_repositories`' },
  { path: '/v2/registry/{registry_name}/repositoriesV2', reason: 'alias', note: '`registry_repositories`' },
  { path: '/v2/registry/{registry_name}/repositories/{repository_name}/tags', reason: 'alias', note: '`registry_repository_tags`' },
  { path: '/v2/registry/{registry_name}/repositories/{repository_name}/digests', reason: 'alias', note: '`registry_repository_digests`' },
  { path: '/v2/registry/{registry_name}/garbage-collections', reason: 'alias', note: '`registry_garbage_collections`' },
  { path: '/v2/registry/{registry_name}/garbage-collection', reason: 'covered', note: 'the active collection: `registry_garbage_collections`' },
  { path: '/v2/registries/{registry_name}/garbage-collection', reason: 'covered', note: 'the active collection: `registry_garbage_collections`' },
  { path: '/v2/projects/default', reason: 'alias', note: 'the default project is in `projects`, is_default set' },
  { path: '/v2/projects/default/resources', reason: 'alias', note: '`project_resources` of the default project' },
  { path: '/v2/security/scans/latest', reason: 'alias', note: 'the newest of `security_scans`, its findings in `security_scan_findings`' },
  { path: '/v2/vpcs/{vpc_id}/peerings', reason: 'covered', note: 'one VPC\'s peerings: `vpc_peerings` lists them all' },
  { path: '/v2/droplets/{droplet_id}/backups/policy', reason: 'covered', note: 'one Droplet\'s policy: `droplet_backup_policies` lists them all' },
  { path: '/v2/droplets/{droplet_id}/destroy_with_associated_resources', reason: 'covered', note: 'a deletion preview of resources that are in their own streams' },
  { path: '/v2/kubernetes/clusters/{cluster_id}/destroy_with_associated_resources', reason: 'covered', note: 'a deletion preview of resources that are in their own streams' },
  { path: '/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/indexing_jobs', reason: 'covered', note: 'one knowledge base\'s jobs: `genai_indexing_jobs` lists them all' },
  { path: '/v2/gen-ai/workspaces/{workspace_uuid}/evaluation_test_cases', reason: 'covered', note: 'one workspace\'s test cases: `genai_evaluation_test_cases` lists them all' },
  { path: '/v2/gen-ai/anthropic/keys/{uuid}/agents', reason: 'covered', note: 'agents by key: each agent of `genai_agents` names its key' },
  { path: '/v2/gen-ai/openai/keys/{uuid}/agents', reason: 'covered', note: 'agents by key: each agent of `genai_agents` names its key' },
  { path: '/v2/gen-ai/evaluation_runs/{evaluation_run_uuid}', reason: 'one_record', note: '`genai_evaluation_runs`, listed per test case' },
  { path: '/v2/nfs/access_points/{access_point_id}', reason: 'one_record', note: '`nfs_access_points`, listed per share' },
  { path: '/v2/volumes/snapshots/{snapshot_id}', reason: 'one_record', note: '`volume_snapshots`, listed per Volume' },
  { path: '/v2/droplets/{droplet_id}/destroy_with_associated_resources/status', reason: 'operation', note: 'a Droplet deletion' },
  { path: '/v2/vector-databases/{id}/backups/{backup_id}/restore', reason: 'operation', note: 'a backup restore' },
  { path: '/v2/databases/{database_cluster_uuid}/schema-registry/{subject_name}/versions/{version}', reason: 'one_record', note: 'a past version of a subject, by number; the OpenAPI lists no versions' },
];

export type Placement =
  | { path: string; operationId: string; kind: 'stream'; streams: string[] }
  | { path: string; operationId: string; kind: 'excluded'; reason: ExclusionReason; note?: string }
  | { path: string; operationId: string; kind: 'not_read'; note: string };

export interface ApiCoverage {
  placements: Placement[];
  /** Inconsistencies: a stream path or a note that names no GET path, a note on a stream's path, a path nowhere. */
  problems: string[];
}

const normalise = (path: string): string => path.replace(/\{[^}]*\}/g, '{}');

/** Places every GET path: a stream's, excluded (by note, rule or as one record of a stream's list), or not read. */
export function classifyApi(paths: readonly GetPath[], streams: readonly StreamDef[], notes: readonly PathNote[] = PATH_NOTES): ApiCoverage {
  const problems: string[] = [];
  const known = new Set(paths.map((p) => p.path));
  const byNormal = new Map<string, StreamDef[]>();
  for (const def of streams) byNormal.set(normalise(def.path), [...(byNormal.get(normalise(def.path)) ?? []), def]);
  for (const def of streams) {
    if (!paths.some((p) => normalise(p.path) === normalise(def.path))) problems.push(`stream ${def.name}: GET ${def.path} is not in the OpenAPI`);
  }
  const noteOf = new Map(notes.map((n) => [n.path, n]));
  for (const note of notes) if (!known.has(note.path)) problems.push(`note on ${note.path}: no such GET path in the OpenAPI`);

  const placements = paths.map((p): Placement => {
    const readers = byNormal.get(normalise(p.path));
    const note = noteOf.get(p.path);
    if (readers) {
      if (note) problems.push(`note on ${p.path}: a stream reads it (${readers.map((d) => d.name).join(', ')})`);
      return { ...p, kind: 'stream', streams: readers.map((d) => d.name) };
    }
    if (note) return note.reason === 'not_read' ? { ...p, kind: 'not_read', note: note.note } : { ...p, kind: 'excluded', reason: note.reason, note: note.note };
    const rule = RULES.find((r) => r.pattern.test(p.path));
    if (rule) return { ...p, kind: 'excluded', reason: rule.reason };
    const list = /^(.*)\/\{[^}]+\}$/.exec(p.path)?.[1];
    const listReaders = list === undefined ? undefined : byNormal.get(normalise(list));
    if (listReaders) return { ...p, kind: 'excluded', reason: 'one_record', note: listReaders.map((d) => `\`${d.name}\``).join(', ') };
    problems.push(`GET ${p.path} (${p.operationId}) is neither a stream's, excluded, nor listed as not read: place it in scripts/api-coverage.ts`);
    return { ...p, kind: 'not_read', note: 'unplaced' };
  });
  return { placements, problems };
}

/** The count line and the list of every path that is not a stream's, grouped by reason. */
export function renderApiCoverage(coverage: ApiCoverage): string[] {
  const { placements } = coverage;
  const read = placements.filter((p) => p.kind === 'stream');
  const excluded = placements.filter((p): p is Extract<Placement, { kind: 'excluded' }> => p.kind === 'excluded');
  const notRead = placements.filter((p): p is Extract<Placement, { kind: 'not_read' }> => p.kind === 'not_read');
  const readable = placements.length - excluded.length;
  const lines = [
    `Against DigitalOcean's OpenAPI: ${read.length} of ${readable} readable collections are read by a stream ` +
      `(${placements.length} GET paths, ${excluded.length} excluded with their reason, ${notRead.length} not read yet).`,
    '',
    '<details><summary>GET paths of the OpenAPI that no stream reads, and why</summary>',
    '',
  ];
  for (const reason of Object.keys(REASONS) as ExclusionReason[]) {
    const group = excluded.filter((p) => p.reason === reason);
    if (group.length === 0) continue;
    lines.push(`- Excluded, ${REASONS[reason]} (${group.length}): ${group.map((p) => `\`${p.path}\`${p.note ? ` (${p.note})` : ''}`).join(', ')}`);
  }
  if (notRead.length > 0) lines.push(`- Not read yet (${notRead.length}): ${notRead.map((p) => `\`${p.path}\` (${p.note})`).join(', ')}`);
  lines.push('', '</details>');
  return lines;
}
