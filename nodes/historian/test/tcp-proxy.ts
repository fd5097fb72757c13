import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/**
 * A TCP forwarder on a free loopback port to `host:port`, to simulate a network outage to a
 * shared server without stopping it: `cut()` destroys every connection and refuses new ones,
 * `restore()` listens again on the same port; `freeze()` keeps every connection open and accepts
 * new ones but forwards nothing (a server that hangs), `thaw()` forwards new connections again.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cutOnData = false;
  private frozen = false;
  port = 0;

  private constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  static async start(host: string, port: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(host, port);
    await proxy.restore();
    return proxy;
  }

  /** Drops every connection and stops listening (new connections are refused). */
  async cut(): Promise<void> {
    this.cutOnData = false;
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cuts (as `cut()`) the moment a client next sends bytes, before they reach the server: an outage mid-request. */
  cutWhenClientSends(): void {
    this.cutOnData = true;
  }

  /** From now on nothing reaches the server or comes back, on old and new connections alike; no connection is closed. */
  freeze(): void {
    this.frozen = true;
  }

  /** New connections are forwarded again; the ones open while frozen stay silent (as after a real hang). */
  thaw(): void {
    this.frozen = false;
  }

  /** Accepts and forwards connections again, on the same port as before. */
  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.forward(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private forward(client: Socket): void {
    if (this.frozen) {
      // Accepted, never answered: the client's own time-out must end it.
      this.sockets.add(client);
      client.on('error', () => client.destroy());
      client.on('close', () => this.sockets.delete(client));
      client.resume();
      return;
    }
    let silent = false;
    const upstream = connect(this.targetPort, this.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      // A destroyed peer ends the other side too; the error itself is the outage being simulated.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => {
        this.sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (this.cutOnData) {
        void this.cut();
        return;
      }
      silent ||= this.frozen;
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      silent ||= this.frozen;
      if (!silent) client.write(chunk);
    });
  }
}
