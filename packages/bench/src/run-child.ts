// Starting the benchmark's child processes, each with a deadline, and talking to them over IPC.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildConfig, ChildResult } from './nodered-reference';
import { isNodeRed } from './systems';
import type { System } from './systems';

export type { System } from './systems';

/** A message a child sends: a result, an error, or a progress mark such as `first` or `sent`. */
export type ChildMessage = { type: string; [key: string]: unknown };

/** A child that was still running at its deadline; it has been killed. */
export class DeadlineError extends Error {
  constructor(
    readonly label: string,
    readonly deadlineMs: number,
    output: string,
  ) {
    super(`${label} timed out: no answer within ${(deadlineMs / 1000).toFixed(1)} s, killed\n${output}`);
    this.name = 'DeadlineError';
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
 * The Node.js flags each system runs with as its users start it: tagflow's launcher turns the start-up
 * snapshot off for isolated-vm (bin/tagflow.js); Node-RED needs nothing.
 */
export function nodeFlags(system: System): string[] {
  return isNodeRed(system) ? [] : ['--no-node-snapshot'];
}

/**
 * A running child: every message it sent so far, and a way to wait for one. At its deadline it is
 * killed, and whatever waits on it fails with a DeadlineError: a stuck child never stalls the run.
 */
export class Child {
  readonly messages: ChildMessage[] = [];
  private output = '';
  private readonly waiters: Array<{ type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }> =
    [];
  private timedOut = false;
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    readonly process: ChildProcess,
    readonly deadlineMs: number,
  ) {
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
    const deadline = setTimeout(() => {
      this.timedOut = true;
      process.kill('SIGKILL');
    }, deadlineMs);
    this.exited = new Promise((resolve) =>
      process.on('exit', (code) => {
        clearTimeout(deadline);
        for (const w of this.waiters.splice(0)) w.reject(this.endError(`before sending "${w.type}"`));
        resolve(code);
      }),
    );
  }

  /** Why the child is gone: its deadline passed (a DeadlineError), or it exited on its own. */
  endError(what: string): Error {
    if (this.timedOut) return new DeadlineError(this.label, this.deadlineMs, this.output);
    return new Error(`${this.label} exited (code ${this.process.exitCode}) ${what}\n${this.output}`);
  }

  /** The first message of `type` (already received or still to come); rejects on an error, an exit or the deadline. */
  waitFor<T extends ChildMessage = ChildMessage>(type: string): Promise<T> {
    const seen = this.messages.find((m) => m.type === type);
    if (seen) return Promise.resolve(seen as T);
    const failed = this.messages.find((m) => m.type === 'error');
    if (failed) return Promise.reject(new Error(`${this.label} failed: ${String(failed.error)}\n${this.output}`));
    if (this.process.exitCode !== null || this.process.signalCode !== null)
      return Promise.reject(this.endError(`before sending "${type}"`));
    return new Promise((resolve, reject) =>
      this.waiters.push({ type, resolve: resolve as (m: ChildMessage) => void, reject }),
    );
  }

  send(message: object): void {
    this.process.send(message);
  }

  /** Asks the child to end (children remove their temporary files on SIGTERM), and kills it after 2 s. */
  async kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return void (await this.exited);
    this.process.kill('SIGTERM');
    const kill = setTimeout(() => this.process.kill('SIGKILL'), 2_000);
    await this.exited;
    clearTimeout(kill);
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
