/**
 * Projects and their resources. Resource r of each kind belongs to project r mod P (links.ts), so a
 * project's resources are computed, not stored, and every urn points at a record the API serves.
 */
import { uuidKey } from '../keys.js';
import type { KeyValue } from '../keys.js';
import { accountUuids } from './account.js';
import { DAY_MS, iso, randomTime } from '../reference.js';
import type { AccountView, KindSpec, KindTable } from '../types.js';

/** Streams whose records are assigned to projects, with their urn prefix and API path. */
const ASSIGNABLE: ReadonlyArray<{ stream: string; urn: string; path: string }> = [
  { stream: 'droplets', urn: 'droplet', path: 'droplets' },
  { stream: 'volumes', urn: 'volume', path: 'volumes' },
  { stream: 'kubernetes_clusters', urn: 'kubernetes', path: 'kubernetes/clusters' },
  { stream: 'database_clusters', urn: 'dbaas', path: 'databases' },
  { stream: 'domains', urn: 'domain', path: 'domains' },
  { stream: 'load_balancers', urn: 'loadbalancer', path: 'load_balancers' },
];

function inProject(total: number, project: number, projects: number): number {
  return total > project ? Math.floor((total - 1 - project) / projects) + 1 : 0;
}

/** The k-th resource of project p: walk the kinds in order, each contributing its share. */
function resourceAt(account: AccountView, project: number, k: number): { urn: string; self: string; key: KeyValue } | undefined {
  const projects = Math.max(1, account.count('projects'));
  let rest = k;
  for (const a of ASSIGNABLE) {
    const n = inProject(account.count(a.stream), project, projects);
    if (rest < n) {
      const key = account.key(a.stream, project + rest * projects);
      return { urn: `do:${a.urn}:${key}`, self: `https://api.digitalocean.com/v2/${a.path}/${key}`, key };
    }
    rest -= n;
  }
  return undefined;
}

const resources: KindSpec = {
  count: ({ parent, account }) => {
    const projects = Math.max(1, account.count('projects'));
    const p = parent?.index ?? 0;
    return ASSIGNABLE.reduce((sum, a) => sum + inProject(account.count(a.stream), p, projects), 0);
  },
  make: ({ index, rng, parent, account }) => {
    const r = resourceAt(account, parent?.index ?? 0, index);
    return {
      urn: r?.urn ?? '',
      assigned_at: iso(randomTime(rng)),
      links: { self: r?.self ?? '' },
      status: 'ok',
    };
  },
};

export const projectKinds: KindTable = {
  projects: {
    count: ({ scale }) => Math.max(1, Math.ceil(scale / 100)),
    keys: { id: uuidKey },
    make: ({ index, f, rng, account, key }) => {
      const created = randomTime(rng);
      return {
        id: String(key('id')),
        owner_uuid: accountUuids(account.seed).uuid,
        owner_id: 1_000_000 + (account.seed % 9_000_000),
        name: index === 0 ? 'first-project' : `${f.word.adjective()}-${f.word.noun()}-${index}`.toLowerCase().replace(/[^a-z0-9-]/g, ''),
        description: f.company.catchPhrase(),
        purpose: rng.pick(['Web Application', 'Service or API', 'Operational / Developer tooling', 'Just trying out DigitalOcean']),
        environment: rng.pick(['Development', 'Staging', 'Production']),
        created_at: iso(created),
        updated_at: iso(created + rng.int(0, 90) * DAY_MS),
        is_default: index === 0,
      };
    },
  },
  project_resources: resources,
};
