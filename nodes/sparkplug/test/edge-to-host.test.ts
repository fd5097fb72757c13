import { mqttBroker } from '@tagflow/nodes-mqtt';
import { Mosquitto, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { sparkplugEdgeNode, sparkplugIn, sparkplugOut } from '../src';
import { SparkplugPeer } from './sparkplug-peer';

let broker: Mosquitto;
const open: Array<{ stop(): Promise<void> }> = [];
const peers: SparkplugPeer[] = [];

beforeAll(async () => {
  broker = await Mosquitto.start({ settings: ['max_queued_messages 0'] });
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  for (const p of peers.splice(0)) p.close();
});
afterAll(async () => {
  await broker.down();
});

/** The edge runtime: one device, pump3, through sparkplug-out. */
async function edge(): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'edge',
      resources: [
        {
          id: 'edge',
          type: 'sparkplug-edge-node',
          config: { url: broker.url, groupId: 'plant1', edgeNodeId: 'edge7' },
        },
      ],
      nodes: [
        {
          id: 'out',
          type: 'sparkplug-out',
          typeVersion: 1,
          config: {
            edgeNode: 'edge',
            device: 'pump3',
            metrics: [{ name: 'flow', datatype: 'Double', engUnit: 'L/min' }],
          },
        },
      ],
      edges: [],
    },
    { nodes: [sparkplugOut], resources: [sparkplugEdgeNode], fakeTime: false },
  );
  open.push(f);
  return f;
}

/** The host runtime: sparkplug-in through an mqtt-broker resource. */
async function host(): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'host',
      resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: broker.url } }],
      nodes: [{ id: 'in', type: 'sparkplug-in', typeVersion: 1, config: { broker: 'plant', group: 'plant1' } }],
      edges: [],
    },
    { nodes: [sparkplugIn], resources: [mqttBroker], fakeTime: false },
  );
  open.push(f);
  await until(() => f.statuses('in').some((s) => s.state === 'ok'), 10_000, 'the host subscribed');
  return f;
}

const flows = (h: FlowUnderTest) => h.outputs('in').filter((m) => m.topic === 'plant1/edge7/pump3/flow');

describe('edge node to host application', () => {
  it('carries values from one runtime to another, resolving aliases, with units, quality and online state', async () => {
    const h = await host();
    const e = await edge();
    await until(() => h.outputs('in', 'state').length >= 2, 10_000, 'edge node and device online');
    expect(h.outputs('in', 'state').map((m) => [m.topic, m.payload, m.cause])).toEqual([
      ['plant1/edge7', 'online', 'NBIRTH'],
      ['plant1/edge7/pump3', 'online', 'DBIRTH'],
    ]);
    await e.inject('out', { topic: 'flow', payload: 41.7, timestamp: 1_767_225_612_000 });
    await e.inject('out', { topic: 'flow', payload: 12.5, quality: 'uncertain', timestamp: 1_767_225_613_000 });
    await e.inject('out', { topic: 'flow', payload: 0, quality: 'bad', timestamp: 1_767_225_614_000 });
    await until(() => flows(h).length === 4, 10_000, 'the birth value and three values');
    expect(flows(h).map((m) => [m.payload, m.quality, m.timestamp])).toEqual([
      [null, 'bad', expect.any(Number)],
      [41.7, 'good', 1_767_225_612_000],
      [12.5, 'uncertain', 1_767_225_613_000],
      [0, 'bad', 1_767_225_614_000],
    ]);
    expect(flows(h)[1]).toMatchObject({
      group: 'plant1',
      edgeNode: 'edge7',
      device: 'pump3',
      metric: 'flow',
      datatype: 'Double',
      historical: false,
    });
    expect(h.outputs('in').some((m) => m.topic === 'plant1/edge7/bdSeq')).toBe(true);

    // The edge flow stops: DDEATH and NDEATH mark both offline.
    await e.stop();
    await until(() => h.outputs('in', 'state').length >= 4, 10_000, 'offline');
    expect(
      h
        .outputs('in', 'state')
        .slice(2)
        .map((m) => [m.topic, m.payload, m.cause]),
    ).toEqual([
      ['plant1/edge7/pump3', 'offline', 'DDEATH'],
      ['plant1/edge7', 'offline', 'NDEATH'],
    ]);
    expect(h.errors).toEqual([]);
  });

  it('asks for a rebirth on a seq gap, and on data from an edge node it has not seen born', async () => {
    const watcher = await SparkplugPeer.connect(broker.url);
    peers.push(watcher);
    const e = await edge();
    await until(() => watcher.of('NBIRTH').length === 1, 10_000, 'NBIRTH');
    await e.inject('out', { topic: 'flow', payload: 1 });
    await until(() => watcher.of('DDATA').length === 1, 10_000, 'DDATA');

    // Started after the edge node: the next DDATA comes without a birth certificate seen.
    const h = await host();
    await e.inject('out', { topic: 'flow', payload: 2 });
    await until(() => watcher.of('NBIRTH').length === 2, 10_000, 'a rebirth on request');
    expect(watcher.of('NCMD').map((s) => s.payload.metrics.map((m) => [m.name, m.value]))).toEqual([
      [['Node Control/Rebirth', true]],
    ]);
    await e.inject('out', { topic: 'flow', payload: 3 });
    await until(() => flows(h).some((m) => m.payload === 3), 10_000, 'value 3 at the host');

    // A DDATA out of sequence (a lost message, as the host sees it): another rebirth request.
    const last = watcher.seen[watcher.seen.length - 1];
    await watcher.publishPayload('spBv1.0/plant1/DDATA/edge7/pump3', {
      timestamp: Date.now(),
      seq: ((last.seq ?? 0) + 5) % 256,
      metrics: [{ name: 'flow', type: 'Double', value: 99 }],
    });
    await until(() => watcher.of('NBIRTH').length === 3, 10_000, 'a rebirth after the seq gap');
    expect(watcher.of('NCMD')).toHaveLength(2);
    await until(() => /1 seq gap/.test(h.statuses('in').at(-1)?.text ?? ''), 10_000, 'the gap in the status');
    expect(h.statuses('in').at(-1)?.text).toBe('1 edge node online, 2 rebirth requests, 1 seq gap');
    // After the rebirth, values flow again in sequence.
    await e.inject('out', { topic: 'flow', payload: 4 });
    await until(() => flows(h).some((m) => m.payload === 4), 10_000, 'value 4 at the host');
    expect(watcher.of('NCMD')).toHaveLength(2);
  });
});
