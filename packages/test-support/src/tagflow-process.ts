import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliBin as repoCliBin } from './repo-builds';
import { sleep } from './until';

/** What a finished `tagflow` process did. */
export interface TagflowResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Where and how to run the CLI. */
export interface TagflowSpawnOptions {
  /** Working directory (relative paths in the arguments are read from it). */
  cwd: string;
  /** Set over the test's own environment; FORCE_COLOR is 0 unless given. */
  env?: NodeJS.ProcessEnv;
  /** The launcher to run; default this repository's packages/cli/bin/tagflow.js. */
  cliBin?: string;
}

/** Starts the real CLI as its launcher does (`node --no-node-snapshot bin/tagflow.js ...args`); streams are utf8. */
export function spawnTagflow(args: readonly string[], options: TagflowSpawnOptions): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--no-node-snapshot', options.cliBin ?? repoCliBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

/** Collects everything a started process prints, until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<TagflowResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the real CLI to its end, e.g. `await runTagflow(['validate', 'flow.json'], { cwd })`. */
export function runTagflow(args: readonly string[], options: TagflowSpawnOptions): Promise<TagflowResult> {
  return finished(spawnTagflow(args, options));
}

/** How to start `tagflow start`. */
export interface StartTagflowOptions extends Partial<TagflowSpawnOptions> {
  /** Default a new temporary folder. The cwd defaults to it too. */
  dataDir?: string;
  /** Default 0: the system picks a free one, read back from the log. */
  port?: number;
  /** More arguments, e.g. `['--flow', 'flow.json']`. */
  args?: readonly string[];
  /** How long it may take to listen (default 20 s). */
  timeoutMs?: number;
  /**
   * How to tell that it listens: its start line on stderr (default), or a 200 from `/healthz` on
   * 127.0.0.1:`port` (which must then be given) for a log too quiet to say so (`--log-level warn`).
   */
  readyBy?: 'log' | 'healthz';
}

/** A running `tagflow start`. */
export interface TagflowProcess {
  /** The admin API and editor, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** The first admin token, printed once on a data dir's first start; undefined on later starts. */
  token: string | undefined;
  dataDir: string;
  child: ChildProcessWithoutNullStreams;
  /** All it printed on stdout so far. */
  stdout(): string;
  /** All it printed on stderr so far (the log). */
  stderr(): string;
  /** An admin API call with the first admin token, e.g. `await rt.api('/api/flow')`. */
  api(route: string, init?: RequestInit): Promise<Response>;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

const ADMIN_URL = /admin API on (http\S+);/;
const ADMIN_TOKEN = /^admin token: (tf_\S+)$/m;
// Logged on stderr before the URL line when a token is printed on stdout: stderr's order then
// tells whether to wait for the token, which travels on the other pipe.
const TOKEN_NOTICE = /This admin token is shown once/;
const running = new Set<TagflowProcess>();

/** Starts `tagflow start` and resolves once its admin API listens (and its first token, if any, is read). */
export async function startTagflow(options: StartTagflowOptions = {}): Promise<TagflowProcess> {
  const byHealthz = options.readyBy === 'healthz';
  if (byHealthz && !options.port) throw new Error('startTagflow: readyBy "healthz" needs a port');
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'tagflow-test-'));
  mkdirSync(dataDir, { recursive: true });
  const child = spawnTagflow(
    ['start', '--data-dir', dataDir, '--port', String(options.port ?? 0), ...(options.args ?? [])],
    { cwd: options.cwd ?? dataDir, env: options.env, cliBin: options.cliBin },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: string) => (stdout += c));
  child.stderr.on('data', (c: string) => (stderr += c));
  const base = `http://127.0.0.1:${options.port}`;
  const ready = async () =>
    byHealthz
      ? fetch(`${base}/healthz`).then(
          (res) => res.ok,
          () => false,
        )
      : ADMIN_URL.test(stderr) && (!TOKEN_NOTICE.test(stderr) || ADMIN_TOKEN.test(stdout));
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (!(await ready())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tagflow start did not start (exit ${child.exitCode}):\n${stdout}${stderr}`);
    }
    await sleep(20);
  }
  const url = byHealthz ? base : (ADMIN_URL.exec(stderr) as RegExpExecArray)[1].replace(/\/$/, '');
  const token = ADMIN_TOKEN.exec(stdout)?.[1];
  const started: TagflowProcess = {
    url,
    token,
    dataDir,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    api: (route, init = {}) =>
      fetch(url + route, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    async stop() {
      running.delete(started);
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  running.add(started);
  return started;
}

/** Stops every `tagflow start` this test file started and did not stop (for `afterAll`). */
export async function stopAllTagflow(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop()));
}
