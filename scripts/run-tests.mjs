// Runs the type-check of every package, the lint of every package and the format check of the
// tree, then every package's Jest tests in one Jest run, and prints one closing line for the whole
// suite: `N passed, N failed, N skipped` (a failed type-check, lint or format check counts as one
// failure; so does a project, or a whole run, that executed no test).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
// TAGFLOW_TEST_PASS=again (test.sh's pass on the second Node.js): only the packages whose behaviour
// depends on the Node.js running them run again: the runtime (engine, supervisor and its child
// process, admin server), nodes/core (the function sandbox, isolated-vm, a native addon built for
// that Node.js) and nodes/historian (node:sqlite, the SQLite inside that Node.js). The gates (same
// compiler, same files), the browser tests (Chromium runs the page), the CLI and connector
// end-to-end tests and the benchmark ran in the first pass. So did the runtime's package-install
// tests: they time npm and pnpm child processes (~300 s of the ~770 s this pass took), the same npm
// on both passes, and the historian's tests of its network backends (PostgreSQL, InfluxDB: a socket
// and a driver in plain JavaScript; ~30 s of the pass's ~100 s of suites), whose local store does
// run again.
// This keeps CI within its 20 minutes on 2 cores.
const again = process.env.TAGFLOW_TEST_PASS === 'again';
const againIgnored = again
  ? [
      '/node_modules/',
      '/dist/',
      '/runtime/test/packages/',
      '/nodes/historian/test/(historian-stall|historian-outage|historian-out-failures|influx-store|postgres-store)',
    ].map((p) => `--testPathIgnorePatterns=${p}`)
  : [];
const skippedGate = { status: 0 };

const typecheck = again
  ? skippedGate
  : spawnSync(bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
const typecheckFailed = typecheck.status !== 0;
if (typecheckFailed) console.error('type-check failed (see above)');

// The lint and format gate: each that fails counts as one failed test.
const lint = again
  ? skippedGate
  : spawnSync(bin('turbo'), ['run', 'lint', '--output-logs=errors-only', '--continue'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
const format = again
  ? skippedGate
  : spawnSync(bin('prettier'), ['--check', '--log-level=warn', '.'], { cwd: root, stdio: 'inherit' });
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
const againProjects = ['runtime', 'nodes/core', 'nodes/historian'];
const runs = (
  again
    ? [projects.filter((p) => againProjects.includes(p))]
    : [projects.filter((p) => p !== benchmark), projects.filter((p) => p === benchmark)]
).filter((group) => group.length > 0);

// Options and arguments that select tests: with them a project may rightly have none to run.
const selecting = [
  '-t',
  '--testNamePattern',
  '--testPathPattern',
  '--testPathPatterns',
  '--selectProjects',
  '-o',
  '--onlyChanged',
  '-f',
  '--onlyFailures',
  '--lastCommit',
  '--changedSince',
  '--findRelatedTests',
  '--shard',
];
const jestArgs = process.argv.slice(2);
const filtered = jestArgs.some((a) => !a.startsWith('-') || selecting.some((o) => a === o || a.startsWith(`${o}=`)));

let passed = 0;
let failed = gateFailures.length;
let skipped = 0;
let ran = 0;
let jestFailed = false;
for (const group of runs) {
  const resultFile = join(mkdtempSync(join(tmpdir(), 'tagflow-tests-')), 'results.json');
  const jest = spawnSync(
    bin('jest'),
    // --passWithNoTests: a run or project without tests is judged below, the same way in every case.
    [
      '--projects',
      ...group,
      '--maxWorkers=2',
      '--json',
      `--outputFile=${resultFile}`,
      '--passWithNoTests',
      ...againIgnored,
      ...jestArgs,
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
  if (!existsSync(resultFile)) {
    console.error(`error: Jest left no results for ${group.join(', ')} (exit ${jest.status ?? jest.signal})`);
    failed += 1;
    continue;
  }
  const results = JSON.parse(readFileSync(resultFile, 'utf8'));
  passed += results.numPassedTests;
  // A suite that fails to load counts as one failure: it would otherwise vanish from the count.
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
  skipped += results.numPendingTests + results.numTodoTests;
  ran += results.numPassedTests + results.numFailedTests;
  if (filtered) continue;
  // Every project must run at least one test: one without test files, or whose tests were all
  // skipped, would otherwise pass silently. A suite that failed to load is already a failure.
  const active = new Set();
  for (const file of results.testResults) {
    const project = group.find((p) => file.name.startsWith(join(root, p, sep)));
    const ranHere = file.assertionResults.some((a) => a.status === 'passed' || a.status === 'failed');
    if (project !== undefined && (ranHere || file.status === 'failed')) active.add(project);
  }
  for (const project of group.filter((p) => !active.has(p))) {
    console.error(`error: no test ran in ${project} (no test file, or every test skipped)`);
    failed += 1;
  }
}
// A run that executed no test at all proves nothing, whatever selected the tests.
if (ran === 0) {
  console.error('error: no test ran');
  failed += 1;
}
if (typecheckFailed) failed += 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(!jestFailed && !typecheckFailed && failed === 0 ? 0 : 1);
