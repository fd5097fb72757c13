import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { EngineEvents } from '../engine/engine';
import type { EngineApi } from '../supervisor/engine-contract';
import type { EngineLogger } from '../engine/types';
import { bearerFromHeader, remoteAddress } from './auth';
import type { Authenticator } from './auth';
import type { AdminMetrics } from './metrics';
import type { LogRecord } from '../log/create-logger';

/** The path the hub answers WebSocket upgrades on. */
export const EVENTS_PATH = '/api/events';
/** The subprotocol a browser offers (beside `bearer.<token>`) and the server echoes back. */
export const BEARER_PROTOCOL = 'bearer';

export interface EventHubOptions {
  /** Frames kept per client while it cannot be sent to; beyond this the oldest are dropped (default 1000). */
  maxQueue?: number;
  /** Stop writing to a client while this many bytes wait in its socket (default 1 MB). */
  maxBufferedBytes?: number;
  /** Ping period; a client that did not answer the previous ping is cut (default 30 s). */
  pingIntervalMs?: number;
}

/** What a connected client looks like from the server, for tests and diagnostics. */
export interface EventClientStats {
  queued: number;
  /** Frames dropped and not yet reported to the client. */
  pendingDropped: number;
  bufferedAmount: number;
}

interface HubDeps {
  engine: EngineApi;
  logger: EngineLogger;
  auth: Authenticator;
  metrics: AdminMetrics;
  onLog?(listener: (record: LogRecord) => void): () => void;
}

/**
 * Pushes engine events and log records to WebSocket clients as JSON text frames. A client that
 * reads slowly never makes the server hold more than its bounded queue: the oldest frames are
 * dropped and the client is told how many once it catches up. Engine listeners exist only while
 * a client is connected, so with nobody watching the engine logs debug values (at level debug)
 * and samples nothing.
 */
export class EventHub {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<EventClient>();
  private readonly maxQueue: number;
  private readonly maxBufferedBytes: number;
  private readonly pingTimer: NodeJS.Timeout;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly deps: HubDeps,
    options: EventHubOptions = {},
  ) {
    this.maxQueue = options.maxQueue ?? 1000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    // Clients only listen: anything they send beyond a small frame is a protocol abuse.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 4096,
      handleProtocols: (protocols) => (protocols.has(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false),
    });
    this.pingTimer = setInterval(() => this.ping(), options.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
  }

  /** Listens for upgrades on `server`; other upgrade paths are refused with 404. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  /** Authenticates an upgrade request, then completes the WebSocket handshake or refuses it over HTTP. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The socket is ours from here on: an error on it must not go unhandled.
    socket.on('error', (err) => this.deps.logger.debug({ err }, 'WebSocket upgrade socket error'));
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== EVENTS_PATH) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path}`, {});
    if (this.closed) return refuseUpgrade(socket, 503, 'the server is shutting down', {});
    const token =
      bearerFromHeader(req.headers.authorization) ?? tokenFromProtocols(req.headers['sec-websocket-protocol']);
    const outcome = this.deps.auth.check(token, remoteAddress(req), 'viewer', `GET ${EVENTS_PATH} (WebSocket)`);
    if (!outcome.ok) return refuseUpgrade(socket, outcome.status, outcome.message, outcome.headers);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.add(ws));
  }

  /** Sends a frame to every client (`time` is added when missing). */
  broadcast(frame: { type: string; time?: number; [field: string]: unknown }): void {
    if (this.clients.size === 0) return;
    const text = serialize({ ...frame, time: frame.time ?? Date.now() });
    for (const client of this.clients) client.push(text);
  }

  /** One entry per connected client. */
  stats(): EventClientStats[] {
    return [...this.clients].map((c) => c.stats());
  }

  /** Closes every client (going-away), cutting those that do not finish the close handshake quickly. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pingTimer);
    const sockets = [...this.clients].map((c) => c.ws);
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const cut = setTimeout(() => ws.terminate(), 500);
            ws.once('close', () => {
              clearTimeout(cut);
              resolve();
            });
            ws.close(1001, 'server shutting down');
          }),
      ),
    );
    this.detach();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private add(ws: WebSocket): void {
    const client = new EventClient(ws, this.maxQueue, this.maxBufferedBytes, () =>
      this.deps.metrics.eventsDropped.inc(),
    );
    this.clients.add(client);
    if (this.clients.size === 1) this.subscribe();
    ws.on('pong', () => (client.alive = true));
    ws.on('error', (err) => this.deps.logger.debug({ err }, 'WebSocket client error'));
    ws.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.detach();
    });
  }

  private subscribe(): void {
    const { engine } = this.deps;
    const onDebug = (e: EngineEvents['debug'][0]) => this.broadcast({ type: 'debug', ...e });
    const onStatus = (e: EngineEvents['status'][0]) => this.broadcast({ type: 'status', ...e });
    const onError = (e: EngineEvents['node-error'][0]) => this.broadcast({ type: 'node-error', ...e });
    const onDeployed = (e: EngineEvents['deployed'][0]) => this.broadcast({ type: 'deploy', ...e });
    const onSamples = (e: EngineEvents['samples'][0]) => this.broadcast({ type: 'samples', ...e });
    engine.on('debug', onDebug);
    engine.on('samples', onSamples);
    engine.on('status', onStatus);
    engine.on('node-error', onError);
    engine.on('deployed', onDeployed);
    const stopLog = this.deps.onLog?.((record) => this.broadcast({ type: 'log', ...record }));
    this.unsubscribe = () => {
      engine.off('debug', onDebug);
      engine.off('samples', onSamples);
      engine.off('status', onStatus);
      engine.off('node-error', onError);
      engine.off('deployed', onDeployed);
      stopLog?.();
    };
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}

/** One connected client and its bounded queue of frames not yet handed to the socket. */
class EventClient {
  alive = true;
  private queue: string[] = [];
  private dropped = 0;

