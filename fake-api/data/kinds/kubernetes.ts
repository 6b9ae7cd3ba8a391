/** Kubernetes clusters; their node pools are listed both inside the cluster and on their own path. */
import { uuidKey } from '../keys.js';
import { defaultVpcKey } from '../links.js';
import { DAY_MS, REGIONS, SIZES, TIME_END, TIME_START, iso, publicIpv4, randomTime } from '../reference.js';
import { Rng, seedOf } from '../random.js';
import type { AccountView, JsonObject, KindTable } from '../types.js';

/** Node pools of cluster `clusterId`; nodes are droplets of the account, as on the real API. */
export function nodePools(account: AccountView, clusterId: string, clusterIndex: number, created: number): JsonObject[] {
  const rng = new Rng(seedOf(account.seed, 'node-pools', clusterId));
  const count = rng.int(1, 3);
  const droplets = Math.max(1, account.count('droplets'));
  const pools: JsonObject[] = [];
  for (let p = 0; p < count; p++) {
    const name = `${rng.pick(['default', 'frontend', 'backend', 'workers', 'gpu'])}-pool-${p}`;
    const size = rng.pick(SIZES).slug;
    const autoScale = rng.chance(0.4);
    const nodeCount = rng.int(1, 4);
    const nodes: JsonObject[] = [];
    for (let n = 0; n < nodeCount; n++) {
      const droplet = (clusterIndex * 31 + p * 7 + n) % droplets;
      nodes.push({
        id: rng.uuid(),
        name: `${name}-${rng.alnum(4)}`,
        status: { state: 'running' },
        droplet_id: String(account.key('droplets', droplet)),
        created_at: iso(created + DAY_MS),
        updated_at: iso(created + 2 * DAY_MS),
      });
    }
    pools.push({
      id: rng.uuid(),
      name,
      size,
      count: nodeCount,
      tags: ['k8s', `k8s:${clusterId}`, 'k8s:worker'],
      labels: rng.chance(0.5) ? { service: name.split('-')[0], priority: rng.pick(['high', 'low']) } : null,
      taints: [],
      auto_scale: autoScale,
      min_nodes: autoScale ? 1 : 0,
      max_nodes: autoScale ? nodeCount + 3 : 0,
      nodes,
    });
  }
  return pools;
}

export const kubernetesKinds: KindTable = {
  kubernetes_clusters: {
    count: ({ scale }) => Math.max(1, Math.ceil(scale / 25)),
    keys: { id: uuidKey },
    make: ({ index, f, rng, account, key }) => {
      const id = String(key('id'));
      const regionIndex = rng.int(0, REGIONS.length - 1);
      const created = randomTime(rng, TIME_START, TIME_END - 30 * DAY_MS);
      const minor = rng.int(29, 32);
      return {
        id,
        name: `${f.word.adjective()}-k8s-${index}`.toLowerCase().replace(/[^a-z0-9-]/g, ''),
        region: REGIONS[regionIndex].slug,
        version: `1.${minor}.${rng.int(1, 9)}-do.0`,
        cluster_subnet: '10.244.0.0/16',
        service_subnet: '10.245.0.0/16',
        vpc_uuid: String(defaultVpcKey(account, regionIndex)),
        ipv4: publicIpv4(rng),
        endpoint: `https://${id}.k8s.ondigitalocean.com`,
        tags: ['k8s', `k8s:${id}`],
        node_pools: nodePools(account, id, index, created),
        maintenance_policy: { start_time: `0${rng.int(0, 9)}:00`, duration: '4h0m0s', day: rng.pick(['any', 'sunday', 'saturday']) },
        auto_upgrade: rng.chance(0.5),
        status: { state: 'running', message: 'Cluster is running' },
        created_at: iso(created),
        updated_at: iso(created + rng.int(1, 20) * DAY_MS),
        surge_upgrade: true,
        registry_enabled: rng.chance(0.3),
        ha: rng.chance(0.3),
        control_plane_firewall: { enabled: false, allowed_addresses: [] },
      };
    },
  },

  kubernetes_node_pools: {
    count: ({ parent, account }) => nodePools(account, String(parent?.record.id), parent?.index ?? 0, Date.parse(String(parent?.record.created_at))).length,
    make: ({ index, parent, account }) =>
      nodePools(account, String(parent?.record.id), parent?.index ?? 0, Date.parse(String(parent?.record.created_at)))[index],
  },
};
