import type {
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  Msg,
  MsgHdrs,
  NatsConnection,
  PubAck,
  Subscription,
} from 'nats';

/** What a JetStream pull consumer is to be, when nats-in creates or checks it. */
export interface ConsumerSpec {
  stream: string;
  durable: string;
  /** Only messages on this subject (may hold wildcards); undefined: every subject of the stream. */
  filterSubject?: string;
  ackWaitMs: number;
  /** Deliveries before the server gives a message up; -1: no limit. */
  maxDeliver: number;
  maxAckPending: number;
}

/** The nats library's values (the library loads when a flow first connects, not with the palette). */
type NatsLibrary = typeof import('nats');

/**
 * One live connection to a NATS server, shared by the nodes of a `nats` resource: core publish and
 * subscribe, JetStream publish, and pull consumers. Made by `openNatsConnection`; every reconnect
 * makes a new one.
 */
export class NatsLink {
  private jsClient: JetStreamClient | undefined;
  private manager: Promise<JetStreamManager> | undefined;

  constructor(
    readonly nc: NatsConnection,
    private readonly lib: NatsLibrary,
    /** The server this connection reached, for messages. */
    readonly server: string,
  ) {}

  get closed(): boolean {
    return this.nc.isClosed();
  }

  /** Core publish: buffered by the client; `flush` confirms the server has everything before it. */
  publish(subject: string, data: Uint8Array, headers?: Record<string, string>): void {
    this.nc.publish(subject, data, headers === undefined ? undefined : { headers: this.headers(headers) });
  }

  /** Resolves once the server has processed everything published before (a PING/PONG round trip). */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  /** JetStream publish: resolves with the stream's acknowledgement; `msgId` lets the server drop a repeat. */
  jsPublish(subject: string, data: Uint8Array, msgId: string, headers?: Record<string, string>): Promise<PubAck> {
    this.jsClient ??= this.nc.jetstream();
    return this.jsClient.publish(subject, data, {
      msgID: msgId,
      ...(headers === undefined ? {} : { headers: this.headers(headers) }),
    });
  }

  /** Core subscription, optionally in a queue group (each message to one member of the group). */
  subscribe(subject: string, queue: string | undefined, onMessage: (msg: Msg) => void): Subscription {
    return this.nc.subscribe(subject, {
      ...(queue === undefined ? {} : { queue }),
      callback: (err, msg) => {
        if (err === null) onMessage(msg);
      },
    });
  }

  /** Makes sure `name` exists; creates it with `subjects` when missing and `subjects` is given. */
  async ensureStream(name: string, subjects: string[] | undefined): Promise<void> {
    const jsm = await this.jsm();
    try {
      await jsm.streams.info(name);
      return;
    } catch (err) {
      if (!isNotFound(err) || subjects === undefined) throw err;
    }
    await jsm.streams.add({ name, subjects, storage: this.lib.StorageType.File });
  }

  /** Makes sure the durable pull consumer exists; creates it when missing and `create` is set. */
  async ensureConsumer(spec: ConsumerSpec, create: boolean): Promise<void> {
    const jsm = await this.jsm();
    try {
      await jsm.consumers.info(spec.stream, spec.durable);
      return;
    } catch (err) {
      if (!isNotFound(err) || !create) throw err;
    }
    await jsm.consumers.add(spec.stream, {
      durable_name: spec.durable,
      ack_policy: this.lib.AckPolicy.Explicit,
      ack_wait: this.lib.nanos(spec.ackWaitMs),
      max_deliver: spec.maxDeliver,
      max_ack_pending: spec.maxAckPending,
      ...(spec.filterSubject === undefined ? {} : { filter_subject: spec.filterSubject }),
    });
  }

  /** Pulls from a durable consumer, up to `batch` messages buffered ahead of the flow. */
  async consume(stream: string, durable: string, batch: number): Promise<ConsumerMessages> {
    this.jsClient ??= this.nc.jetstream();
    const consumer = await this.jsClient.consumers.get(stream, durable);
    return consumer.consume({ max_messages: batch });
  }

  /** The message's headers as plain strings (the first value of a repeated header). */
  static headerRecord(headers: MsgHdrs | undefined): Record<string, string> | undefined {
    if (headers === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [key, values] of headers) if (values.length > 0) out[key] = values[0];
    return out;
  }

  private headers(record: Record<string, string>): MsgHdrs {
    const h = this.lib.headers();
    for (const [key, value] of Object.entries(record)) h.set(key, value);
    return h;
  }

  private jsm(): Promise<JetStreamManager> {
    this.manager ??= this.nc.jetstreamManager();
    this.manager.catch(() => (this.manager = undefined));
    return this.manager;
  }

  /** Closes the connection; idempotent. */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }
}

export type { JsMsg, Msg };

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { code?: number }; message?: string };
  return e?.api_error?.code === 404 || e?.code === '404' || /not found/i.test(e?.message ?? '');
}
