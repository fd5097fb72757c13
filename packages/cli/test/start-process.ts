import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fixtures } from './cli-process';

/** The CLI's entry point, as users run it. */
export const bin = path.resolve(__dirname, '..', 'bin', 'tagflow.js');

/** A running `tagflow start`, with everything it printed so far. */
export interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

const children: ChildProcessWithoutNullStreams[] = [];

/** Kills what a test file started and left running (call in `afterAll`). */
export function killStarted(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Starts `tagflow start` on a free port and waits until its admin API listens (it says so on stderr). */
export async function start(dataDir: string, ...args: string[]): Promise<Started> {
  return startWith({}, dataDir, ...args);
}

/** `start` with extra environment variables. */
export async function startWith(env: Record<string, string>, dataDir: string, ...args: string[]): Promise<Started> {
  const s = spawnStart(env, dataDir, '--port', '0', ...args);
  const deadline = Date.now() + 20_000;
  while (!/admin API on (http\S+);/.test(s.stderr())) {
    if (s.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`tagflow start did not start: ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { ...s, url: (/admin API on (http\S+);/.exec(s.stderr()) as RegExpExecArray)[1] };
}

/** Spawns `tagflow start --data-dir <dir> ...args` without waiting for anything. */
export function spawnStart(env: Record<string, string>, dataDir: string, ...args: string[]): Omit<Started, 'url'> {
  const child = spawn(process.execPath, ['--no-node-snapshot', bin, 'start', '--data-dir', dataDir, ...args], {
    cwd: fixtures,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

/** Sends SIGTERM and resolves with the exit code. */
export async function stop(s: Pick<Started, 'child'>): Promise<number | null> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  s.child.kill('SIGTERM');
  return new Promise((ok) => s.child.once('exit', (code) => ok(code)));
}

/** A GET on the admin API with a bearer token. */
export const get = (s: Pick<Started, 'url'>, route: string, token: string): Promise<Response> =>
  fetch(`${s.url}${route}`, { headers: { Authorization: `Bearer ${token}` } });

/** The admin token a first start printed on stdout. */
export function adminToken(s: Pick<Started, 'stdout'>): string {
  return (/^admin token: (tf_\S+)$/m.exec(s.stdout()) as RegExpExecArray)[1];
}
