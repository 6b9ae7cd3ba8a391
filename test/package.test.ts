/**
 * The npm package as users get it: `npm pack` in a fresh copy of the repository (no dist/: the
 * `prepack` script must build it, as on a fresh clone), then installed with production dependencies
 * only into an empty project, and its `source-digitalocean` bin run. The copy shares this checkout's
 * node_modules (the README's `npm ci` step); the npm registry serves the dependencies of the install
 * (ky, ajv, ajv-formats, yargs). Packing a copy also keeps `prepack` from rebuilding the dist/ that the
 * other tests are running.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
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

t.test('npm pack on a fresh clone builds dist/ (prepack), install --omit=dev, run the bin', async (t) => {
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

  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: clone, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
  // The prepack script's own output (npm's banner, tsc) may come before npm's JSON.
  const [info] = JSON.parse(packed.stdout.slice(Math.max(0, packed.stdout.search(/^\[/m)))) as { filename: string; files: { path: string }[] }[];
  const files = info.files.map((f) => f.path);
  t.ok(files.filter((f) => f.startsWith('dist/src/')).length > 10, 'dist/src is packed (built by prepack)');

  t.ok(files.includes(pkg.bin['source-digitalocean']), 'the bin is packed');
  t.ok(files.includes('spec.json') && files.includes('package.json'), 'spec.json and package.json are packed');
  t.ok(files.filter((f) => /^schemas\/[a-z_]+\.json$/.test(f)).length > 0, 'the stream schemas are packed');
  const stray = files.filter((f) => /^(src|test|fake-api|scripts|integration_tests|secrets|docs|node_modules)\//.test(f) || /^dist\/(scripts|fake-api)\//.test(f) || f.endsWith('.ts'));
  t.same(stray, [], 'no sources, tests, fake API, scripts or secrets in the package');

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-probe', version: '1.0.0', private: true }));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(work, info.filename)], {
    cwd: project,
    env: npmEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
  const installed = join(project, 'node_modules');
  for (const dep of Object.keys(pkg.dependencies)) {
    t.doesNotThrow(() => readFileSync(join(installed, dep, 'package.json')), `dependency ${dep} is installed`);
  }
  t.throws(() => readFileSync(join(installed, 'typescript', 'package.json')), 'no dev dependency is installed');

  const bin = join(installed, '.bin', 'source-digitalocean');
  const spec = await run(bin, ['spec'], { cwd: project, env: { PATH: process.env.PATH ?? '' } });
  const { messages, errors } = parseLines(spec.stdout);
  t.same(errors, [], 'spec prints valid protocol');
  t.equal(messages.length, 1, 'exactly one line');
  t.equal(messages[0]?.type, 'SPEC', 'a SPEC');
  t.same(messages[0]?.spec, JSON.parse(readFileSync(join(ROOT, 'spec.json'), 'utf8')), 'the packed spec.json');
  t.equal(spec.stderr, '', 'nothing on stderr');

  const version = await run(bin, ['--version'], { cwd: project, env: { PATH: process.env.PATH ?? '' } });
  t.equal(version.stdout, `${pkg.version}\n`, '--version prints the package version');
});
