import type { IClientPublishOptions, MqttClient } from 'mqtt';

/** A message as it arrived from the broker. */
export interface IncomingMqttMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/**
 * One live connection to a broker, shared by the flow's MQTT nodes. Thin on purpose: publishing
 * resolves on PUBACK (QoS 1) or PUBCOMP (QoS 2), and incoming messages go to every listener, which
 * filters by its own subscription.
 */
export class MqttConnection {
  private readonly listeners = new Set<(message: IncomingMqttMessage) => void>();

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      for (const listener of this.listeners) listener({ topic, payload, retain: packet.retain });
    });
  }

  /** 4 = MQTT 3.1.1, 5 = MQTT 5: what this connection speaks. */
  get protocolVersion(): number {
    return this.client.options.protocolVersion ?? 4;
  }

  publish(topic: string, body: string | Buffer, options: IClientPublishOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, body, options, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Like `publish`, with a callback instead of a Promise: for a publisher's hot path. */
  send(topic: string, body: string | Buffer, options: IClientPublishOptions, done: (err?: Error) => void): void {
    this.client.publish(topic, body, options, (err) => done(err ?? undefined));
  }

  subscribe(filter: string, qos: 0 | 1 | 2): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.subscribe(filter, { qos }, (err, granted) => {
        if (err) return reject(err);
        const refused = granted?.find((g) => g.qos === 128);
        if (refused) return reject(new Error(`the broker refused the subscription to "${filter}"`));
        resolve();
      });
    });
  }

  unsubscribe(filter: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.unsubscribe(filter, (err) => (err ? reject(err) : resolve()));
    });
  }

  onMessage(listener: (message: IncomingMqttMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the socket; waits at most a second for a clean DISCONNECT. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.client.end(true, {}, () => resolve()), 1000);
      this.client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
