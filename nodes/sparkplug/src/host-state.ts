import type { Quality } from '@tagflow/node-sdk';
import { QUALITY_PROPERTY, dataTypeName, qualityFromCode } from './payload-codec';
import type { SparkplugMetric, SparkplugPayload } from './payload-codec';
import type { SparkplugTopic } from './topics';

/** One metric value as the host side hands it to the flow. */
export interface HostValue {
  group: string;
  edgeNode: string;
  device?: string;
  metric: string;
  value: unknown;
  datatype?: string;
  timestamp: number;
  quality: Quality;
  historical: boolean;
}

/** A node or device coming online or going offline. */
export interface HostEvent {
  group: string;
  edgeNode: string;
  device?: string;
  online: boolean;
  /** The message that said so: NBIRTH, NDEATH, DBIRTH or DDEATH. */
  cause: string;
}

/** What the host side does with one Sparkplug message. */
export interface HostOutcome {
  values: HostValue[];
  events: HostEvent[];
  /** Why a rebirth should be requested from this edge node (a seq gap, data before birth). */
  rebirth?: string;
}

interface MetricInfo {
  name: string;
  datatype?: number;
}

interface EdgeNodeState {
  online: boolean;
  bdSeq?: number;
  /** Seq of the last message received; undefined until NBIRTH. */
  seq?: number;
  /** Alias -> metric, for the node's own metrics (key '') and each device's. */
  aliases: Map<string, Map<number, MetricInfo>>;
  devices: Map<string, boolean>;
  /** A rebirth was requested and its NBIRTH has not come yet: do not ask again. */
  rebirthAsked: boolean;
}

/**
 * The host application's view of the edge nodes it hears (birth certificates, aliases, seq, online
 * state), kept per `<group>/<edge node>`. Pure: it decides, the node publishes and emits.
 */
export class HostTracker {
  private readonly nodes = new Map<string, EdgeNodeState>();
  /** Rebirth requests decided so far. */
  rebirths = 0;
  /** Seq gaps seen so far. */
  gaps = 0;

  /** Edge nodes online now. */
  get online(): number {
    let n = 0;
    for (const s of this.nodes.values()) if (s.online) n++;
    return n;
  }

  handle(topic: SparkplugTopic, payload: SparkplugPayload): HostOutcome {
    const key = `${topic.groupId}/${topic.edgeNodeId}`;
    let state = this.nodes.get(key);
    if (!state) {
      state = { online: false, aliases: new Map(), devices: new Map(), rebirthAsked: false };
      this.nodes.set(key, state);
    }
    const out: HostOutcome = { values: [], events: [] };
    const base = { group: topic.groupId, edgeNode: topic.edgeNodeId };

    if (topic.type === 'NDEATH') {
      const bdSeq = payload.metrics.find((m) => m.name === 'bdSeq')?.value;
      // The will of an older connection (a bdSeq other than the current birth's) is stale.
      if (state.bdSeq !== undefined && bdSeq !== undefined && Number(bdSeq) !== state.bdSeq) return out;
      if (state.online) out.events.push({ ...base, online: false, cause: 'NDEATH' });
      for (const [device, online] of state.devices)
        if (online) out.events.push({ ...base, device, online: false, cause: 'NDEATH' });
      state.online = false;
      state.seq = undefined;
      state.devices.clear();
      return out;
    }

    if (topic.type === 'NBIRTH') {
      const bdSeq = payload.metrics.find((m) => m.name === 'bdSeq')?.value;
      state.online = true;
      state.bdSeq = bdSeq === undefined ? undefined : Number(bdSeq);
      state.seq = payload.seq;
      state.aliases.clear();
      state.devices.clear();
      state.rebirthAsked = false;
      out.events.push({ ...base, online: true, cause: 'NBIRTH' });
      this.learn(state, '', payload.metrics);
      out.values = this.values(base, undefined, payload, state);
      return out;
    }

    if (topic.type === 'NCMD' || topic.type === 'DCMD') return out;

    // Every other message counts in seq; one that does not follow the last is a gap.
    if (!state.online || state.seq === undefined)
      return this.askRebirth(state, out, 'data from an edge node without its birth certificate');
    const expected = (state.seq + 1) % 256;
    const seq = payload.seq;
    state.seq = seq;
    if (seq !== expected) {
      this.gaps++;
      this.askRebirth(state, out, `seq ${seq ?? 'missing'} where ${expected} was due`);
    }

    const device = topic.deviceId;
    if (topic.type === 'DBIRTH' && device !== undefined) {
      state.aliases.set(device, new Map<number, MetricInfo>());
      this.learn(state, device, payload.metrics);
      if (state.devices.get(device) !== true) out.events.push({ ...base, device, online: true, cause: 'DBIRTH' });
      state.devices.set(device, true);
    } else if (topic.type === 'DDEATH' && device !== undefined) {
      if (state.devices.get(device) === true) out.events.push({ ...base, device, online: false, cause: 'DDEATH' });
      state.devices.set(device, false);
      return out;
    } else if (device !== undefined && state.devices.get(device) !== true) {
      return this.askRebirth(state, out, `data from device ${device} without its birth certificate`);
    }
    out.values.push(...this.values(base, device, payload, state));
    if (out.values.length < payload.metrics.length && out.rebirth === undefined)
      this.askRebirth(state, out, 'a metric alias without a birth certificate');
    return out;
  }

  private askRebirth(state: EdgeNodeState, out: HostOutcome, why: string): HostOutcome {
    if (state.rebirthAsked) return out;
    state.rebirthAsked = true;
    this.rebirths++;
    out.rebirth = why;
    return out;
  }

  private learn(state: EdgeNodeState, scope: string, metrics: readonly SparkplugMetric[]): void {
    let aliases = state.aliases.get(scope);
    if (!aliases) state.aliases.set(scope, (aliases = new Map<number, MetricInfo>()));
    for (const m of metrics)
      if (m.alias !== undefined && m.name !== undefined) aliases.set(m.alias, { name: m.name, datatype: m.datatype });
  }

  private values(
    base: { group: string; edgeNode: string },
    device: string | undefined,
    payload: SparkplugPayload,
    state: EdgeNodeState,
  ): HostValue[] {
    const aliases = state.aliases.get(device ?? '');
    const values: HostValue[] = [];
    for (const m of payload.metrics) {
      const known = m.alias === undefined ? undefined : aliases?.get(m.alias);
      const name = m.name ?? known?.name;
      if (name === undefined) continue;
      const datatype = m.datatype ?? known?.datatype;
      const v: HostValue = {
        ...base,
        metric: name,
        value: m.value,
        timestamp: m.timestamp ?? payload.timestamp ?? Date.now(),
        quality: qualityFromCode(m.properties?.[QUALITY_PROPERTY]),
        historical: m.isHistorical === true,
      };
      if (device !== undefined) v.device = device;
      if (datatype !== undefined) v.datatype = dataTypeName(datatype);
      values.push(v);
    }
    return values;
  }
}
