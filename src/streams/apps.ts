import type { StreamDef } from './types.js';

/**
 * Secret values of an app spec. `..spec` matches every spec in the record: an app carries its own
 * spec plus those of its active, in-progress, pending and pinned deployments; a deployment carries one.
 * Env var names, registry names, log destination names and header names stay.
 *
 * A log destination may also be a plain HTTP endpoint with headers (godo apps.gen.go
 * `AppLogDestinationSpec.Endpoint`, `.Headers[]` of `{key, value}`; the OpenAPI omits both): the header
 * values are typically `Authorization: Bearer …`, and such an endpoint URL is often itself the
 * credential (an HTTP intake URL with its token in the path), as a Slack webhook URL is. The
 * provider endpoints (papertrail, datadog, open_search) name public intake hosts and stay.
 *
 * Kept, with the credential detector behind them: `git.repo_clone_url` (OpenAPI `apps_git_source_spec`:
 * the clone URL of a public repository, e.g. https://github.com/digitalocean/sample-golang.git; private
 * repositories go through the github/gitlab/bitbucket sources, which carry no credential), so only a
 * URL with a token in its user info is a secret, and the detector removes that; `domains[].certificate`
 * (godo `AppDomainSpec.Certificate`, undocumented): a certificate, by name or PEM, is what the server shows
 * every client; a private key pasted there is removed by the detector.
 */
const APP_SPEC_SECRETS = [
  '..spec..envs[].value',
  '..spec..image.registry_credentials',
  '..spec..log_destinations..api_key',
  '..spec..log_destinations..token',
  '..spec..log_destinations..basic_auth.password',
  '..spec..log_destinations[].headers[].value',
  '..spec..log_destinations[].endpoint',
];

const appChild = { stream: 'apps', keys: { app_id: 'id' } } as const;

export const appStreams: readonly StreamDef[] = [
  {
    name: 'apps',
    resource: 'Apps',
    path: '/v2/apps',
    recordsKey: 'apps',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['id'],
    pagination: 'page',
    // Without it project_id stays empty (OpenAPI GET /v2/apps `with_projects`).
    query: { with_projects: 'true' },
    strip: APP_SPEC_SECRETS,
  },
  {
    // A deployment changes phase while it runs, then stays fixed: updated_at moves with it.
    name: 'app_deployments',
    resource: 'App Deployments',
    path: '/v2/apps/{app_id}/deployments',
    recordsKey: 'deployments',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['app_id', 'id'],
    parent: appChild,
    freshness: { kind: 'changeHinted', maxAgeHours: 6, changedBy: ['last_deployment_created_at', 'active_deployment.id', 'in_progress_deployment.id', 'pending_deployment.id'], evidence: 'OpenAPI app.last_deployment_created_at "The creation time of the last deployment" and the active/in_progress/pending_deployment objects change whenever a deployment is created or changes phase; a 6-hour backstop for a deployment\'s later fields' },
    pagination: 'page',
    cursor: { field: 'updated_at', kind: 'datetime' },
    strip: APP_SPEC_SECRETS,
  },
  {
    name: 'app_alerts',
    resource: 'App Alerts',
    path: '/v2/apps/{app_id}/alerts',
    recordsKey: 'alerts',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['app_id', 'id'],
    parent: appChild,
    freshness: { kind: 'rotated', maxAgeHours: 24, changedBy: ['updated_at'], evidence: 'no field of the parent is documented to change with this list (OpenAPI app); alert policies come from the app spec, so also at once when the app\'s updated_at ("Time of the app\'s last configuration update") changes: daily otherwise' },
    pagination: 'none',
    // Slack webhook URLs are bearer secrets; the channel names stay.
    strip: ['slack_webhooks[].url'],
  },
  {
    name: 'app_instances',
    resource: 'App Instances',
    path: '/v2/apps/{app_id}/instances',
    recordsKey: 'instances',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['app_id', 'instance_name'],
    parent: appChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, changedBy: ['active_deployment.id'], evidence: 'no field of the parent is documented to change with this list (OpenAPI app); instances follow the active deployment (re-read when it changes) and scaling: 6 hours' },
    pagination: 'none',
    strip: [],
  },
  {
    // The OpenAPI's schema and godo (apps.go appHealthRoot) wrap the record in `app_health`; the
    // OpenAPI's own example (components.examples.app_health) puts `components` at the top level.
    name: 'app_health',
    resource: 'App Health',
    path: '/v2/apps/{app_id}/health',
    recordsKey: 'app_health',
    shape: 'object',
    bareRecordFields: ['components', 'functions_components'],
    scope: 'app:read',
    primaryKey: ['app_id'],
    parent: appChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI app); live status: 6 hours' },
    pagination: 'none',
    strip: [],
  },
  {
    name: 'app_regions',
    resource: 'App Regions',
    path: '/v2/apps/regions',
    recordsKey: 'regions',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['slug'],
    pagination: 'none',
    strip: [],
  },
  {
    // The body's discount_percent sits beside the list and is not part of any record.
    name: 'app_instance_sizes',
    resource: 'App Instance Sizes',
    path: '/v2/apps/tiers/instance_sizes',
    recordsKey: 'instance_sizes',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['slug'],
    pagination: 'none',
    strip: [],
  },
  {
    // Deployment and autoscaling events. A deployment event embeds the deployment, spec included: the
    // spec's secret values go as they do for apps.
    name: 'app_events',
    resource: 'App Events',
    path: '/v2/apps/{app_id}/events',
    recordsKey: 'events',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['app_id', 'id'],
    parent: appChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, changedBy: ['last_deployment_created_at'], evidence: 'no field of the parent is documented to change with this list (OpenAPI app); append-only, kept by its cursor; deployments raise events, so also at once when one is created: 6 hours' },
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime' },
    strip: APP_SPEC_SECRETS,
  },
  {
    // An invocation moves from PENDING/RUNNING to a final phase: while one is open the cursor waits
    // below it. The manual trigger names the user (uuid, e-mail), not a credential.
    name: 'app_job_invocations',
    resource: 'App Job Invocations',
    path: '/v2/apps/{app_id}/job-invocations',
    recordsKey: 'job_invocations',
    shape: 'list',
    scope: 'app:read',
    primaryKey: ['app_id', 'id'],
    parent: appChild,
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI app); append-only, kept by its cursor: 6 hours' },
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime', openWhile: { field: 'phase', values: ['PENDING', 'RUNNING'] } },
    strip: [],
  },
];
