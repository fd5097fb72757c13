import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';

/**
 * The independent side of the tests: a plain mqtt.js client decoding and encoding with Eclipse
 * Tahu's Sparkplug payload library (sparkplug-payload), not with this package's codec.
 */
const tahu = (require('sparkplug-payload') as { get(ns: string): TahuCodec }).get('spBv1.0');

interface TahuCodec {
  decodePayload(bytes: Uint8Array): TahuPayload;
  encodePayload(payload: TahuPayload): Uint8Array;
}

/** A payload as Tahu's library gives it (64-bit numbers as Long objects). */
export interface TahuPayload {
  timestamp?: unknown;
  seq?: unknown;
  metrics: TahuMetric[];
}

export interface TahuMetric {
  name?: string;
  alias?: unknown;
  timestamp?: unknown;
  type?: string;
  value: unknown;
  isHistorical?: boolean;
  properties?: Record<string, { type: string; value: unknown }>;
}

/** One message as the peer received it. */
export interface Seen {
  topic: string;
  type: string;
  device?: string;
  seq: number | undefined;
  payload: TahuPayload;
}

/** A Long (or number) as a number. */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null) return Number(String(value));
  return Number(value);
}

/** A Sparkplug subscriber and commander, independent of the code under test. */
export class SparkplugPeer {
  readonly seen: Seen[] = [];
  private constructor(readonly client: MqttClient) {}

  static async connect(url: string, options: { clientId?: string; persistent?: boolean } = {}): Promise<SparkplugPeer> {
    const client = connect(url, {
      protocolVersion: 5,
      reconnectPeriod: 100,
      clientId: options.clientId,
      clean: options.persistent !== true,
      ...(options.persistent === true ? { properties: { sessionExpiryInterval: 3600 } } : {}),
    });
    const peer = new SparkplugPeer(client);
    client.on('message', (topic, body) => {
      const parts = topic.split('/');
      if (parts[1] === 'STATE') return;
      const payload = tahu.decodePayload(body);
      peer.seen.push({
        topic,
        type: parts[2],
        ...(parts[4] === undefined ? {} : { device: parts[4] }),
        seq: payload.seq === undefined || payload.seq === null ? undefined : num(payload.seq),
        payload,
      });
    });
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    await new Promise<void>((resolve, reject) =>
      client.subscribe('spBv1.0/#', { qos: 1 }, (err) => (err ? reject(err) : resolve())),
    );
    return peer;
  }

  of(type: string, device?: string): Seen[] {
    return this.seen.filter((s) => s.type === type && (device === undefined || s.device === device));
  }

  /** Publishes a command (NCMD without device, DCMD with) encoded by Tahu's library. */
  command(group: string, edgeNode: string, metrics: TahuMetric[], device?: string): Promise<void> {
    const topic = `spBv1.0/${group}/${device === undefined ? 'NCMD' : 'DCMD'}/${edgeNode}${device === undefined ? '' : `/${device}`}`;
    return this.publish(topic, tahu.encodePayload({ timestamp: Date.now(), metrics }));
  }

  /** Publishes any Tahu-encoded payload on any topic. */
  publishPayload(topic: string, payload: TahuPayload): Promise<void> {
    return this.publish(topic, tahu.encodePayload(payload));
  }

  publish(topic: string, body: Uint8Array | string, retain = false): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.publish(topic, Buffer.from(body), { qos: 1, retain }, (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): void {
    this.client.end(true);
  }
}
