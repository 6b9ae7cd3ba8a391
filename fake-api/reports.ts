/**
 * Account-wide reports that are not a stream of this branch's table but that the connector reads as
 * evidence (see ParentLink.hints in src/streams/types.ts). Registered before the stream rows, so a row
 * with the same path (a later `droplet_neighbor_reports` stream) is answered by the same data.
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
