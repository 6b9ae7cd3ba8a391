import type { StreamDef } from './types.js';

/** Sizes & Regions, 1-Click Applications and Add-Ons: mostly DigitalOcean's own catalog data. */
export const referenceStreams: readonly StreamDef[] = [
  {
    // The OpenAPI lists sizes:read and regions:read for this path.
    name: 'sizes',
    resource: 'Sizes',
    path: '/v2/sizes',
    recordsKey: 'sizes',
    shape: 'list',
    scope: 'sizes:read',
    primaryKey: ['slug'],
    pagination: 'page',
    strip: [],
  },
  {
    name: 'regions',
    resource: 'Regions',
    path: '/v2/regions',
    recordsKey: 'regions',
    shape: 'list',
    scope: 'regions:read',
    primaryKey: ['slug'],
    pagination: 'page',
    strip: [],
  },
  {
    name: 'one_click_apps',
    resource: '1-Click Apps',
    path: '/v2/1-clicks',
    recordsKey: '1_clicks',
    shape: 'list',
    scope: null,
    primaryKey: ['slug', 'type'],
    pagination: 'none',
    strip: [],
  },
  {
    name: 'addon_apps',
    resource: 'Add-On Apps',
    path: '/v2/add-ons/apps',
    recordsKey: 'apps',
    shape: 'list',
    scope: null,
    primaryKey: ['app_slug'],
    pagination: 'none',
    strip: [],
  },
  {
    // The account's add-on resources. sso_url is a single sign-on link to the vendor: treated as a secret.
    name: 'addon_resources',
    resource: 'SaaS Add-Ons',
    path: '/v2/add-ons/saas',
    recordsKey: 'resources',
    shape: 'list',
    scope: 'addon:read',
    primaryKey: ['uuid'],
    pagination: 'none',
    strip: ['sso_url'],
  },
];