  constructor(
    readonly ws: WebSocket,
    private readonly maxQueue: number,
    private readonly maxBufferedBytes: number,
    private readonly onDrop: () => void,
  ) {}

  push(frame: string): void {
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.dropped++;
      this.onDrop();
    }
    this.queue.push(frame);
    this.pump();
  }

  stats(): EventClientStats {
    return { queued: this.queue.length, pendingDropped: this.dropped, bufferedAmount: this.ws.bufferedAmount };
  }

  /** Writes while the socket keeps up; each write's completion resumes the pump once it drains. */
  private pump(): void {
    while (
      (this.queue.length > 0 || this.dropped > 0) &&
      this.ws.readyState === WebSocket.OPEN &&
      this.ws.bufferedAmount <= this.maxBufferedBytes
    ) {
      let frame: string;
      if (this.dropped > 0) {
        frame = JSON.stringify({ type: 'dropped', time: Date.now(), count: this.dropped });
        this.dropped = 0;
      } else {
        frame = this.queue.shift() as string;
      }
      this.ws.send(frame, (err) => {
        // A failed write means the socket is closing; its close handler removes the client.
        if (err) return;
        if (this.queue.length > 0 || this.dropped > 0) this.pump();
      });
    }
  }
}

/** The token a browser passes as subprotocol `bearer.<token>` (it cannot set headers). */
function tokenFromProtocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const prefix = `${BEARER_PROTOCOL}.`;
  const offered = header
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(prefix) && p.length > prefix.length);
  return offered?.slice(prefix.length);
}

/** Values a node shows may not be JSON (BigInt, cycles): the frame still goes out, saying so. */
function serialize(frame: Record<string, unknown>): string {
  try {
    return JSON.stringify(frame);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return JSON.stringify({
      type: frame.type,
      time: frame.time,
      error: `this event could not be sent as JSON: ${reason}`,
    });
  }
}

function refuseUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string>): void {
  const body = JSON.stringify({ error: message });
  const reason =
    { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' }[
      status
    ] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
