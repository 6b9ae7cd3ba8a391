import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `start` that holds a package.json. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json found at or above ${start}`);
  }
}

let root: string | undefined;

/**
 * The directory holding package.json, spec.json and schemas/. Found by walking up because this file runs
 * from src/ under tap, from dist/src/ after a build, and from node_modules/<pkg>/dist/src/ once installed.
 */
export function packageRoot(): string {
  root ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return root;
}
