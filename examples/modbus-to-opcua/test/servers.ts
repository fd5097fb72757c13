import { join } from 'node:path';
import { acceptsConnections, freePort, startPeer, until } from '@tagflow/node-test';
import type { PeerProcess } from '@tagflow/node-test';

/** The example's PLC simulator as a peer process of the test, on a free loopback port (Mosquitto: @tagflow/node-test). */
export class Peer {
  /** JSON lines the process printed on stdout. */
  readonly lines: unknown[] = [];
  private constructor(readonly port: number) {}
  private process: PeerProcess | undefined;

  /** The example's PLC simulator (pymodbus), run with Debian's Python. Fails, never skips, if missing. */
  static async simulator(): Promise<Peer> {
    const peer = new Peer(await freePort());
    peer.process = await startPeer('/usr/bin/python3', [join(__dirname, '..', 'plc-simulator.py'), String(peer.port)], {
      name: 'the PLC simulator',
      ready: () => acceptsConnections(peer.port),
      onLine: (line) => {
        if (line.startsWith('{')) peer.lines.push(JSON.parse(line));
      },
    });
    return peer;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}

// Re-exported for the tests of this package that import them from here.
export { freePort, until };
