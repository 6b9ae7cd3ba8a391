/**
 * Compares a CycloneDX SBOM with `npm ls --omit=dev --all --json`: every production package (name and
 * version) must be a component, and no other package may be. Prints a one-line summary; exits 1 on a
 * difference. Used by scripts/test-image.sh on the image's SBOM and by test/sbom.test.ts.
 *
 *   node dist/scripts/sbom-check.js SBOM.json NPM-LS.json
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface NpmLsNode {
  version?: string;
  dependencies?: Record<string, NpmLsNode>;
}

interface CycloneDx {
  bomFormat?: string;
  specVersion?: string;
  metadata?: { component?: { name?: string; version?: string } };
  components?: { name?: string; group?: string; version?: string; purl?: string }[];
}

/** name@version of every package in an `npm ls --all --json` tree (each once, however often it appears). */
export function npmLsPackages(tree: NpmLsNode): Set<string> {
  const found = new Set<string>();
  const stack: Record<string, NpmLsNode>[] = [tree.dependencies ?? {}];
  while (stack.length > 0) {
    for (const [name, node] of Object.entries(stack.pop() as Record<string, NpmLsNode>)) {
      if (node.version === undefined) continue;
      found.add(`${name}@${node.version}`);
      // Every occurrence: the first one met may be a "deduped" leaf whose dependencies are listed elsewhere.
      if (node.dependencies) stack.push(node.dependencies);
    }
  }
  return found;
}

/** name@version of every component of a CycloneDX document; npm puts a scope in `group`. */
export function sbomPackages(bom: CycloneDx): Set<string> {
  return new Set((bom.components ?? []).map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`));
}

export interface SbomComparison {
  missing: string[];
  extra: string[];
  count: number;
}

export function compareSbom(bom: CycloneDx, tree: NpmLsNode): SbomComparison {
  if (bom.bomFormat !== 'CycloneDX') throw new Error(`not a CycloneDX document (bomFormat ${String(bom.bomFormat)})`);
  const expected = npmLsPackages(tree);
  const listed = sbomPackages(bom);
  return {
    missing: [...expected].filter((p) => !listed.has(p)).sort(),
    extra: [...listed].filter((p) => !expected.has(p)).sort(),
    count: listed.size,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [sbomPath, lsPath] = process.argv.slice(2);
  if (!sbomPath || !lsPath) {
    console.error('usage: node dist/scripts/sbom-check.js SBOM.json NPM-LS.json');
    process.exit(2);
  }
  const bom = JSON.parse(readFileSync(sbomPath, 'utf8')) as CycloneDx;
  const { missing, extra, count } = compareSbom(bom, JSON.parse(readFileSync(lsPath, 'utf8')) as NpmLsNode);
  if (missing.length > 0 || extra.length > 0) {
    console.log(`${missing.length} production package(s) missing (${missing.slice(0, 10).join(', ')}), ${extra.length} not production (${extra.slice(0, 10).join(', ')})`);
    process.exit(1);
  }
  console.log(`${count} components, CycloneDX ${bom.specVersion ?? '?'}, exactly the production packages of npm ls --omit=dev`);
}
