import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections, freePort, until } from '@tagflow/node-test';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'modbus-server.py');

/** One access the server saw, as its script prints it (0-based protocol addresses). */
export interface ServerEvent {
  op: 'start' | 'get' | 'set' | 'decoded';
  fc?: number;
  address?: number;
  count?: number;
  values?: Array<number | boolean>;
  value?: unknown;
  /** Server time, monotonic milliseconds. */
  t: number;
}

/**
 * A real pymodbus 3.0 Modbus TCP server (Debian's python3-pymodbus) on a free loopback port, with
 * the register contents of `layout`. Fails, never skips, when Python or pymodbus is missing.
 */
export class PymodbusServer {
  /** Everything the server printed, across restarts. */
  readonly events: ServerEvent[] = [];
  private process: ChildProcess | undefined;
  private stderr = '';
  private constructor(
    readonly port: number,
    private readonly layoutFile: string,
  ) {}

  static async start(layout: object): Promise<PymodbusServer> {
    if (!existsSync(PYTHON))
      throw new Error(`${PYTHON} is missing: install python3-pymodbus (bash scripts/system-deps.sh)`);
    const dir = mkdtempSync(join(tmpdir(), 'tagflow-pymodbus-'));
    const layoutFile = join(dir, 'layout.json');
    writeFileSync(layoutFile, JSON.stringify(layout));
    const server = new PymodbusServer(await freePort(), layoutFile);
    await server.up();
    return server;
  }

  /** Starts the server (again, after `kill`) on the same port with the same contents. */
  async up(): Promise<void> {
    const child = spawn(PYTHON, [SCRIPT, String(this.port), this.layoutFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.events.push(JSON.parse(line) as ServerEvent);
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 15_000;
    while (!(await acceptsConnections(this.port))) {
      if (child.exitCode !== null)
        throw new Error(`the pymodbus server exited (code ${child.exitCode}):\n${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`the pymodbus server did not listen on port ${this.port}:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Freezes the process (SIGSTOP): the socket stays open, nothing answers. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Kills the process; its sockets close. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT'); // a paused process must run to die of SIGTERM
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /** Read requests (FC 1-4) seen since event index `from`, as [fc, address, count]. */
  reads(from = 0): Array<[number, number, number]> {
    return this.events
      .slice(from)
      .filter((e) => e.op === 'get' && e.fc !== undefined && e.fc <= 4)
      .map((e) => [e.fc as number, e.address as number, e.count as number]);
  }
}

// Re-exported for the tests of this package that import them from here.
export { until };
