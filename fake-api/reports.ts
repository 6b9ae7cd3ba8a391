/**
 * Account-wide reports whose wire shape is not a list of objects: the neighbors report is a list of
 * arrays of Droplet ids (the droplet_neighbor_reports row reads each array as a record with `itemField`,
 * and droplet_neighbors' fan-out hint reads that stream). Registered before the stream rows.
 */
import { neighborGroups } from './data/links.js';
import type { AccountView, JsonObject } from './data/types.js';

export interface ReportRoute {
  path: string;
  scope: string;
  render(account: AccountView): JsonObject;
}

export const REPORT_ROUTES: readonly ReportRoute[] = [
  {
    // "an array of arrays. Each array will contain a set of Droplet IDs for Droplets that share a
    // physical server" (OpenAPI operation droplets_list_neighborsIds).
    path: '/v2/reports/droplet_neighbors_ids',
    scope: 'droplet:read',
    render: (account) => ({ neighbor_ids: neighborGroups(account) }),
  },
];
