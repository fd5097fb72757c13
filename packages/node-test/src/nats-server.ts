import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPeer } from './peer-process';
import type { PeerProcess } from './peer-process';
import { acceptsConnections, freePort } from './peers';

const BINARY = '/usr/sbin/nats-server';

/**
 * A real nats-server (Debian's) with JetStream on a free loopback port, for one test file or
 * benchmark. Its JetStream store lives in a folder of its own, so streams, consumers and their
 * messages survive `down()` then `up()`; `kill()` ends it with SIGKILL, as a power cut would.
 */
export class NatsServer {
  private peer: PeerProcess | undefined;
  private constructor(
    readonly port: number,
    /** The JetStream store folder. */
    readonly storeDir: string,
  ) {}

  static async start(): Promise<NatsServer> {
    if (!existsSync(BINARY))
      throw new Error(
        `${BINARY} is missing: install it with apt-get install nats-server (bash scripts/system-deps.sh)`,
      );
    const server = new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), 'tagflow-nats-')));
    await server.up();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.peer = await startPeer(BINARY, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], {
      name: 'nats-server',
      ready: () => acceptsConnections(this.port),
      timeoutMs: 10_000,
    });
  }

  async down(): Promise<void> {
    await this.peer?.stop();
    this.peer = undefined;
  }

  /** Ends the server at once (SIGKILL): what it had not written to its store is lost, as in a crash. */
  async kill(): Promise<void> {
    await this.peer?.stop('SIGKILL');
    this.peer = undefined;
  }
}
