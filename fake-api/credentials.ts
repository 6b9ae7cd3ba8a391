/**
 * Endpoints that hand out credentials. A read-only connector must never call them; they exist here
 * so that a test can prove it (the server counts every call, per path, whatever the answer).
 */
import { Rng } from './data/random.js';
import { iso } from './data/reference.js';

export interface CredentialRoute {
  name: string;
  path: string;
  scope: string;
  /** The record the path's id must name (404 otherwise); absent: any id is accepted. */
  owner?: { stream: string; placeholder: string; field: string };
  render(params: Readonly<Record<string, string>>, rng: Rng): { contentType: string; body: string };
}

const JSON_TYPE = 'application/json; charset=utf-8';

export const CREDENTIAL_ROUTES: readonly CredentialRoute[] = [
  {
    name: 'kubernetes.kubeconfig',
    path: '/v2/kubernetes/clusters/{cluster_id}/kubeconfig',
    scope: 'kubernetes:access_cluster',
    owner: { stream: 'kubernetes_clusters', placeholder: 'cluster_id', field: 'id' },
    render: (params, rng) => {
      const id = params.cluster_id;
      const body = [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        `    certificate-authority-data: ${rng.base64(96)}`,
        `    server: https://${id}.k8s.ondigitalocean.com`,
        `  name: do-cluster-${id}`,
        'contexts:',
        '- context:',
        `    cluster: do-cluster-${id}`,
        `    user: do-cluster-${id}-admin`,
        `  name: do-cluster-${id}`,
        `current-context: do-cluster-${id}`,
        'kind: Config',
        'preferences: {}',
        'users:',
        `- name: do-cluster-${id}-admin`,
        '  user:',
        `    token: dop_v1_${rng.hex(64)}`,
        '',
      ].join('\n');
      return { contentType: 'application/yaml', body };
    },
  },
  {
    name: 'kubernetes.credentials',
    path: '/v2/kubernetes/clusters/{cluster_id}/credentials',
    scope: 'kubernetes:access_cluster',
    owner: { stream: 'kubernetes_clusters', placeholder: 'cluster_id', field: 'id' },
    render: (params, rng) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify({
        server: `https://${params.cluster_id}.k8s.ondigitalocean.com`,
        certificate_authority_data: rng.base64(96),
        client_certificate_data: null,
        client_key_data: null,
        token: `dop_v1_${rng.hex(64)}`,
        expires_at: iso(Date.UTC(2030, 0, 1)),
      }),
    }),
  },
  {
    name: 'databases.metrics_credentials',
    path: '/v2/databases/metrics/credentials',
    scope: 'database:view_credentials',
    render: (_params, rng) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify({ credentials: { basic_auth_username: `metrics-${rng.alnum(6)}`, basic_auth_password: rng.alnum(24) } }),
    }),
  },
  {
    name: 'vector_databases.credentials',
    path: '/v2/vector-databases/{vector_database_id}/credentials',
    scope: 'database:view_credentials',
    render: (params, rng) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify({ credentials: { id: params.vector_database_id, username: 'doadmin', password: rng.alnum(24), api_key: rng.hex(40) } }),
    }),
  },
];
