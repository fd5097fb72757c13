import type { IClientPublishOptions, IPublishPacket, MqttClient, Packet } from 'mqtt';
import { mostPublishBytes, PublishPacketWriter } from './publish-packet-writer';

/** A message as it arrived from the broker. */
export interface IncomingMqttMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  /** The QoS it was delivered with. */
  qos: 0 | 1 | 2;
  /**
   * QoS 1 only: holds back the PUBACK until the function returned is called (once). `true` from
   * every holder sends it; `false` from one leaves the message unacknowledged, so that the broker
   * sends it again on the next connection (same client id, session kept). Call it from the
   * listener, synchronously; later it is too late to hold.
   */
  holdAck?: () => (ack: boolean) => void;
}

/** The listeners holding back one QoS 1 message's PUBACK. */
interface HeldAck {
  pending: number;
  failed: boolean;
  /** mqtt.js has moved on without a PUBACK: ours to send, when every holder is done. */
  deferred: boolean;
}

/** Passed to mqtt.js's handleMessage callback: skip its PUBACK (it ignores the error otherwise). */
/** How long messages that came before any node listened wait for the flow's nodes to attach. */
const EARLY_MS = 2000;

const noop = () => undefined;

const ACK_DEFERRED = new Error('the PUBACK is sent once the flow handled the message');

/**
 * mqtt.js 5 holds publishes back in this queue while it resends stored packets after a connect
 * (not in its typings).
 */
interface StoreQueue {
  _storeProcessing: boolean;
  _storeProcessingQueue: unknown[];
}

/** mqtt.js 5's own way of writing a packet in order with the rest (not in its typings). */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number | undefined }): void;
}

/**
 * One live connection to a broker, shared by the flow's MQTT nodes. Thin on purpose: publishing
 * resolves on PUBACK (QoS 1) or PUBCOMP (QoS 2), and incoming messages go to every listener, which
 * filters by its own subscription.
 */
export class MqttConnection {
  private readonly listeners = new Set<(message: IncomingMqttMessage) => void>();
  /** This connection's own encoding of publishes (QoS 0 and 1 without properties). */
  private readonly packets: PublishPacketWriter;
  private readonly held = new WeakMap<Packet, HeldAck>();

  /**
   * Messages that arrived before any node listened: a resumed session's queue comes right after
   * CONNACK, before the flow's nodes had a chance to attach. Kept, unacknowledged, and given to each
   * node that attaches in the first EARLY_MS; then acknowledged (no node of the flow wanted them).
   */
  private early:
    Array<{ topic: string; payload: Buffer; packet: IPublishPacket; release: (ack: boolean) => void }> | undefined = [];

  /**
   * @param sessionPresent the broker kept this client's session (CONNACK): it sends again the QoS 1
   *   messages an earlier connection brought and did not acknowledge.
   */
  constructor(
    readonly client: MqttClient,
    readonly sessionPresent = false,
  ) {
    this.packets = new PublishPacketWriter(() => client.stream, this.protocolVersion);
    client.on('message', (topic, payload, packet) => {
      if (this.listeners.size === 0 && this.early !== undefined) {
        // Only a QoS 1 PUBACK can wait; QoS 0 has none, QoS 2 was confirmed (PUBREC) already.
        const release = packet.qos === 1 ? this.hold(packet) : () => undefined;
        this.early.push({ topic, payload, packet, release });
        return;
      }
      for (const listener of this.listeners) listener(this.incoming(topic, payload, packet));
    });
    setTimeout(() => {
      for (const e of this.early ?? []) e.release(true);
      this.early = undefined;
    }, EARLY_MS).unref();
    // mqtt.js reads the socket one packet at a time and sends a QoS 1 PUBACK when handleMessage
    // calls back; its customHandleAcks would stop reading until then. Calling back at once with an
    // error makes it read on without a PUBACK; the PUBACK goes out when the flow is done.
    // While a node holds the reading (holdReading), the call back waits: mqtt.js reads no further.
    const handleMessage = client.handleMessage.bind(client);
    client.handleMessage = (packet, callback) => {
      const go = () => {
        const hold = this.held.get(packet);
        if (hold === undefined || (hold.pending === 0 && !hold.failed)) {
          this.held.delete(packet);
          return handleMessage(packet, callback);
        }
        hold.deferred = true;
        callback(ACK_DEFERRED);
      };
      if (this.readingHolds > 0) this.whenReading.push(go);
      else go();
    };
  }

  private readingHolds = 0;
  private readonly whenReading: Array<() => void> = [];

