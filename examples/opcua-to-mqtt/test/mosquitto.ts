import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { acceptsConnections, freePort } from '@tagflow/node-test';

const BINARY = '/usr/sbin/mosquitto';

/** A real Mosquitto on a free loopback port (no config: loopback only, anonymous), for one test file. */
export class Mosquitto {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<Mosquitto> {
    if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: install it with apt-get install mosquitto (bash scripts/system-deps.sh)`);
    const port = await freePort();
    const broker = new Mosquitto(port, spawn(BINARY, ['-p', String(port)], { stdio: 'ignore' }));
    await waitForPort(port, 'mosquitto');
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}

/** Waits until something accepts connections on the loopback port. */
export async function waitForPort(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await acceptsConnections(port))) {
    if (Date.now() > deadline) throw new Error(`${what} did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, and waits for the exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// Re-exported for the tests of this package that import them from here.
export { freePort };
