import type { MqttClient } from 'mqtt';
import type { NodeLogger, Quality } from '@tagflow/node-sdk';
import { DataType, QUALITY_CODES, QUALITY_PROPERTY, decodePayload, encodePayload } from './payload-codec';
import type { PropertyScalar, SparkplugMetric } from './payload-codec';
import { parseState, sparkplugTopic, stateTopic } from './topics';

/** The node control metric a host writes `true` to, to ask for a new birth certificate. */
export const REBIRTH_METRIC = 'Node Control/Rebirth';

/** A metric as a device declares it in its birth certificate, with its latest value. */
export interface BirthMetric {
  name: string;
  /** A DataType number. */
  datatype: number;
  /** Latest value; null when none yet. */
  value: unknown;
  timestamp: number;
  quality: Quality;
  properties?: Record<string, PropertyScalar>;
}

/** What tells the session the metrics of a device (each sparkplug-out node naming it). */
export interface DeviceSource {
  birthMetrics(): BirthMetric[];
}

/** One value to send in a DDATA message. */
export interface DataValue {
  metric: string;
  datatype: number;
  value: unknown;
  timestamp: number;
  quality: Quality;
  /** Stored while no host could receive it: replayed with is_historical. */
  historical: boolean;
}

/** A write from a host: NCMD (no device) or DCMD. */
export interface Command {
  device?: string;
  metric: string;
  value: unknown;
  datatype?: number;
  timestamp: number;
}

/** What an edge node session needs to know. */
export interface EdgeSessionOptions {
  groupId: string;
  edgeNodeId: string;
  /** Publish only while this host application's STATE says online. */
  primaryHostId?: string;
  /** This connection's birth/death sequence number (0-255), the one in its will. */
  bdSeq: number;
  log: NodeLogger;
  /** Ends this connection for good (the runtime reconnects with backoff). */
  lost(reason: Error): void;
}

type BornWaiter = (born: boolean) => void;

/**
 * One MQTT connection of a Sparkplug edge node: its NBIRTH/NDEATH pair (NDEATH is the
 * connection's will, with the same bdSeq), the DBIRTH of each device, the seq counter and the
 * metric aliases of this birth, the primary host's STATE, and NCMD/DCMD. Everything published goes
 * through `publish`, in call order, so seq numbers go out in order.
 */
export class EdgeNodeSession {
  private readonly devices = new Map<string, Set<DeviceSource>>();
  private readonly aliases = new Map<string, number>();
  private readonly commandListeners = new Set<(command: Command) => void>();
  private readonly bornWaiters = new Set<BornWaiter>();
  private nextAlias = 1;
  private seq = 0;
  private hostOnline: boolean;
  private closed = false;
  /** When this session first sent NBIRTH (ms since the epoch); undefined while unborn. */
  bornAt: number | undefined;

  constructor(
    readonly client: MqttClient,
    private readonly options: EdgeSessionOptions,
  ) {
    this.hostOnline = options.primaryHostId === undefined;
    client.on('message', (topic, body) => this.receive(topic, body));
  }

  get born(): boolean {
    return this.bornAt !== undefined && !this.closed;
  }

  /** Subscribes to commands (and the primary host's STATE), then is born unless a host is awaited. */
  async start(): Promise<void> {
    const { groupId, edgeNodeId, primaryHostId } = this.options;
    const filters = [sparkplugTopic(groupId, 'NCMD', edgeNodeId), sparkplugTopic(groupId, 'DCMD', edgeNodeId, '+')];
    if (primaryHostId !== undefined) filters.push(stateTopic(primaryHostId));
    await new Promise<void>((resolve, reject) =>
      this.client.subscribe(filters, { qos: 1 }, (err) => (err ? reject(err) : resolve())),
    );
    if (this.hostOnline) this.birth();
  }

