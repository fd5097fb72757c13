import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections, freePort, startPeer, until } from '@tagflow/node-test';
import type { PeerProcess } from '@tagflow/node-test';

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
  private peer: PeerProcess | undefined;
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
    this.peer = await startPeer(PYTHON, [SCRIPT, String(this.port), this.layoutFile], {
      name: 'the pymodbus server',
      ready: () => acceptsConnections(this.port),
      onLine: (line) => {
        if (line.trim() !== '') this.events.push(JSON.parse(line) as ServerEvent);
      },
    });
  }

  /** Freezes the process (SIGSTOP): the socket stays open, nothing answers. */
  pause(): void {
    this.peer?.child.kill('SIGSTOP');
  }

  resume(): void {
    this.peer?.child.kill('SIGCONT');
  }

  /** Kills the process; its sockets close. */
  async kill(): Promise<void> {
    await this.peer?.stop('SIGKILL');
    this.peer = undefined;
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
