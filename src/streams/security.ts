import type { StreamDef } from './types.js';

/**
 * DigitalOcean's own security posture scanning (CSPM): scans, each scan's findings, each finding's
 * affected resources, and the account's scan settings. Shapes from the OpenAPI (security_list_scans,
 * security_get_scan, security_list_scan_finding_affected_resources, security_list_settings) and godo's
 * security.go (Scan, ScanFinding, AffectedResource). Nothing here is a secret.
 */
export const securityStreams: readonly StreamDef[] = [
  {
    // A scan is IN_PROGRESS until it ends (COMPLETED, FAILED, …); while one is open the cursor waits
    // below it, so its final status is read again.
    name: 'security_scans',
    resource: 'Security Scans',
    path: '/v2/security/scans',
    recordsKey: 'scans',
    shape: 'list',
    scope: 'security:read',
    primaryKey: ['id'],
    pagination: 'page',
    cursor: { field: 'created_at', kind: 'datetime', openWhile: { field: 'status', values: ['IN_PROGRESS'] } },
    strip: [],
  },
  {
    // GET /v2/security/scans/{id} answers { scan: { id, status, created_at, findings: [...] } }: the
    // findings are the records. A finding carries no uuid of its own, only `rule_uuid` (one finding per
    // rule per scan), which is what the affected-resources path's {finding_uuid} takes.
    // The endpoint takes page/per_page but its body declares no links: one page of up to 200 is read,
    // and links are followed if the API sends them.
    name: 'security_scan_findings',
    resource: 'Security Scan Findings',
    path: '/v2/security/scans/{scan_id}',
    recordsKey: 'scan.findings',
    shape: 'list',
    scope: 'security:read',
    primaryKey: ['scan_id', 'rule_uuid'],
    parent: { stream: 'security_scans', keys: { scan_id: 'id' } },
    freshness: { kind: 'rotated', maxAgeHours: 24, evidence: 'no field of the parent is documented to change with this list (OpenAPI scan): daily' },
    pagination: 'page',
    strip: [],
  },
  {
    // A grandchild (scans → findings → affected resources): the finding records carry their injected
    // scan_id, so both placeholders come from the finding.
    name: 'security_finding_affected_resources',
    resource: 'Security Finding Affected Resources',
    path: '/v2/security/scans/{scan_id}/findings/{finding_uuid}/affected_resources',
    recordsKey: 'affected_resources',
    shape: 'list',
    scope: 'security:read',
    primaryKey: ['scan_id', 'finding_uuid', 'urn'],
    parent: { stream: 'security_scan_findings', keys: { scan_id: 'scan_id', finding_uuid: 'rule_uuid' } },
    pagination: 'page',
    strip: [],
  },
  {
    // One object: { settings: { suppressions }, tier_coverage, plan_downgrades }. page/per_page page the
    // suppressions inside it (default 20): the largest page is asked for, and the body is one record.
    name: 'security_settings',
    resource: 'Security Settings',
    path: '/v2/security/settings',
    recordsKey: null,
    shape: 'object',
    scope: 'security:read',
    primaryKey: [],
    pagination: 'none',
    query: { per_page: '200' },
    strip: [],
  },
];
