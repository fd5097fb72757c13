// What the install e2e test needs around the package: the CLI, a running `tagflow start`, the
// built editor, and Chromium. Builds run under the same locks as the CLI's and editor's own tests.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const packageRoot = path.resolve(__dirname, '..');
const repoRoot = path.resolve(packageRoot, '..', '..');
const cliRoot = path.dirname(require.resolve('tagflow/package.json', { paths: [packageRoot] }));
const editorRoot = path.join(repoRoot, 'editor');
export const cliBin = path.join(cliRoot, 'bin', 'tagflow.js');

/** Debian's Chromium (scripts/system-deps.sh installs it). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Compiles this package (`tsc -p tsconfig.build.json`) into dist, as `pnpm build` does. */
export function buildPackage(): void {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [packageRoot] });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: packageRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`building ${packageRoot} failed:\n${result.stdout}${result.stderr}`);
}

/** Makes sure the CLI is built and current, with the CLI tests' own helper and lock. */
export function ensureCliBuilt(): void {
  for (const dist of ['runtime/dist/index.js', 'nodes/core/dist/index.js', 'packages/flow-model/dist/index.js']) {
    if (!existsSync(path.join(repoRoot, dist)))
      throw new Error(`${dist} is missing: build first with pnpm exec turbo run build --filter=tagflow...`);
  }
  const helper = path.join(cliRoot, 'test', 'cli-process.ts');
  if (existsSync(helper)) (require(helper) as { ensureBuilt(): void }).ensureBuilt();
  if (!existsSync(path.join(cliRoot, 'dist', 'bin.js')))
    throw new Error(`${cliRoot}/dist is missing: build the CLI (pnpm --filter tagflow build)`);
}

/**
 * Builds the editor (`vite build`) when editor/dist is missing or older than its sources, holding
 * the lock the editor's e2e tests use, so one build runs at a time.
 */
export function ensureEditorBuilt(): void {
  const vite = path.join(editorRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite))
    throw new Error(`cannot build the editor: ${vite} is missing (pnpm install at the repository root)`);
  const lockParent = path.join(editorRoot, 'node_modules', '.cache');
  mkdirSync(lockParent, { recursive: true });
  const lock = path.join(lockParent, 'tagflow-e2e-build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock this old was left by a killed run.
      if (Date.now() - (mtime(lock) ?? Date.now()) > 300_000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    const built = mtime(path.join(editorRoot, 'dist', 'index.html'));
    const sources = Math.max(
      newestIn(path.join(editorRoot, 'src')),
      mtime(path.join(editorRoot, 'index.html')) ?? 0,
      mtime(path.join(editorRoot, 'vite.config.ts')) ?? 0,
    );
    if (built !== undefined && built >= sources) return;
    const result = spawnSync(process.execPath, [vite, 'build'], {
      cwd: editorRoot,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
      maxBuffer: 64 * 2 ** 20,
    });
    if (result.status !== 0)
      throw new Error(`building the editor (vite build in ${editorRoot}) failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Fails with what to do when Chromium is missing: never a silent skip. */
export function ensureChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run bash scripts/system-deps.sh (it installs Debian's chromium)`);
}

/** A `tagflow start` on port 0 with its own temporary data dir. */
export interface Runtime {
  url: string;
  token: string;
  dataDir: string;
  /** An admin API call with the admin token. */
  api(route: string, init?: RequestInit): Promise<Response>;
  output(): string;
  stop(): Promise<void>;
}

export async function startRuntime(): Promise<Runtime> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'oee-e2e-'));
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--no-node-snapshot', cliBin, 'start', '--data-dir', dataDir, '--port', '0'],
    {
      cwd: dataDir,
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const deadline = Date.now() + 20_000;
  while (!/admin API on (http\S+);/.test(stderr) || !/^admin token: (tf_\S+)$/m.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tagflow start did not start (exit ${child.exitCode}):\n${stdout}${stderr}`);
    }
    await sleep(20);
  }
  const url = (/admin API on (http\S+);/.exec(stderr) as RegExpExecArray)[1].replace(/\/$/, '');
  const token = (/^admin token: (tf_\S+)$/m.exec(stdout) as RegExpExecArray)[1];
  return {
    url,
    token,
    dataDir,
    api: (route, init = {}) =>
      fetch(url + route, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    output: () => stdout + stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs the CLI to the end; resolves with its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--no-node-snapshot', cliBin, ...args], {
    cwd,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `check` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function newestIn(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(full) : (mtime(full) ?? 0));
  }
  return newest;
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
