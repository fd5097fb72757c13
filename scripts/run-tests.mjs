// Runs the type-check of every package, the lint of every package and the format check of the
// tree, then every package's Jest tests in one Jest run, and prints one closing line for the whole
// suite: `N passed, N failed` (a failed type-check, lint or format check counts as one failure).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);

const typecheck = spawnSync(bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
const typecheckFailed = typecheck.status !== 0;
if (typecheckFailed) console.error('type-check failed (see above)');

// The lint and format gate: each that fails counts as one failed test.
const lint = spawnSync(bin('turbo'), ['run', 'lint', '--output-logs=errors-only', '--continue'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
const format = spawnSync(bin('prettier'), ['--check', '--log-level=warn', '.'], { cwd: root, stdio: 'inherit' });
const gateFailures = [
  lint.status !== 0 && 'lint failed (see above; run `pnpm lint`, and `pnpm exec eslint --fix .` for what it can fix)',
  format.status !== 0 && 'format check failed: the files above are not formatted (run `pnpm exec prettier --write .`)',
].filter(Boolean);
for (const message of gateFailures) console.error(message);

const groups = ['packages', 'nodes', 'examples'];
const projects = [
  'runtime',
  'editor',
  ...groups.flatMap((g) => readdirSync(join(root, g)).map((d) => `${g}/${d}`)),
].filter((dir) => existsSync(join(root, dir, 'jest.config.js')));
// The benchmark's smoke run (packages/bench) loads both cores for a minute: it runs after the
// others, alone, so that it does not slow down the tests that wait on real peers and timers.
const benchmark = 'packages/bench';
const runs = [projects.filter((p) => p !== benchmark), projects.filter((p) => p === benchmark)].filter(
  (group) => group.length > 0,
);

let passed = 0;
let failed = gateFailures.length;
let jestFailed = false;
for (const group of runs) {
  const resultFile = join(mkdtempSync(join(tmpdir(), 'tagflow-tests-')), 'results.json');
  const jest = spawnSync(
    bin('jest'),
    [
      '--projects',
      ...group,
      '--maxWorkers=2',
      '--json',
      `--outputFile=${resultFile}`,
      '--passWithNoTests',
      ...process.argv.slice(2),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      // isolated-vm (the function node) needs Node's startup snapshot off; CLI processes the tests
      // spawn inherit it too.
      env: {
        ...process.env,
        FORCE_COLOR: process.env.FORCE_COLOR ?? '0',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-node-snapshot`.trim(),
      },
    },
  );
  if (jest.status !== 0) jestFailed = true;
  if (existsSync(resultFile)) {
    const results = JSON.parse(readFileSync(resultFile, 'utf8'));
    passed += results.numPassedTests;
    // A suite that fails to load counts as one failure: it would otherwise vanish from the count.
    failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
  } else {
    failed += 1;
  }
}
if (typecheckFailed) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(!jestFailed && !typecheckFailed && failed === 0 ? 0 : 1);