  /** The NDEATH payload this session's will carries. */
  static deathPayload(bdSeq: number): Uint8Array {
    return encodePayload({
      timestamp: Date.now(),
      metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: bdSeq, timestamp: Date.now() }],
    });
  }

  /** Adds a source of a device's metrics; its DBIRTH goes out now if born. Returns a remover. */
  addDevice(deviceId: string, source: DeviceSource): () => void {
    let sources = this.devices.get(deviceId);
    if (!sources) this.devices.set(deviceId, (sources = new Set()));
    sources.add(source);
    if (this.born) this.deviceBirth(deviceId);
    return () => {
      sources.delete(source);
      if (sources.size > 0) return;
      this.devices.delete(deviceId);
      if (this.born)
        this.publish(sparkplugTopic(this.options.groupId, 'DDEATH', this.options.edgeNodeId, deviceId), []).catch(
          (err: unknown) => this.options.log.warn('DDEATH not sent', { device: deviceId, error: String(err) }),
        );
    };
  }

  /** Publishes the device's birth certificate again (a metric it did not declare has appeared). */
  rebirthDevice(deviceId: string): void {
    if (this.born && this.devices.has(deviceId)) this.deviceBirth(deviceId);
  }

  /** Whether a metric of a device was declared in its current birth certificate. */
  declared(deviceId: string, metric: string): boolean {
    return this.aliases.has(aliasKey(deviceId, metric));
  }

  /** Resolves true once born, false if the session ends first or `signal` aborts. */
  whenBorn(signal: AbortSignal): Promise<boolean> {
    if (this.born) return Promise.resolve(true);
    if (this.closed || signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done: BornWaiter = (born) => {
        this.bornWaiters.delete(done);
        signal.removeEventListener('abort', aborted);
        resolve(born);
      };
      const aborted = () => done(false);
      this.bornWaiters.add(done);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Sends values of one device as a DDATA message; resolves once written to the socket. */
  publishDeviceData(deviceId: string, values: readonly DataValue[]): Promise<void> {
    if (!this.born) return Promise.reject(new Error('the edge node is not born (offline, or no host application)'));
    const metrics = values.map((v): SparkplugMetric => {
      const alias = this.aliases.get(aliasKey(deviceId, v.metric));
      const m: SparkplugMetric = {
        timestamp: v.timestamp,
        datatype: v.datatype,
        value: v.value,
        ...(alias === undefined ? { name: v.metric } : { alias }),
      };
      if (v.historical) m.isHistorical = true;
      if (v.quality !== 'good') m.properties = { [QUALITY_PROPERTY]: QUALITY_CODES[v.quality] };
      return m;
    });
    return this.publish(sparkplugTopic(this.options.groupId, 'DDATA', this.options.edgeNodeId, deviceId), metrics);
  }

  /** Calls `listener` with each NCMD/DCMD write (the rebirth request excepted). Returns a remover. */
  onCommand(listener: (command: Command) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  /**
   * Ends the session: NDEATH sent explicitly when born (a clean disconnect fires no will), then a
   * DISCONNECT. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    const wasBorn = this.born;
    this.closed = true;
    for (const waiter of [...this.bornWaiters]) waiter(false);
    if (wasBorn && this.client.connected) await this.sendDeath();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.client.end(true, {}, () => resolve()), 1000);
      this.client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** NBIRTH (seq 0, bdSeq, the rebirth control), then every device's DBIRTH. */
  private birth(): void {
    const { groupId, edgeNodeId, bdSeq } = this.options;
    this.seq = 0;
    this.aliases.clear();
    this.nextAlias = 1;
    const now = Date.now();
    this.bornAt ??= now;
    this.publishWithSeq(sparkplugTopic(groupId, 'NBIRTH', edgeNodeId), [
      { name: 'bdSeq', datatype: DataType.Int64, value: bdSeq, timestamp: now },
      { name: REBIRTH_METRIC, datatype: DataType.Boolean, value: false, timestamp: now },
    ]);
    for (const deviceId of this.devices.keys()) this.deviceBirth(deviceId);
    for (const waiter of [...this.bornWaiters]) waiter(true);
  }

  private deviceBirth(deviceId: string): void {
    const byName = new Map<string, BirthMetric>();
    for (const source of this.devices.get(deviceId) ?? [])
      for (const m of source.birthMetrics()) {
        const seen = byName.get(m.name);
        if (!seen || m.timestamp >= seen.timestamp) byName.set(m.name, m);
      }
    const metrics = [...byName.values()].map((m): SparkplugMetric => {
      const key = aliasKey(deviceId, m.name);
      let alias = this.aliases.get(key);
      if (alias === undefined) this.aliases.set(key, (alias = this.nextAlias++));
      return {
        name: m.name,
        alias,
        timestamp: m.timestamp,
        datatype: m.datatype,
        value: m.value,
        properties: { ...m.properties, [QUALITY_PROPERTY]: QUALITY_CODES[m.quality] },
      };
    });
    // A device with no metric yet is born with its first value.
    if (metrics.length === 0) return;
    void this.publish(sparkplugTopic(this.options.groupId, 'DBIRTH', this.options.edgeNodeId, deviceId), metrics).catch(
      (err: unknown) => this.options.log.warn('DBIRTH not sent', { device: deviceId, error: String(err) }),
    );
  }

  /** Publishes with the next seq (QoS 0, as the specification asks of every message but NDEATH). */
  private publish(topic: string, metrics: SparkplugMetric[]): Promise<void> {
    this.seq = (this.seq + 1) % 256;
    return this.send(topic, metrics, this.seq);
  }

  private publishWithSeq(topic: string, metrics: SparkplugMetric[]): void {
    void this.send(topic, metrics, this.seq).catch((err: unknown) =>
      this.options.log.warn('NBIRTH not sent', { error: String(err) }),
    );
  }

  private send(topic: string, metrics: SparkplugMetric[], seq: number): Promise<void> {
    const body = Buffer.from(encodePayload({ timestamp: Date.now(), seq, metrics }));
    return new Promise((resolve, reject) => {
      if (!this.client.connected) return reject(new Error('the connection to the broker is down'));
      this.client.publish(topic, body, { qos: 0, retain: false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  private sendDeath(): Promise<void> {
    const { groupId, edgeNodeId, bdSeq } = this.options;
    return new Promise((resolve) => {
      this.client.publish(
        sparkplugTopic(groupId, 'NDEATH', edgeNodeId),
        Buffer.from(EdgeNodeSession.deathPayload(bdSeq)),
        { qos: 1, retain: false },
        (err) => {
          if (err) this.options.log.warn('NDEATH not sent', { error: String(err) });
          resolve();
        },
      );
    });
  }

  private receive(topic: string, body: Buffer): void {
    const { groupId, edgeNodeId, primaryHostId } = this.options;
    if (this.closed) return;
    if (primaryHostId !== undefined && topic === stateTopic(primaryHostId)) return this.hostState(parseState(body));
    const ncmd = topic === sparkplugTopic(groupId, 'NCMD', edgeNodeId);
    const dcmdPrefix = `${sparkplugTopic(groupId, 'DCMD', edgeNodeId)}/`;
    if (!ncmd && !topic.startsWith(dcmdPrefix)) return;
    const device = ncmd ? undefined : topic.slice(dcmdPrefix.length);
    let metrics: SparkplugMetric[];
    try {
      metrics = decodePayload(body).metrics;
    } catch (err) {
      this.options.log.warn('a command that is not a Sparkplug B payload was ignored', { topic, error: String(err) });
      return;
    }
    for (const m of metrics) {
      const name = m.name ?? this.nameOfAlias(device, m.alias);
      if (name === undefined) {
        this.options.log.warn('a command for an unknown alias was ignored', { topic, alias: m.alias });
        continue;
      }
      if (ncmd && name === REBIRTH_METRIC) {
        if (m.value === true && this.born) {
          this.options.log.info('rebirth requested by a host application', {});
          this.birth();
        }
        continue;
      }
      const command: Command = { metric: name, value: m.value, timestamp: m.timestamp ?? Date.now() };
      if (device !== undefined) command.device = device;
      if (m.datatype !== undefined) command.datatype = m.datatype;
      for (const listener of this.commandListeners) listener(command);
    }
  }

  private nameOfAlias(device: string | undefined, alias: number | undefined): string | undefined {
    if (alias === undefined || device === undefined) return undefined;
    for (const [key, a] of this.aliases)
      if (a === alias && key.startsWith(`${device}\0`)) return key.slice(device.length + 1);
    return undefined;
  }

  /** The primary host came online: be born; went offline: NDEATH, and end this connection. */
  private hostState(online: boolean | undefined): void {
    if (online === undefined) return;
    if (online && !this.hostOnline) {
      this.hostOnline = true;
      if (!this.born) this.birth();
    } else if (!online && this.hostOnline) {
      this.hostOnline = false;
      if (!this.born) return;
      this.options.log.info('the primary host application went offline: storing until it is back', {
        host: this.options.primaryHostId,
      });
      // The next connection (new bdSeq) waits for the host's STATE before its NBIRTH.
      this.options.lost(new Error(`the primary host application "${this.options.primaryHostId}" is offline`));
    }
  }
}

function aliasKey(deviceId: string, metric: string): string {
  return `${deviceId}\0${metric}`;
}
