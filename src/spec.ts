import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

export interface ConnectorSpecification {
  documentationUrl: string;
  connectionSpecification: Record<string, unknown>;
}

let cached: ConnectorSpecification | undefined;

/** spec.json, read once: the one source of the config's schema and its defaults. */
export function loadSpec(): ConnectorSpecification {
  cached ??= JSON.parse(readFileSync(join(packageRoot(), 'spec.json'), 'utf8')) as ConnectorSpecification;
  return cached;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
