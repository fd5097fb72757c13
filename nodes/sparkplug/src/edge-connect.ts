import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from 'mqtt';
import type { IClientOptions } from 'mqtt';
import { NodeError } from '@tagflow/node-sdk';
import { EdgeNodeSession } from './edge-session';
import type { EdgeSessionOptions } from './edge-session';
import { sparkplugErrors } from './error-codes';
import { sparkplugTopic } from './topics';

/**
 * The next birth/death sequence number of an edge node (0-255): one more than the last
 * connection's, kept in the data dir so that a restarted runtime does not reuse the bdSeq of the
 * NDEATH a host may still be waiting to match. `used` records it once a broker accepted the
 * connection: an attempt that never reached a broker sent no will, and the next one reuses it.
 */
export function nextBdSeq(dataDir: string, resourceId: string): { bdSeq: number; used(): void } {
  const file = path.join(dataDir, 'sparkplug', `${resourceId}.bdseq`);
  let last = -1;
  try {
    last = Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const bdSeq = Number.isInteger(last) ? (last + 1) % 256 : 0;
  return {
    bdSeq,
    used() {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, String(bdSeq));
    },
  };
}

/**
 * Connects an edge node: the will is its NDEATH with this connection's bdSeq, the session is clean
 * (as the specification asks), then NBIRTH unless a primary host is awaited. Rejects in plain words
 * when the first attempt fails; a loss after that goes to `session options.lost`.
 */
export function openEdgeSession(
  url: string,
  client: IClientOptions,
  options: EdgeSessionOptions,
): Promise<EdgeNodeSession> {
  return new Promise<EdgeNodeSession>((resolve, reject) => {
    const mqtt = connect(url, {
      ...client,
      clean: true,
      reconnectPeriod: 0,
      will: {
        topic: sparkplugTopic(options.groupId, 'NDEATH', options.edgeNodeId),
        payload: Buffer.from(EdgeNodeSession.deathPayload(options.bdSeq)),
        qos: 1,
        retain: false,
      },
    });
    let session: EdgeNodeSession | undefined;
    const failed = (reason: unknown) => {
      const text = reason instanceof Error ? reason.message : 'connection closed';
      if (session === undefined) {
        mqtt.end(true);
        reject(new NodeError(sparkplugErrors.code.SPARKPLUG_CONNECT, `cannot connect to ${url}: ${text}`));
      } else {
        options.lost(new Error(`connection to ${url} lost: ${text}`));
      }
    };
    mqtt.once('connect', () => {
      const s = new EdgeNodeSession(mqtt, options);
      s.start().then(
        () => {
          session = s;
          resolve(s);
        },
        (err: unknown) => failed(err),
      );
    });
    mqtt.on('error', failed);
    mqtt.on('close', () => failed(undefined));
    mqtt.on('offline', () => failed(new Error('offline')));
  });
}
