// Starting the benchmark's child processes and talking to them over IPC.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildConfig, ChildResult } from './nodered-reference';

export type System = ChildResult['system'];

/** A message a child sends: a result, an error, or a progress mark such as `first` or `sent`. */
export type ChildMessage = { type: string; [key: string]: unknown };

/** The script of each system's child (the built one, also when this module runs from src/ under Jest). */
export const CHILD_SCRIPT: Record<System, string> = {
  'node-red': join(__dirname, '..', 'nodered', 'nr-child.cjs'),
  tagflow: join(__dirname, '..', 'dist', 'tagflow-child.js'),
};

/**
 * The Node.js flags each system runs with as its users start it: tagflow's launcher turns the start-up
 * snapshot off for isolated-vm (bin/tagflow.js); Node-RED needs nothing.
 */
export const NODE_FLAGS: Record<System, string[]> = { 'node-red': [], tagflow: ['--no-node-snapshot'] };

/** A running child: every message it sent so far, and a way to wait for one. */
export class Child {
  readonly messages: ChildMessage[] = [];
  private output = '';
  private readonly waiters: Array<{ type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }> =
    [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    readonly process: ChildProcess,
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
    this.exited = new Promise((resolve) =>
      process.on('exit', (code) => {
        for (const w of this.waiters.splice(0))
          w.reject(new Error(`${label} exited (code ${code}) before sending "${w.type}"\n${this.output}`));
        resolve(code);
      }),
    );
  }

  /** The first message of `type` (already received or still to come); rejects on an error or exit. */
  waitFor<T extends ChildMessage = ChildMessage>(type: string): Promise<T> {
    const seen = this.messages.find((m) => m.type === type);
    if (seen) return Promise.resolve(seen as T);
    const failed = this.messages.find((m) => m.type === 'error');
    if (failed) return Promise.reject(new Error(`${this.label} failed: ${String(failed.error)}\n${this.output}`));
    if (this.process.exitCode !== null) return Promise.reject(new Error(`${this.label} has exited\n${this.output}`));
    return new Promise((resolve, reject) =>
      this.waiters.push({ type, resolve: resolve as (m: ChildMessage) => void, reject }),
    );
  }

  send(message: object): void {
    this.process.send(message);
  }

  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** Forks a script with an IPC channel; `args` are passed as JSON in argv[2]. */
export function forkChild(label: string, script: string, args: object, nodeFlags: string[] = []): Child {
  return new Child(
    label,
    fork(script, [JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: nodeFlags }),
  );
}

/** Runs one measurement in a fresh child of `system` and returns its result. */
export async function runSystem(system: System, cfg: ChildConfig): Promise<ChildResult> {
  const child = forkChild(system, CHILD_SCRIPT[system], cfg, NODE_FLAGS[system]);
  try {
    return await child.waitFor<ChildResult & ChildMessage>('result');
  } finally {
    await child.exited;
  }
}
