import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acceptsConnections, freePort, until } from '@tagflow/node-test';

/** The example's PLC simulator as a peer process of the test, on a free loopback port (Mosquitto: @tagflow/node-test). */
export class Peer {
  /** JSON lines the process printed on stdout. */
  readonly lines: unknown[] = [];
  private stderr = '';
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  /** The example's PLC simulator (pymodbus), run with Debian's Python. Fails, never skips, if missing. */
  static simulator(): Promise<Peer> {
    return Peer.start('/usr/bin/python3', (port) => [join(__dirname, '..', 'plc-simulator.py'), String(port)]);
  }

  private static async start(binary: string, args: (port: number) => string[]): Promise<Peer> {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: install it with bash scripts/system-deps.sh`);
    const port = await freePort();
    const peer = new Peer(port, spawn(binary, args(port), { stdio: ['ignore', 'pipe', 'pipe'] }));
    let buffered = '';
    peer.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) peer.lines.push(JSON.parse(line));
    });
    peer.child.stderr?.on('data', (chunk: Buffer) => (peer.stderr = (peer.stderr + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 15_000;
    while (!(await acceptsConnections(port))) {
      if (peer.child.exitCode !== null)
        throw new Error(`${binary} exited (code ${peer.child.exitCode}):\n${peer.stderr}`);
      if (Date.now() > deadline) throw new Error(`${binary} did not listen on port ${port}:\n${peer.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return peer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

// Re-exported for the tests of this package that import them from here.
export { freePort, until };
