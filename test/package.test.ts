/**
 * The npm package as users get it: `npm pack` in a fresh copy of the repository (no dist/: the
 * `prepack` script must build it, as on a fresh clone), then installed with production dependencies
 * only into an empty project, and its `source-digitalocean` bin run. The copy shares this checkout's
 * node_modules (the README's `npm ci` step); the npm registry serves the dependencies of the install
 * (ky, ajv, ajv-formats, yargs). Packing a copy also keeps `prepack` from rebuilding the dist/ that the
 * other tests are running.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { findBlock } from '../scripts/doc-blocks.js';
import { parseLines } from './helpers/protocol.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};
/** npm's own progress and notices are not wanted; the registry settings of this machine are kept. */
const npmEnv = { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

const work = mkdtempSync(join(tmpdir(), 'source-do-pack-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

/** What a fresh clone lacks: build output, installed modules, local run output. */
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', '.git', '.tap', 'demo-output', 'bench-results', 'secrets']);

t.test("the docs' npm block on a fresh clone: npm pack builds dist/ (prepack), npm install -g the tarball, run the bin", async (t) => {
  const pkgJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.equal(pkgJson.scripts.prepack, 'npm run build', 'prepack builds');
  const clone = join(work, 'clone');
  cpSync(ROOT, clone, {
    recursive: true,
    filter: (src) => {
      const top = relative(ROOT, src).split(sep)[0];
      return !NOT_IN_A_CLONE.has(top) && !top.endsWith('.tgz');
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  t.notOk(existsSync(join(clone, 'dist')), 'the copy has no dist/');

  // The user docs' npm block, as written ("npm (the command line)" in docs/source-digitalocean.md), in
  // the copy, with a global prefix of its own. Its `npm ci` is the linked node_modules above (running it
  // would fetch every dev dependency again); everything else runs unchanged.
  const block = findBlock('docs/source-digitalocean.md', 'npm (the command line)', 'bash', /^npm pack/m);
  t.match(block.text, /^npm ci$/m, 'the block starts from npm ci');
  const prefix = join(work, 'prefix');
  const standIns = 'npm() { if [ "$*" = ci ]; then return 0; fi; command npm "$@"; }\n';
  const ran = await run('bash', ['-euo', 'pipefail', '-c', standIns + block.text], {
    cwd: clone,
    env: { ...npmEnv, npm_config_prefix: prefix, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` },
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = join(clone, `${pkg.name}-${pkg.version}.tgz`);
  t.ok(existsSync(tarball), `npm pack wrote ${pkg.name}-${pkg.version}.tgz, the name the docs install`);
  t.match(block.text, `npm install -g ./${pkg.name}-${pkg.version}.tgz`, 'the docs install that tarball');
  const listed = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  const files = listed.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  t.ok(files.filter((f) => f.startsWith('dist/src/')).length > 10, 'dist/src is packed (built by prepack)');

  t.ok(files.includes(pkg.bin['source-digitalocean']), 'the bin is packed');
  t.ok(files.includes('spec.json') && files.includes('package.json'), 'spec.json and package.json are packed');
  t.ok(files.filter((f) => /^schemas\/[a-z_]+\.json$/.test(f)).length > 0, 'the stream schemas are packed');
  const stray = files.filter((f) => /^(src|test|fake-api|scripts|integration_tests|secrets|docs|node_modules)\//.test(f) || /^dist\/(scripts|fake-api)\//.test(f) || f.endsWith('.ts'));
  t.same(stray, [], 'no sources, tests, fake API, scripts or secrets in the package');

  const installed = join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules');
  for (const dep of Object.keys(pkg.dependencies)) {
    t.doesNotThrow(() => readFileSync(join(installed, dep, 'package.json')), `dependency ${dep} is installed`);
  }
  t.throws(() => readFileSync(join(installed, 'typescript', 'package.json')), 'no dev dependency is installed');

  // The block's last command, `source-digitalocean spec`, ran from the PATH.
  const { messages, errors } = parseLines(ran.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n'));
  t.same(errors, [], 'spec prints valid protocol');
  t.equal(messages.length, 1, 'exactly one protocol line');
  t.equal(messages[0]?.type, 'SPEC', 'a SPEC');
  t.same(messages[0]?.spec, JSON.parse(readFileSync(join(ROOT, 'spec.json'), 'utf8')), 'the packed spec.json');

  const bin = join(prefix, 'bin', 'source-digitalocean');
  const version = await run(bin, ['--version'], { cwd: work, env: { PATH: process.env.PATH ?? '' } });
  t.equal(version.stdout, `${pkg.version}\n`, '--version prints the package version');
});
