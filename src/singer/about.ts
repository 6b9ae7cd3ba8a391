/**
 * `--about`: what the tap is, in the Singer SDK's three formats (meltano/sdk, singer_sdk/about.py at
 * 136de07f: text, json with name/description/version/capabilities/settings, markdown). The Meltano Hub
 * definition in meltano-hub/ must agree with it (test/singer/hub.test.ts).
 */
import { packageVersion } from '../spec.js';
import { ENV_PREFIX, settingsSchema } from './config.js';

export const TAP_NAME = 'tap-digitalocean';

/** What the tap implements, in the Hub's capability names. */
export const CAPABILITIES = ['about', 'activate-version', 'catalog', 'discover', 'properties', 'state'] as const;

export interface About {
  name: string;
  description: string;
  version: string;
  capabilities: string[];
  settings: Record<string, unknown>;
  env_var_prefix: string;
}

export function about(): About {
  return {
    name: TAP_NAME,
    description: 'Singer tap for the DigitalOcean API v2 (and Spaces), on the same engine as the Airbyte source source-digitalocean: composite keys intact.',
    version: packageVersion(),
    capabilities: [...CAPABILITIES],
    settings: settingsSchema(),
    env_var_prefix: ENV_PREFIX,
  };
}

type Property = { type?: string | string[]; description?: string; default?: unknown; airbyte_secret?: boolean };

function typeOf(schema: Property): string {
  return Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
}

function properties(info: About): [string, Property][] {
  return Object.entries((info.settings.properties ?? {}) as Record<string, Property>);
}

export function formatAbout(info: About, format: string): string {
  if (format === 'json') return JSON.stringify(info, null, 2);
  const required = new Set((info.settings.required ?? []) as string[]);
  if (format === 'markdown') {
    const rows = properties(info).map(([name, s]) => {
      const fallback = s.default === undefined ? 'None' : JSON.stringify(s.default);
      return `| ${name} | ${required.has(name) ? 'True' : 'False'} | ${fallback} | ${(s.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, '<BR/>')} |`;
    });
    return [
      `# \`${info.name}\``,
      '',
      info.description,
      '',
      `Version: ${info.version}`,
      '',
      '## Capabilities',
      '',
      ...info.capabilities.map((c) => `* \`${c}\``),
      '',
      '## Settings',
      '',
      '| Setting | Required | Default | Description |',
      '|:--------|:--------:|:-------:|:------------|',
      ...rows,
      '',
      `A full list of supported settings and capabilities is available by running: \`${info.name} --about\``,
      '',
      `Settings can also be read from environment variables (\`--config ENV\`): \`${info.env_var_prefix}<SETTING>\`, e.g. \`${info.env_var_prefix}API_TOKEN\`.`,
    ].join('\n');
  }
  const lines = [`Name: ${info.name}`, `Version: ${info.version}`, 'Capabilities:', ...info.capabilities.map((c) => `  - ${c}`), 'Settings:'];
  for (const [name, s] of properties(info)) {
    lines.push(`  - Name: ${name}`, `    Type: ${typeOf(s)}`, `    Environment Variable: ${info.env_var_prefix}${name.toUpperCase()}`);
  }
  return lines.join('\n');
}
