import type { StreamDef } from './types.js';

const checkChild = { stream: 'uptime_checks', keys: { check_id: 'id' } } as const;

export const uptimeStreams: readonly StreamDef[] = [
  {
    name: 'uptime_checks',
    resource: 'Uptime Checks',
    path: '/v2/uptime/checks',
    recordsKey: 'checks',
    shape: 'list',
    scope: 'uptime:read',
    primaryKey: ['id'],
    pagination: 'page',
    strip: [],
  },
  {
    name: 'uptime_check_states',
    resource: 'Uptime Check State',
    path: '/v2/uptime/checks/{check_id}/state',
    recordsKey: 'state',
    shape: 'object',
    scope: 'uptime:read',
    primaryKey: ['check_id'],
    parent: checkChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI check); live status, alerts carry the urgent part: 6 hours' },
    pagination: 'none',
    strip: [],
  },
  {
    name: 'uptime_check_alerts',
    resource: 'Uptime Alerts',
    path: '/v2/uptime/checks/{check_id}/alerts',
    recordsKey: 'alerts',
    shape: 'list',
    scope: 'uptime:read',
    primaryKey: ['check_id', 'id'],
    parent: checkChild,
    freshness: { kind: 'rotated', maxAgeHours: 24, evidence: 'no field of the parent is documented to change with this list (OpenAPI check): daily' },
    pagination: 'page',
    // Slack webhook URLs are bearer secrets; channels and e-mail addresses stay.
    strip: ['notifications.slack[].url'],
  },
];
