import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdminApp } from './admin-app';
import type { AdminAppOptions } from './admin-app';
import type { EventHub } from './event-hub';
import type { AdminServerDeps } from './route-types';

export interface AdminServerOptions {
  host: string;
  /** 0 picks any free port (see the returned `port`). */
  port: number;
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: { cert: Buffer; key: Buffer };
}

/** A listening admin server. */
export interface RunningAdminServer {
  url: string;
  port: number;
  /** The WebSocket hub, to broadcast runtime events or inspect client queues. */
  hub: EventHub;
  /** Closes WebSocket clients, open connections and the listener, then waits for background audit writes. */
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** Starts the admin API (HTTP or HTTPS) with its WebSocket endpoint. */
export async function startAdminServer(
  deps: AdminServerDeps,
  options: AdminServerOptions,
  appOptions: AdminAppOptions = {},
): Promise<RunningAdminServer> {
  const { app, hub, settled } = createAdminApp(deps, appOptions);
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, app)
    : createHttpServer(app);
  hub.attach(server);
  if (!options.tls && !LOOPBACK.test(options.host)) {
    deps.logger.warn(
      { host: options.host },
      `the admin API listens on ${options.host} without TLS: tokens and flows cross the network in clear`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => deps.logger.error({ err }, 'admin server error'));
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
  deps.logger.debug({ url }, 'admin API listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    hub,
    close() {
      closing ??= (async () => {
        await hub.close();
        await new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          // Keep-alive connections would hold close() open until they time out.
          server.closeAllConnections();
        });
        await settled();
      })();
      return closing;
    },
  };
}