  /**
   * Stops mqtt.js reading packets after the one being handled until the returned function is
   * called (by every holder): TCP then holds the broker back, which keeps what it has for this
   * client under its own limits. Everything on the connection waits meanwhile, the PUBACKs of its
   * publishes and the keep-alive's answer too: a hold longer than the keep-alive ends the
   * connection, and the resource makes a new one.
   */
  holdReading(): () => void {
    this.readingHolds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.readingHolds > 0) return;
      for (const go of this.whenReading.splice(0)) go();
    };
  }

  private incoming(topic: string, payload: Buffer, packet: IPublishPacket): IncomingMqttMessage {
    const qos = packet.qos;
    return { topic, payload, retain: packet.retain, qos, holdAck: qos === 1 ? () => this.hold(packet) : undefined };
  }

  private hold(packet: IPublishPacket): (ack: boolean) => void {
    let hold = this.held.get(packet);
    if (hold === undefined) {
      hold = { pending: 0, failed: false, deferred: false };
      this.held.set(packet, hold);
    }
    const h = hold;
    h.pending++;
    let released = false;
    return (ack) => {
      if (released) return;
      released = true;
      h.pending--;
      if (!ack) h.failed = true;
      if (h.pending > 0 || !h.deferred || h.failed) return;
      this.held.delete(packet);
      // A PUBACK belongs to the connection the message came on: after a reconnect (a new client)
      // the broker sends the message again instead.
      if (!this.client.connected) return;
      (this.client as unknown as PacketSender)._sendPacket({ cmd: 'puback', messageId: packet.messageId });
    };
  }

  /** 4 = MQTT 3.1.1, 5 = MQTT 5: what this connection speaks. */
  get protocolVersion(): number {
    return this.client.options.protocolVersion ?? 4;
  }

  publish(topic: string, body: string | Buffer, options: IClientPublishOptions): Promise<void> {
    this.packets.flush();
    return new Promise((resolve, reject) => {
      this.client.publish(topic, body, options, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Like `publish`, with a callback instead of a Promise: for a publisher's hot path. `done` gets an
   * error, or nothing (undefined or null: mqtt.js's own callback, with no wrapper per publish).
   */
  send(topic: string, body: string | Buffer, options: IClientPublishOptions, done: (err?: Error | null) => void): void {
    // QoS 0 and 1 without properties go through this connection's own encoder, as sendNow's do.
    const qos = options.qos ?? 0;
    if (options.properties === undefined && typeof body === 'string' && qos < 2 && this.writable()) {
      const retain = options.retain ?? false;
      if (qos === 0 ? this.packets.write(topic, body, retain, done) : this.sendQos1(topic, body, retain, done)) return;
    }
    this.packets.flush();
    this.client.publish(topic, body, options, done);
  }

  /**
   * A QoS 1 publish through the encoder, false when it cannot go that way. mqtt.js's part is what it
   * does for its own: a message id from its provider, and the publish among those awaiting a PUBACK
   * (`outgoing`, and its store, which the PUBACK's handling removes it from), so that mqtt.js
   * confirms it, frees the id, and fails it when the connection ends.
   */
  private sendQos1(topic: string, body: string, retain: boolean, done: (err?: Error | null) => void): boolean {
    const client = this.client;
    const messageId = client.messageIdProvider.allocate();
    // No id free: mqtt.js queues the publish until one is.
    if (messageId === null) return false;
    if (!this.packets.write(topic, body, retain, undefined, messageId)) {
      client.messageIdProvider.deallocate(messageId);
      return false;
    }
    client.outgoing[messageId] = { volatile: false, cmd: 'publish', cb: done };
    client.outgoingStore.put({ cmd: 'publish', topic, payload: body, qos: 1, retain, dup: false, messageId }, noop);
    return true;
  }

  /** Connected, and mqtt.js holds no publishes back (it resends stored ones after a connect first). */
  private writable(): boolean {
    const client = this.client;
    const store = client as unknown as StoreQueue;
    return (
      client.connected && !client.disconnecting && !store._storeProcessing && store._storeProcessingQueue.length === 0
    );
  }

  /**
   * QoS 0 without properties: encodes the publish for the socket at once if the connection is up
   * and its socket has room for the packet (true), to be written with the rest of this event-loop
   * turn's (PublishPacketWriter). Otherwise publishes nothing and returns false, for the caller to
   * buffer the message.
   */
  sendNow(topic: string, body: string, retain: boolean): boolean {
    const stream = this.client.stream;
    if (
      !this.writable() ||
      stream.writableNeedDrain ||
      stream.writableLength + this.packets.pendingBytes + mostPublishBytes(topic, body) >= stream.writableHighWaterMark
    )
      return false;
    return this.packets.write(topic, body, retain);
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
    for (const e of this.early ?? []) listener(this.incoming(e.topic, e.payload, e.packet));
    return () => this.listeners.delete(listener);
  }

  /** Closes the socket; waits at most a second for a clean DISCONNECT. */
  close(): Promise<void> {
    this.packets.flush();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.client.end(true, {}, () => resolve()), 1000);
      this.client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
