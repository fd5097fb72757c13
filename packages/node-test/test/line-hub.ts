// A tiny publish/subscribe peer (newline-delimited JSON over TCP) and a connector for it: what the
// conformance suite is tested against, in this process.
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { defineNode, defineResource, NodeError } from '@tagflow/node-sdk';

/** The peer: relays `{pub, payload}` lines to every client that sent `{sub}` for that channel. */
export class LineHub {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<void> {
    const subscriptions = new Map<Socket, Set<string>>();
    const server = createServer((socket) => {
      this.sockets.add(socket);
      subscriptions.set(socket, new Set());
      socket.on('close', () => {
        this.sockets.delete(socket);
        subscriptions.delete(socket);
      });
      socket.on('error', () => socket.destroy());
      readLines(socket, (line: { sub?: string; pub?: string; payload?: unknown }) => {
        if (line.sub !== undefined) subscriptions.get(socket)?.add(line.sub);
        if (line.pub === undefined) return;
        for (const [peer, channels] of subscriptions)
          if (channels.has(line.pub)) peer.write(`${JSON.stringify(line)}\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The client side of one connection; `leaky` makes `close` forget to close the socket. */
export class LineHubConnection {
  private readonly listeners = new Set<(channel: string, payload: unknown) => void>();

  constructor(
    private readonly socket: Socket,
    private readonly leaky: boolean,
  ) {
    readLines(socket, (line: { pub: string; payload: unknown }) => {
      for (const listener of this.listeners) listener(line.pub, line.payload);
    });
  }

  publish(channel: string, payload: unknown): void {
    this.socket.write(`${JSON.stringify({ pub: channel, payload })}\n`);
  }

  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    this.socket.write(`${JSON.stringify({ sub: channel })}\n`);
    const wrapped = (c: string, payload: unknown) => c === channel && listener(payload);
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  close(): Promise<void> {
    if (this.leaky || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.end(resolve));
  }
}

/** The `line-hub` resource type; with `leaky`, one that leaves its socket open on close. */
export function lineHubResource(leaky = false) {
  return defineResource({
    type: 'line-hub',
    version: 1,
    description: 'A connection to a line hub',
    configSchema: {
      type: 'object',
      properties: { port: { type: 'integer' } },
      required: ['port'],
      additionalProperties: false,
    },
    create(ctx) {
      return new Promise<LineHubConnection>((resolve, reject) => {
        const socket = connect(ctx.config.port, '127.0.0.1');
        socket.once('connect', () => {
          socket.on('close', () => ctx.lost(new Error('closed by the hub')));
          resolve(new LineHubConnection(socket, leaky));
        });
        socket.on('error', (err) => reject(new NodeError('HUB_CONNECT', err.message)));
      });
    },
  });
}

export const hubOut = defineNode({
  type: 'hub-out',
  version: 1,
  category: 'publisher',
  description: 'Publishes to a line hub channel',
  inputs: ['in'],
  outputs: [],
  resources: { hub: 'line-hub' },
  configSchema: {
    type: 'object',
    properties: { hub: { type: 'string' }, channel: { type: 'string' } },
    required: ['hub', 'channel'],
    additionalProperties: false,
  },
  create(ctx) {
    const hub = ctx.resource<LineHubConnection>(ctx.config.hub);
    return {
      async onMessage(msg) {
        (await hub.ready(ctx.signal)).publish(ctx.config.channel, msg.payload);
      },
    };
  },
});

export const hubIn = defineNode({
  type: 'hub-in',
  version: 1,
  category: 'source',
  description: 'Receives a line hub channel',
  inputs: [],
  outputs: ['out'],
  resources: { hub: 'line-hub' },
  configSchema: {
    type: 'object',
    properties: { hub: { type: 'string' }, channel: { type: 'string' } },
    required: ['hub', 'channel'],
    additionalProperties: false,
  },
  create(ctx) {
    let detach: (() => void) | undefined;
    ctx.resource<LineHubConnection>(ctx.config.hub).onConnect((connection) => {
      detach?.();
      detach = connection.subscribe(ctx.config.channel, (payload) =>
        ctx.send({ payload, timestamp: ctx.clock.now(), quality: 'good' }),
      );
    });
    return { close: () => detach?.() };
  },
});

function readLines<T>(socket: Socket, onLine: (line: T) => void): void {
  let buffered = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (buffered + chunk).split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine(JSON.parse(line) as T);
  });
}
