import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTagflow, spawnTagflow, until } from '@tagflow/test-support';

/** The example's folder: flows are read from here, as the README runs them. */
export const exampleDir = resolve(__dirname, '..');

/** One `tagflow run` process of the example, as the README starts it: its own data dir and variables. */
export class Runtime {
  private child: ChildProcessWithoutNullStreams | undefined;
  private log = '';
  /** How many times this runtime was started. */
  starts = 0;

  private constructor(
    readonly name: string,
    readonly dataDir: string,
    private readonly flowFile: string,
  ) {}

  /** A runtime named `name` (its `RUNTIME` variable) with `variables` set in a new data dir; not started. */
  static async prepare(name: string, flowFile: string, variables: Record<string, string>): Promise<Runtime> {
    const dataDir = mkdtempSync(join(tmpdir(), `scale-out-${name}-`));
    for (const [key, value] of Object.entries({ RUNTIME: name, ...variables })) {
      const set = await runTagflow(['var', 'set', key, value, '--data-dir', dataDir], { cwd: exampleDir });
      if (set.code !== 0) throw new Error(`tagflow var set ${key} failed: ${set.stderr}`);
    }
    return new Runtime(name, dataDir, flowFile);
  }

  /** `tagflow run <flow> --data-dir <dir>`; resolves once node `node` logged a status matching `ready`. */
  async start(node: string, ready: RegExp): Promise<void> {
    this.log = '';
    this.starts++;
    // Statuses, which the test waits on, are in the log at level debug.
    const child = spawnTagflow(['run', this.flowFile, '--data-dir', this.dataDir, '--log-level', 'debug'], {
      cwd: exampleDir,
    });
    this.child = child;
    child.stderr.on('data', (chunk: string) => (this.log += chunk));
    child.stdout.resume();
    await until(
      () => {
        if (child.exitCode !== null) throw new Error(`runtime ${this.name} exited (${child.exitCode}):\n${this.log}`);
        return this.statusLogged(node, ready);
      },
      `runtime ${this.name}: ${node} ${ready}`,
      30_000,
    );
  }

  /** True once the runtime's JSON log has a status of `node` matching `text`. */
  statusLogged(node: string, text: RegExp): boolean {
    return this.log
      .split('\n')
      .slice(0, -1) // the last piece may be a line still being written
      .filter((line) => line.startsWith('{'))
      .some((line) => {
        const record = JSON.parse(line) as { node?: string; msg?: string };
        return record.node === node && text.test(record.msg ?? '');
      });
  }

  /** The stderr of the current process, for a failure's message. */
  get stderr(): string {
    return this.log;
  }

  /** Ends the process with `signal` and waits for it to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((ok) => child.once('exit', ok));
    child.kill(signal);
    await gone;
  }
}

/** What an independent receiver saw: every number, and which runtime forwarded it. */
export class Tally {
  readonly perRuntime = new Map<string, number>();
  private readonly seen = new Map<number, number>();
  received = 0;

  add(runtime: string, n: number): void {
    this.received++;
    this.perRuntime.set(runtime, (this.perRuntime.get(runtime) ?? 0) + 1);
    this.seen.set(n, (this.seen.get(n) ?? 0) + 1);
  }

  /** Numbers in 1..`total` never received. */
  missing(total: number): number[] {
    const out: number[] = [];
    for (let n = 1; n <= total; n++) if (!this.seen.has(n)) out.push(n);
    return out;
  }

  /** Receptions beyond the first of each number. */
  get duplicates(): number {
    return this.received - this.seen.size;
  }

  get distinct(): number {
    return this.seen.size;
  }

  /** Shares per runtime, for a failure's message and the test's log. */
  summary(): Record<string, number> {
    return Object.fromEntries([...this.perRuntime].sort());
  }
}
