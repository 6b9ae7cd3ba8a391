import type { StreamDef } from './types.js';

/** Account & Billing, billing side (the account itself is in account.ts). */
export const billingStreams: readonly StreamDef[] = [
  {
    // The body is the record: month_to_date_balance, account_balance, month_to_date_usage, generated_at.
    // One record per account and no field that names it, so no primary key.
    name: 'balance',
    resource: 'Balance',
    path: '/v2/customers/my/balance',
    recordsKey: null,
    shape: 'object',
    scope: 'billing:read',
    primaryKey: [],
    pagination: 'none',
    strip: [],
  },
  {
    // An append-only ledger with no id: invoice_uuid is set on invoice entries only, so no primary key.
    // Paged although the OpenAPI declares no page parameter: godo billing_history.go BillingHistory
    // carries links and meta, and doctl (do/billing_history.go) pages it at 200.
    name: 'billing_history',
    resource: 'Billing History',
    path: '/v2/customers/my/billing_history',
    recordsKey: 'billing_history',
    shape: 'list',
    scope: 'billing:read',
    primaryKey: [],
    pagination: 'page',
    cursor: { field: 'date', kind: 'datetime' },
    strip: [],
  },
  {
    // Issued invoices only: the body's separate invoice_preview (the running month) is not a record.
    // No cursor: invoice_period is a "YYYY-MM" string, not a date-time, and updated_at is only set on
    // the preview. One invoice a month makes a full refresh cheap.
    name: 'invoices',
    resource: 'Invoices',
    path: '/v2/customers/my/invoices',
    recordsKey: 'invoices',
    shape: 'list',
    scope: 'billing:read',
    primaryKey: ['invoice_uuid'],
    pagination: 'page',
    strip: [],
  },
  {
    // Day-over-day usage per SKU: the only endpoint DigitalOcean filters by date on the server. The path
    // takes the account's URN and a date range of at most 31 days, which the engine walks.
    name: 'billing_insights',
    resource: 'Billing Insights',
    path: '/v2/billing/{account_urn}/insights/{start_date}/{end_date}',
    recordsKey: 'data_points',
    shape: 'list',
    scope: 'billing:read',
    // No field or combination of fields is documented as unique per data point.
    primaryKey: [],
    parent: { stream: 'account', keys: { account_urn: 'team.uuid' }, format: { account_urn: 'do:team:{}' } },
    pagination: 'total_pages',
    cursor: { field: 'start_date', kind: 'datetime' },
    dateWindows: { start: 'start_date', end: 'end_date', maxDays: 31, lookbackDays: 90 },
    strip: [],
  },
  {
    // The lines of one invoice (GET /v2/customers/my/invoices/{uuid}). No field or combination of fields
    // is documented as unique per line (a resource may appear on several lines), so there is no key.
    name: 'invoice_items',
    resource: 'Invoice Items',
    path: '/v2/customers/my/invoices/{invoice_uuid}',
    recordsKey: 'invoice_items',
    shape: 'list',
    scope: 'billing:read',
    primaryKey: [],
    parent: { stream: 'invoices', keys: { invoice_uuid: 'invoice_uuid' } },
    freshness: { kind: 'rotated', maxAgeHours: 168, evidence: 'an issued invoice does not change (OpenAPI invoices: one per billing period): weekly' },
    pagination: 'page',
    strip: [],
  },
  {
    // The body is the record: totals per category, the billing address and e-mail (contact data, not
    // credentials: kept, as the account stream keeps its e-mail).
    name: 'invoice_summaries',
    resource: 'Invoice Summaries',
    path: '/v2/customers/my/invoices/{invoice_uuid}/summary',
    recordsKey: null,
    shape: 'object',
    scope: 'billing:read',
    primaryKey: ['invoice_uuid'],
    parent: { stream: 'invoices', keys: { invoice_uuid: 'invoice_uuid' } },
    freshness: { kind: 'rotated', maxAgeHours: 168, evidence: 'an issued invoice does not change (OpenAPI invoices: one per billing period): weekly' },
    pagination: 'none',
    strip: [],
  },
];
