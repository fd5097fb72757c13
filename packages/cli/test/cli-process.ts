import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const packageRoot = path.resolve(__dirname, '..');
const bin = path.join(packageRoot, 'bin', 'tagflow.js');
/** Fixture flows and node packages; also the working directory of every spawned CLI. */
export const fixtures = path.join(__dirname, 'fixtures');

/** What a finished `tagflow` process did. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One record of the JSON log `tagflow start` and `tagflow run` write on stderr when it is not a terminal. */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  time: string;
  msg: string;
  node?: string;
  resource?: string;
  [field: string]: unknown;
}

/** Every line of `stderr` as a log record; throws on a line that is not a JSON log record. */
export function logLines(stderr: string): LogLine[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as LogLine;
      if (typeof record.level !== 'string' || typeof record.time !== 'string' || typeof record.msg !== 'string')
        throw new Error(`not a log record: ${line}`);
      return record;
    });
}

/** Runs the real CLI (`node bin/tagflow.js ...args`) in the fixtures folder and waits for it to exit. */
export function runCli(args: string[]): Promise<CliResult> {
  return finished(startCli(args));
}

/** Starts the real CLI; the caller reads its streams and waits with `finished`. */
export function startCli(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: fixtures,
    env: { ...process.env, TAGFLOW_LOG_LEVEL: 'info', FORCE_COLOR: '0' },
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

/** Collects everything a started CLI prints, until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with the stdout lines seen so far once `count` complete lines have been printed. */
export function stdoutLines(child: ChildProcessWithoutNullStreams, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: string) => {
      text += chunk;
      const lines = text.split('\n').slice(0, -1);
      if (lines.length >= count) {
        child.stdout.off('data', onData);
        resolve(lines);
      }
    };
    child.stdout.on('data', onData);
    child.on('close', (code) =>
      reject(new Error(`tagflow exited (code ${code}) after ${text.split('\n').length - 1} lines`)),
    );
  });
}

/**
 * Builds the CLI if `dist` is missing or older than `src`, so the tests always run the current
 * code as users run it. Test files run in parallel: a lock folder makes one of them build, the
 * others wait for it.
 */
export function ensureBuilt(): void {
  // Staleness is checked only while holding the lock: during another file's build, dist/bin.js can
  // already be new while the rest of dist is still being written.
  mkdirSync(path.join(packageRoot, 'dist'), { recursive: true });
  const lock = path.join(packageRoot, 'dist', '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A build takes seconds; a lock this old was left by a test run that was killed.
      if (Date.now() - (mtime(lock) ?? Date.now()) > 120_000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!isStale()) return;
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: packageRoot,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`building the CLI failed:\n${tsc.stdout}${tsc.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isStale(): boolean {
  const built = mtime(path.join(packageRoot, 'dist', 'bin.js'));
  return built === undefined || newestIn(path.join(packageRoot, 'src')) > built;
}

function newestIn(dir: string): number {
  let newest = 0;
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
