/**
 * The SBOM: `npm run sbom` (scripts/sbom.sh) and the image's /airbyte/integration_code/sbom.cdx.json
 * (the Dockerfile's deps stage) must list every production package, checked against
 * `npm ls --omit=dev --all`, and nothing else. npm's own `npm sbom --omit=dev` in a tree that holds
 * the dev dependencies leaves production packages out (npm/cli issue 7909): the reason for the copy.
 * The script's `npm ci` is served by the npm cache when it can be (prefer-offline).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { findBlock } from '../scripts/doc-blocks.js';
import { compareSbom, npmLsPackages, sbomPackages } from '../scripts/sbom-check.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
const npmEnv = { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' };

const work = mkdtempSync(join(tmpdir(), 'source-do-sbom-test-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

t.test('the comparison: every occurrence of an npm ls tree counts, scopes are CycloneDX groups', async (t) => {
  const tree = {
    dependencies: {
      a: { version: '1.0.0', dependencies: { c: { version: '3.0.0' } } },
      // npm lists a package once in full; elsewhere it is a "deduped" leaf, possibly met first.
      b: { version: '2.0.0', dependencies: { a: { version: '1.0.0' }, '@s/d': { version: '4.0.0', dependencies: { e: { version: '5.0.0' } } } } },
    },
  };
  t.same([...npmLsPackages(tree)].sort(), ['@s/d@4.0.0', 'a@1.0.0', 'b@2.0.0', 'c@3.0.0', 'e@5.0.0']);
  const bom = { bomFormat: 'CycloneDX', components: [{ name: 'a', version: '1.0.0' }, { group: '@s', name: 'd', version: '4.0.0' }, { name: 'x', version: '9.0.0' }] };
  t.same([...sbomPackages(bom)].sort(), ['@s/d@4.0.0', 'a@1.0.0', 'x@9.0.0']);
  t.same(compareSbom(bom, tree), { missing: ['b@2.0.0', 'c@3.0.0', 'e@5.0.0'], extra: ['x@9.0.0'], count: 3 });
  t.throws(() => compareSbom({ bomFormat: 'SPDX' }, tree), /not a CycloneDX document/);
});

t.test('npm run sbom: a CycloneDX document of exactly the production packages npm ls --omit=dev lists', async (t) => {
  t.equal(pkg.scripts.sbom, 'bash scripts/sbom.sh');
  const out = join(work, 'sbom.cdx.json');
  await run('bash', [join(ROOT, 'scripts/sbom.sh'), out], { cwd: ROOT, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
  const bom = JSON.parse(readFileSync(out, 'utf8')) as { bomFormat: string; specVersion: string; metadata: { component: { name: string; version: string; type: string } }; components: { name: string; group?: string; version: string }[] };
  t.equal(bom.bomFormat, 'CycloneDX');
  t.match(bom.specVersion, /^1\.\d+$/);
  t.match(bom.metadata.component, { name: pkg.name, version: pkg.version, type: 'application' }, 'the root component is the connector');
  const ls = await run('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: ROOT, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
  const { missing, extra, count } = compareSbom(bom, JSON.parse(ls.stdout));
  t.same(missing, [], 'no production package is missing');
  t.same(extra, [], 'no other package is listed');
  const names = new Set([...sbomPackages(bom)].map((p) => p.slice(0, p.lastIndexOf('@'))));
  for (const dep of Object.keys(pkg.dependencies)) t.ok(names.has(dep), `direct dependency ${dep} is listed`);
  for (const dev of Object.keys(pkg.devDependencies)) t.notOk(names.has(dev), `dev dependency ${dev} is not`);
  t.comment(`${count} components`);
});

t.test('the image makes its SBOM the same way, and ships it where the docs say', async (t) => {
  const dockerfile = read('Dockerfile');
  const script = read('scripts/sbom.sh');
  // The command itself, not a comment naming it: a RUN line of the Dockerfile, a line of its own in the script.
  const inDockerfile = /^RUN .*?(npm sbom [^>\n]+)/m.exec(dockerfile)?.[1].trim();
  const inScript = /^(npm sbom [^>\n]+)/m.exec(script)?.[1].trim();
  t.ok(inScript, 'the script runs npm sbom');
  t.equal(inDockerfile, inScript, 'the Dockerfile runs the same npm sbom command');
  for (const [name, text] of [['Dockerfile', dockerfile], ['scripts/sbom.sh', script]]) {
    t.match(text, /npm ci --omit=dev --ignore-scripts/, `${name}: production dependencies alone are installed`);
    t.match(text, /npm pkg delete devDependencies/, `${name}: the devDependencies are deleted before npm sbom (it refuses declared but absent ones)`);
  }
  t.match(dockerfile, /COPY --from=deps \S+\/sbom\.cdx\.json \/airbyte\/integration_code\/sbom\.cdx\.json/);
  t.match(read('docs/source-digitalocean.md'), '/airbyte/integration_code/sbom.cdx.json', 'the user docs name the path');
});

t.test("the docs' audit and scan block names real commands and the SBOM the block before it writes", async (t) => {
  // Not runnable here: the registry refuses npm audit from these machines and no scanner database is
  // reachable. The verify block before it is run by scripts/test-image.sh.
  const verify = findBlock('docs/source-digitalocean.md', 'Verify the image', 'bash', /docker image inspect/).text;
  const audit = findBlock('docs/source-digitalocean.md', 'Verify the image', 'bash', /^npm audit /m).text;
  const written = /docker cp "\$container:\/airbyte\/integration_code\/sbom\.cdx\.json" (\S+)/.exec(verify)?.[1];
  t.equal(written, 'sbom.cdx.json', 'the verify block copies the SBOM out of the image');
  t.match(audit, /^npm audit --omit=dev\b/m, 'npm audit of the production dependencies (npm audit takes --omit)');
  t.match(audit, `grype sbom:./${written}`, 'grype reads that SBOM (grype takes sbom:<path>)');
  t.match(audit, /^grype "\$IMAGE"/m, 'and the image');
  t.match(audit, /^trivy image "\$IMAGE"/m, 'trivy scans the image');
});
