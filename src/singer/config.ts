/**
 * The tap's config, as the Singer SDK assembles it: `--config` files in order (a later one wins, key by
 * key), and `--config ENV` for settings from TAP_DIGITALOCEAN_<SETTING> variables, cast to the types
 * spec.json gives them (meltano/sdk, singer_sdk/configuration/_dict_config.py
 * `parse_environment_config`, at 136de07f). Settings only the Singer tap knows are taken out here;
 * the rest goes to parseConfig, the one validator.
 */
import { ConfigError } from '../config.js';
import { readJsonFile } from '../input-files.js';
import { loadSpec } from '../spec.js';

export const ENV_PREFIX = 'TAP_DIGITALOCEAN_';

/** Settings of the Singer tap alone: never sent to parseConfig (spec.json stays the Airbyte spec). */
export const SINGER_SETTINGS = {
  emit_activate_version_messages: {
    type: 'boolean',
    title: 'Emit ACTIVATE_VERSION messages',
    description:
      'For streams read in full (FULL_TABLE): send ACTIVATE_VERSION after each stream completes, so that a target that supports it can remove the rows the source no longer has. Off by default. A full table resumed after an interruption is not activated that run.',
    default: false,
  },
} as const;

export interface SingerOptions {
  activateVersion: boolean;
}

type Properties = Record<string, { type?: string | string[]; items?: { type?: string } }>;

/** The settings' JSON Schema: spec.json's, plus the Singer-only settings (for --about and the docs). */
export function settingsSchema(): Record<string, unknown> {
  const spec = loadSpec().connectionSpecification as { properties: Properties; required?: string[] };
  return { ...spec, properties: { ...spec.properties, ...SINGER_SETTINGS } };
}

function cast(name: string, text: string, type: string | undefined): unknown {
  const variable = `${ENV_PREFIX}${name.toUpperCase()}`;
  switch (type) {
    case 'integer': {
      if (!/^-?\d+$/.test(text.trim())) throw new ConfigError(`The environment variable ${variable} must be an integer.`);
      return Number.parseInt(text, 10);
    }
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError(`The environment variable ${variable} must be a number.`);
      return value;
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off', ''].includes(lower)) return false;
      throw new ConfigError(`The environment variable ${variable} must be true or false.`);
    }
    case 'array': {
      const trimmed = text.trim();
      if (trimmed.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(trimmed);
          if (Array.isArray(parsed)) return parsed;
        } catch {
          // reported below
        }
        throw new ConfigError(`The environment variable ${variable} must be a JSON array or a comma-separated list.`);
      }
      return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
    }
    case 'object': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`The environment variable ${variable} must be a JSON object.`);
      return parsed;
    }
    default:
      return text;
  }
}

/** Settings from TAP_DIGITALOCEAN_<SETTING> variables: only known settings, cast by their schema type. */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const properties = settingsSchema().properties as Properties;
  const config: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    const text = env[`${ENV_PREFIX}${name.toUpperCase()}`];
    if (text === undefined) continue;
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    config[name] = cast(name, text, type);
  }
  return config;
}

/** The merged raw config of every --config, in order, and the Singer-only options taken out of it. */
export async function loadSingerConfig(sources: readonly string[], env: NodeJS.ProcessEnv): Promise<{ raw: Record<string, unknown>; options: SingerOptions }> {
  const merged: Record<string, unknown> = {};
  for (const source of sources) {
    const part = source === 'ENV' ? configFromEnv(env) : await readJsonFile(source, 'config');
    if (part === null || typeof part !== 'object' || Array.isArray(part)) throw new ConfigError(`The config file '${source.slice(0, 300)}' must hold a JSON object.`);
    Object.assign(merged, part);
  }
  const { emit_activate_version_messages: activate, ...raw } = merged;
  if (activate !== undefined && activate !== null && typeof activate !== 'boolean') {
    throw new ConfigError("The config field 'emit_activate_version_messages' must be true or false.");
  }
  return { raw, options: { activateVersion: activate === true } };
}
