/**
 * Writes src/generated/config-validator.ts: spec.json's connectionSpecification compiled by ajv ahead of
 * time (ajv's standalone code), so that no run of the connector loads ajv's compiler or compiles the
 * schema. Both cost about 60 ms of every start-up, a twentieth of a small sync.
 *
 *   npm run build && npm run generate:config-validator
 *
 * test/config.test.ts fails when the committed file differs from what this writes for the current spec.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { packageRoot } from '../src/paths.js';

export const CONFIG_VALIDATOR_PATH = join('src', 'generated', 'config-validator.ts');

/** The module's text for a connection specification. */
export function configValidatorSource(connectionSpecification: object): string {
  const ajv = new Ajv({ strict: false, allErrors: false, code: { source: true, esm: true, optimize: true } });
  formats.default(ajv);
  const code = standaloneCode.default(ajv, ajv.compile(connectionSpecification));
  return [
    '// @ts-nocheck',
    '// Generated from spec.json by scripts/generate-config-validator.ts (npm run generate:config-validator). Do not edit.',
    // ajv's ES module output still reaches its few runtime helpers (string length, date-time) through require.
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    code,
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = packageRoot();
  const spec = JSON.parse(readFileSync(join(root, 'spec.json'), 'utf8')) as { connectionSpecification: object };
  writeFileSync(join(root, CONFIG_VALIDATOR_PATH), configValidatorSource(spec.connectionSpecification));
  console.log(`wrote ${CONFIG_VALIDATOR_PATH}`);
}
