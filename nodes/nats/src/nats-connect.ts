import type { ConnectionOptions } from 'nats';
import { NodeError } from '@tagflow/node-sdk';
import { natsErrors } from './error-codes';
import { NatsLink } from './nats-connection';

/** How to prove who we are to the server; at most one way. */
export type NatsAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'user'; user: string; pass: string }
  | { kind: 'nkey'; seed: string };

export interface NatsConnectOptions {
  servers: string[];
  name: string;
  auth: NatsAuth;
  timeoutMs: number;
  pingIntervalMs: number;
}

/**
 * Connects once to one of `servers`: resolves once the server accepted us, rejects in plain words
 * when it cannot; a loss after that goes to `lost`. The client's own reconnect is off: the runtime
 * reconnects, with backoff, for every connector alike. The only module that loads the nats library.
 */
export async function openNatsConnection(
  options: NatsConnectOptions,
  lost: (reason: Error) => void,
): Promise<NatsLink> {
  const lib = require('nats') as typeof import('nats');
  const where = options.servers.join(', ');
  const auth = options.auth;
  const connectOptions: ConnectionOptions = {
    servers: options.servers,
    name: options.name,
    reconnect: false,
    timeout: options.timeoutMs,
    pingInterval: options.pingIntervalMs,
    maxPingOut: 2,
    ...(auth.kind === 'token' ? { token: auth.token } : {}),
    ...(auth.kind === 'user' ? { user: auth.user, pass: auth.pass } : {}),
    ...(auth.kind === 'nkey' ? { authenticator: lib.nkeyAuthenticator(new TextEncoder().encode(auth.seed)) } : {}),
  };
  let nc;
  try {
    nc = await lib.connect(connectOptions);
  } catch (err) {
    throw new NodeError(natsErrors.code.NATS_CONNECT, `cannot connect to ${where}: ${describeConnectError(err)}`);
  }
  const server = nc.getServer();
  let closing = false;
  const link = new NatsLink(nc, lib, server);
  const close = link.close.bind(link);
  link.close = async () => {
    closing = true;
    await close();
  };
  void nc.closed().then((err) => {
    if (closing) return;
    lost(new Error(`connection to ${server} lost: ${err instanceof Error ? describeConnectError(err) : 'closed'}`));
  });
  return link;
}

/** The reason a connect failed, in words a technician can act on (the client's codes are in `code` or the text). */
export function describeConnectError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const text = e?.message ?? String(err);
  const both = `${e?.code ?? ''} ${text}`;
  if (/CONNECTION_REFUSED|ECONNREFUSED/.test(both)) return 'nothing is listening there (connection refused)';
  if (/AUTHORIZATION_VIOLATION|authorization/i.test(both)) return `the server refused our credentials (${text})`;
  if (/TIMEOUT|timed? ?out/i.test(both)) return `no answer in time (${text})`;
  return text;
}
