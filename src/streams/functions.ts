import type { StreamDef } from './types.js';

export const functionStreams: readonly StreamDef[] = [
  {
    name: 'functions_namespaces',
    resource: 'Namespaces',
    path: '/v2/functions/namespaces',
    recordsKey: 'namespaces',
    shape: 'list',
    scope: 'function:read',
    primaryKey: ['uuid'],
    pagination: 'none',
    // `key` authenticates to the namespace together with its uuid.
    strip: ['key'],
  },
  {
    // DigitalOcean's path names the placeholder namespace_id; its value is the namespace's `namespace`.
    name: 'functions_triggers',
    resource: 'Triggers',
    path: '/v2/functions/namespaces/{namespace}/triggers',
    recordsKey: 'triggers',
    shape: 'list',
    scope: 'function:read',
    primaryKey: ['namespace', 'name'],
    parent: { stream: 'functions_namespaces', keys: { namespace: 'namespace' } },
    freshness: { kind: 'rotated', maxAgeHours: 24, evidence: 'no field of the parent is documented to change with this list (OpenAPI namespace_info): daily' },
    pagination: 'none',
    // The payload a scheduled trigger sends to its function: arbitrary user data (credentials included).
    strip: ['scheduled_details.body'],
  },
  {
    // Who can call a namespace's functions: a key that never expires or was never used is a finding.
    // DigitalOcean asks function:admin even to list them (OpenAPI functionsAccessKey_list). The secret
    // is shown on create only (godo functions.go FunctionsAccessKey.Secret): stripped should it appear.
    name: 'functions_access_keys',
    resource: 'Namespace Access Keys',
    path: '/v2/functions/namespaces/{namespace}/keys',
    recordsKey: 'access_keys',
    shape: 'list',
    scope: 'function:admin',
    primaryKey: ['namespace', 'id'],
    parent: { stream: 'functions_namespaces', keys: { namespace: 'namespace' } },
    freshness: { kind: 'rotated', maxAgeHours: 6, evidence: 'no field of the parent is documented to change with this list (OpenAPI namespace_info); who may call a namespace is a security signal: 6 hours' },
    pagination: 'none',
    strip: ['secret'],
  },
];
