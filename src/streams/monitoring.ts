import type { StreamDef } from './types.js';

export const monitoringStreams: readonly StreamDef[] = [
  {
    name: 'monitoring_alert_policies',
    resource: 'Alert Policies',
    path: '/v2/monitoring/alerts',
    recordsKey: 'policies',
    shape: 'list',
    scope: 'monitoring:read',
    primaryKey: ['uuid'],
    pagination: 'page',
    // Slack webhook URLs are bearer secrets; channels and e-mail addresses stay.
    strip: ['alerts.slack[].url'],
  },
  {
    // A sink is a destination plus the resources forwarding to it; it has no id of its own (the
    // destination's id is nested), so no primary key.
    name: 'monitoring_sinks',
    resource: 'Monitoring Sinks',
    path: '/v2/monitoring/sinks',
    recordsKey: 'sinks',
    shape: 'list',
    scope: 'monitoring:read',
    primaryKey: [],
    pagination: 'none',
    strip: ['destination.config.credentials'],
  },
  {
    // The OpenAPI says this list omits credentials; stripped in case it ever carries them.
    name: 'monitoring_sink_destinations',
    resource: 'Monitoring Sink Destinations',
    path: '/v2/monitoring/sinks/destinations',
    recordsKey: 'destinations',
    shape: 'list',
    scope: 'monitoring:read',
    primaryKey: ['id'],
    pagination: 'none',
    strip: ['config.credentials'],
  },
];
