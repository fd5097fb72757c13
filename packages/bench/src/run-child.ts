// Starting the benchmark's child processes, each with a deadline, and talking to them over IPC.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildConfig, ChildResult } from './nodered-reference';
import { processTree } from './process-tree';
import { isNodeRed } from './systems';
import type { System } from './systems';

export type { System } from './systems';

/** A message a child sends: a result, an error, or a progress mark such as `first` or `sent`. */
export type ChildMessage = { type: string; [key: string]: unknown };

/** Seconds as the failure lines say them: `60 s`, `1.5 s`. */
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** A child that was still running at its deadline (or past a wait's own limit); it has been killed. */
export class DeadlineError extends Error {
  constructor(
    readonly label: string,
    readonly deadlineMs: number,
    output: string,
    waitingFor?: string,
  ) {
    super(
      `${label} timed out after ${seconds(deadlineMs)}${waitingFor ? ` waiting for "${waitingFor}"` : ''}, killed\n${output}`,
    );
    this.name = 'DeadlineError';
  }
}

/**
 * Sends `signal` to `pids` (a process tree listed beforehand: once its root is gone, the kernel no
 * longer says which processes were under it); one already gone is skipped.
 */
export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

/** Whether `pid` still runs (a zombie, ended but not yet reaped, does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH')
      return false;
    throw err;
  }
}

/** Resolves once none of `pids` runs, or after `limitMs` (a process stuck in the kernel). */
async function untilGone(pids: number[], limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (pids.some(running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** `pid` and every process under it, or none when it is gone. */
function treeOf(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return processTree(pid);
  } catch (err) {
    // The root may end while its tree is read.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return [];
    throw err;
  }
}

const NODE_RED_CHILD = join(__dirname, '..', 'nodered', 'nr-child.cjs');

/**
 * The script each system's child runs, and the arguments after its config: every Node-RED release
 * runs the same nr-child.cjs, told which release to load (the built script is used also when this
 * module runs from src/ under Jest).
 */
export function childScript(system: System): { script: string; args: string[] } {
  if (isNodeRed(system)) return { script: NODE_RED_CHILD, args: [system] };
  return { script: join(__dirname, '..', 'dist', 'tagflow-child.js'), args: [] };
}

/**
 * The Node.js flags each system's embedded child runs with: tagflow's engine turns the start-up
 * snapshot off, for isolated-vm (figure 6 has a function node), as the engine process of
 * `tagflow start` does; Node-RED needs nothing.
 */
export function nodeFlags(system: System): string[] {
  return isNodeRed(system) ? [] : ['--no-node-snapshot'];
}

/**
 * The flags before tagflow's launcher (bin/tagflow.js), as its users start it: none (`#!/usr/bin/env
 * node`); the processes that may run isolated-vm add --no-node-snapshot themselves (`tagflow run`
 * starts again with it when its flow needs it).
 */
export const LAUNCHER_FLAGS: string[] = [];

/**
 * A running child: every message it sent so far, and a way to wait for one. At its deadline it is
 * killed with every process under it (SIGTERM first when `graceMs` is given, SIGKILL after it),
 * and whatever waits on it fails with a DeadlineError: a stuck child never stalls the run, and one
 * that ignores SIGTERM or leaves processes behind is still ended.
 */
export class Child {
  readonly messages: ChildMessage[] = [];
  private output = '';
  private readonly waiters: Array<{ type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }> =
    [];
  private timedOut: { ms: number; waitingFor?: string } | undefined;
  /** The tree as it was when the child was asked to end: what SIGKILL ends if it does not. */
  private tree: number[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  /** Its exit code, once it and what it was asked to end with it (the tree) are gone. */
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    readonly process: ChildProcess,
    readonly deadlineMs: number,
    readonly graceMs = 0,
  ) {
    // A failed spawn, kill or send is an 'error' event: without a listener it would end the run.
    process.on('error', (err) => (this.output = `${this.output}\n${label}: ${err.message}`.slice(-4000)));
    process.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    process.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    process.on('message', (m: ChildMessage) => {
      this.messages.push(m);
      for (const w of this.waiters.filter((x) => x.type === m.type || m.type === 'error')) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        if (m.type === 'error' && w.type !== 'error')
          w.reject(new Error(`${label} failed: ${String(m.error)}\n${this.output}`));
        else w.resolve(m);
      }
    });
    this.timers.push(setTimeout(() => this.expire(deadlineMs), deadlineMs));
    this.exited = new Promise((resolve) =>
      process.on('exit', (code) => {
        for (const t of this.timers.splice(0)) clearTimeout(t);
        for (const w of this.waiters.splice(0)) w.reject(this.endError(`before sending "${w.type}"`));
        // Whatever it left running (a broker, a runtime's engine process) ends with it, and is gone
        // (its port free) before the next measurement starts: SIGKILL is delivered asynchronously.
        const leftBehind = this.tree.slice(1);
        signalAll(leftBehind, 'SIGKILL');
        void untilGone(leftBehind, 5_000).then(() => resolve(code));
      }),
    );
  }

  private get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Time is up (the deadline, or a wait's own limit): ends the child and its tree. */
  private expire(ms: number, waitingFor?: string): void {
    if (!this.running || this.timedOut) return;
    this.timedOut = { ms, waitingFor };
    this.end(this.graceMs);
  }

  /** SIGTERM to the child (SIGKILL at once when `graceMs` is 0), then SIGKILL to its whole tree after `graceMs`. */
  private end(graceMs: number): void {
    this.tree = treeOf(this.process.pid);
    if (graceMs <= 0) return signalAll(this.tree, 'SIGKILL');
    this.process.kill('SIGTERM');
    const kill = setTimeout(
      () => signalAll([...new Set([...this.tree, ...treeOf(this.process.pid)])], 'SIGKILL'),
      graceMs,
    );
    this.timers.push(kill);
  }

  /** Why the child is gone: its deadline passed (a DeadlineError), or it exited on its own. */
  endError(what: string): Error {
    if (this.timedOut) return new DeadlineError(this.label, this.timedOut.ms, this.output, this.timedOut.waitingFor);
    return new Error(
      `${this.label} exited (${this.process.signalCode ? `signal ${this.process.signalCode}` : `code ${this.process.exitCode}`}) ${what}\n${this.output}`,
    );
  }

  /**
   * The first message of `type` (already received or still to come); rejects on an error, an exit or
   * the deadline. With `withinMs`, the child is also ended (and this rejects with a DeadlineError)
   * when the message has not come that long after the call: a wait with its own limit inside the
   * child's deadline (plain mqtt.js waiting for confirmations, say).
   */
  waitFor<T extends ChildMessage = ChildMessage>(type: string, withinMs?: number): Promise<T> {
    const seen = this.messages.find((m) => m.type === type);
    if (seen) return Promise.resolve(seen as T);
    const failed = this.messages.find((m) => m.type === 'error');
    if (failed) return Promise.reject(new Error(`${this.label} failed: ${String(failed.error)}\n${this.output}`));
    if (!this.running) return Promise.reject(this.endError(`before sending "${type}"`));
    if (withinMs !== undefined) this.timers.push(setTimeout(() => this.expire(withinMs, type), withinMs));
    return new Promise((resolve, reject) =>
      this.waiters.push({ type, resolve: resolve as (m: ChildMessage) => void, reject }),
    );
  }

  /** Sends over IPC; to a child that is gone (its channel closed) nothing is sent, and nothing fails. */
  send(message: object): void {
    if (this.process.connected) this.process.send(message, (err) => err && this.process.emit('error', err));
  }

  /**
   * Asks the child to end (children remove their temporary files on SIGTERM), and kills it with
   * every process under it after 2 s.
   */
  async kill(): Promise<void> {
    if (this.running) this.end(2_000);
    await this.exited;
  }
}

/** What forkChild needs besides the script. */
export interface ForkOptions {
  /** Killed after this long, whatever it is doing. */
  deadlineMs: number;
  nodeFlags?: string[];
  /** Passed after the JSON arguments. */
  extraArgs?: string[];
}

/** Forks a script with an IPC channel; `args` are passed as JSON in argv[2]. */
export function forkChild(label: string, script: string, args: object, o: ForkOptions): Child {
  const child = fork(script, [JSON.stringify(args), ...(o.extraArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: o.nodeFlags ?? [],
  });
  return new Child(label, child, o.deadlineMs);
}

/** Forks a fresh child of `system` running `cfg` (its result or progress is read with waitFor). */
export function forkSystem(system: System, cfg: ChildConfig, deadlineMs: number): Child {
  const { script, args } = childScript(system);
  return forkChild(system, script, cfg, { deadlineMs, nodeFlags: nodeFlags(system), extraArgs: args });
}

/**
 * A child's deadline: `defaultMs`, or BENCH_DEADLINE_MS for every child when set (a slower machine,
 * or a test that wants every child timed out).
 */
export function deadline(defaultMs: number): number {
  const override = Number(process.env.BENCH_DEADLINE_MS);
  return override > 0 ? override : defaultMs;
}

/**
 * How long a measurement's child may take before it is killed: its own time-out (after which it
 * reports what it counted) plus a minute for start-up and reporting.
 */
export function deadlineFor(cfg: ChildConfig): number {
  const own =
    cfg.mode === 'rate' ? (cfg.seconds ?? 5) * 1000 + 5_000 : cfg.mode === 'cold' ? 0 : (cfg.timeoutMs ?? 120_000);
  return deadline(own + 60_000);
}

/** Runs one measurement in a fresh child of `system` and returns its result, or throws (DeadlineError at the deadline). */
export async function runSystem(system: System, cfg: ChildConfig, deadlineMs = deadlineFor(cfg)): Promise<ChildResult> {
  const child = forkSystem(system, cfg, deadlineMs);
  try {
    return await child.waitFor<ChildResult & ChildMessage>('result');
  } finally {
    // It exits by itself once it has reported (removing its temporary files); the deadline stands.
    await child.exited;
  }
}
