import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mosquitto, runFlow, until } from '@tagflow/node-test';
import { sparkplugCommand, sparkplugEdgeNode, sparkplugOut } from '../src';
import { num, SparkplugPeer } from './sparkplug-peer';
import type { Seen, TahuMetric } from './sparkplug-peer';

let broker: Mosquitto;
const open: Array<{ stop(): Promise<void> }> = [];
const peers: SparkplugPeer[] = [];

beforeAll(async () => {
  // QoS 0 messages are queued for a persistent subscriber while it reconnects after a restart.
  broker = await Mosquitto.start({ settings: ['max_queued_messages 0', 'queue_qos0_messages true'] });
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  for (const p of peers.splice(0)) p.close();
});
afterAll(async () => {
  await broker.down();
});

async function peer(options: { clientId?: string; persistent?: boolean } = {}): Promise<SparkplugPeer> {
  const p = await SparkplugPeer.connect(broker.url, options);
  peers.push(p);
  return p;
}

let groups = 0;

/** An edge node of a new group (so that tests do not see each other's messages), with a device pump3. */
async function edgeFlow(edgeConfig: Record<string, unknown> = {}, dataDir?: string) {
  const group = `g${++groups}`;
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'sparkplug-edge',
      resources: [
        {
          id: 'edge',
          type: 'sparkplug-edge-node',
          config: { url: broker.url, groupId: group, edgeNodeId: 'e1', ...edgeConfig },
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
            metric: 'flow',
            metrics: [{ name: 'flow', datatype: 'Float', engUnit: 'L/min' }],
          },
        },
        { id: 'any', type: 'sparkplug-out', typeVersion: 1, config: { edgeNode: 'edge' } },
        { id: 'cmd', type: 'sparkplug-command', typeVersion: 1, config: { edgeNode: 'edge' } },
      ],
      edges: [],
    },
    { nodes: [sparkplugOut, sparkplugCommand], resources: [sparkplugEdgeNode], fakeTime: false, dataDir },
  );
  open.push(f);
  return { f, group };
}

const metric = (s: Seen, name: string): TahuMetric | undefined => s.payload.metrics.find((m) => m.name === name);
const ddataValues = (p: SparkplugPeer, device = 'pump3') => p.of('DDATA', device).flatMap((s) => s.payload.metrics);

describe('sparkplug edge node', () => {
  it('is born with NBIRTH (seq 0, bdSeq, rebirth control) and a DBIRTH declaring its metrics', async () => {
    const p = await peer();
    const { group } = await edgeFlow();
    await until(() => p.of('DBIRTH').length === 1, 10_000, 'NBIRTH and DBIRTH');
    const [nbirth] = p.of('NBIRTH');
    expect(nbirth.topic).toBe(`spBv1.0/${group}/NBIRTH/e1`);
    expect(nbirth.seq).toBe(0);
    expect(metric(nbirth, 'bdSeq')).toMatchObject({ type: 'Int64' });
    expect(metric(nbirth, 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    const [dbirth] = p.of('DBIRTH');
    expect(dbirth.topic).toBe(`spBv1.0/${group}/DBIRTH/e1/pump3`);
    expect(dbirth.seq).toBe(1);
    const flow = metric(dbirth, 'flow');
    expect(flow).toMatchObject({ type: 'Float', value: null });
    expect(num(flow?.alias)).toBeGreaterThan(0);
    expect(flow?.properties?.engUnit).toMatchObject({ value: 'L/min' });
    // No value yet: bad quality.
    expect(flow?.properties?.Quality).toMatchObject({ type: 'Int32', value: 0 });
  });

  it('sends DDATA by alias with the source timestamp, quality, and a seq that wraps at 255', async () => {
    const p = await peer();
    const { f } = await edgeFlow();
    await until(() => p.of('DBIRTH').length === 1, 10_000, 'DBIRTH');
    const alias = num(metric(p.of('DBIRTH')[0], 'flow')?.alias);
    // One at a time, so that each value has its own DDATA and seq runs past 255.
    for (let i = 0; i < 300; i++) {
      await f.inject('out', { payload: i / 2, timestamp: 1_700_000_000_000 + i });
      await until(() => ddataValues(p).length === i + 1, 10_000, `value ${i}`);
    }
    await f.inject('out', { payload: 7.25, quality: 'uncertain', timestamp: 1_700_000_001_000 });
    await until(() => ddataValues(p).length === 301, 20_000, '301 values');
    const values = ddataValues(p);
    expect(values.map((m) => m.value)).toEqual([...Array.from({ length: 300 }, (_, i) => i / 2), 7.25]);
    expect(values.every((m) => m.name === undefined && num(m.alias) === alias && m.type === 'Float')).toBe(true);
    expect(values.map((m) => num(m.timestamp)).slice(0, 3)).toEqual([
      1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002,
    ]);
    expect(values.some((m) => m.isHistorical === true)).toBe(false);
    expect(values[300].properties?.Quality).toMatchObject({ value: 64 });
    expect(values[0].properties).toBeUndefined();
    // Every message after NBIRTH takes the next seq, 255 wrapping to 0.
    const seqs = p.seen.map((s) => s.seq);
    expect(seqs[0]).toBe(0);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(((seqs[i - 1] ?? 0) + 1) % 256);
    expect(seqs).toContain(255);
    expect(seqs.lastIndexOf(0)).toBeGreaterThan(0);
  });

  it('gives a new device or metric a DBIRTH before its DDATA, with inferred data types', async () => {
    const p = await peer();
    const { f } = await edgeFlow();
    await until(() => p.of('DBIRTH').length === 1, 10_000, 'DBIRTH of pump3');
    await f.inject('any', { payload: { running: true, mode: 'auto', speed: 1450 }, device: 'drive7' });
    await until(() => ddataValues(p, 'drive7').length === 3, 10_000, 'DDATA of drive7');
    const dbirth = p.of('DBIRTH', 'drive7');
    expect(dbirth.length).toBeGreaterThanOrEqual(1);
    const last = dbirth[dbirth.length - 1];
    expect(metric(last, 'running')).toMatchObject({ type: 'Boolean', value: true });
    expect(metric(last, 'mode')).toMatchObject({ type: 'String', value: 'auto' });
    expect(metric(last, 'speed')).toMatchObject({ type: 'Double', value: 1450 });
    expect(p.seen.indexOf(last)).toBeLessThan(p.seen.indexOf(p.of('DDATA', 'drive7')[0]));
    // A message without a device is refused in plain words.
    await f.inject('any', { payload: 1, topic: 'x' });
    expect(f.errors.map((e) => e.code)).toContain('SPARKPLUG_METRIC');
  });

  it('publishes NBIRTH and every DBIRTH again on an NCMD Node Control/Rebirth', async () => {
    const p = await peer();
    const { f, group } = await edgeFlow();
    await until(() => p.of('DBIRTH').length === 1, 10_000, 'DBIRTH');
    await f.inject('out', { payload: 3.5 });
    await until(() => p.of('DDATA').length === 1, 10_000, 'DDATA');
    const bdSeq = num(metric(p.of('NBIRTH')[0], 'bdSeq')?.value);
    await p.command(group, 'e1', [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
    await until(() => p.of('DBIRTH').length === 2, 10_000, 'the second DBIRTH');
    const nbirths = p.of('NBIRTH');
    expect(nbirths).toHaveLength(2);
    expect(nbirths[1].seq).toBe(0);
    expect(num(metric(nbirths[1], 'bdSeq')?.value)).toBe(bdSeq);
    // The DBIRTH carries the latest value.
    expect(metric(p.of('DBIRTH')[1], 'flow')).toMatchObject({ value: 3.5 });
    expect(f.outputs('cmd')).toEqual([]);
  });

  it('routes DCMD and NCMD writes into the flow, by name and by alias', async () => {
    const p = await peer();
    const { f, group } = await edgeFlow();
    await until(() => p.of('DBIRTH').length === 1, 10_000, 'DBIRTH');
    const alias = metric(p.of('DBIRTH')[0], 'flow')?.alias;
    await p.command(group, 'e1', [{ name: 'setpoint', type: 'Double', value: 42.5 }], 'pump3');
    await p.command(group, 'e1', [{ alias, type: 'Float', value: 12 }], 'pump3');
    await p.command(group, 'e1', [{ name: 'mode', type: 'String', value: 'manual' }]);
    await until(() => f.outputs('cmd').length === 3, 10_000, 'three commands');
    expect(f.outputs('cmd')).toEqual([
      expect.objectContaining({
        topic: 'setpoint',
        payload: 42.5,
        device: 'pump3',
        datatype: 'Double',
        quality: 'good',
      }),
      expect.objectContaining({ topic: 'flow', payload: 12, device: 'pump3', datatype: 'Float' }),
      expect.objectContaining({ topic: 'mode', payload: 'manual', datatype: 'String' }),
    ]);
    expect(f.outputs('cmd')[2]).not.toHaveProperty('device');
  });

  it('waits for its primary host, stores while it is offline, and replays the values as historical', async () => {
    const p = await peer();
    const { f, group } = await edgeFlow({ primaryHostId: 'scada' });
    await f.inject('out', { payload: 1 });
    await f.inject('out', { payload: 2 });
    await until(
      () => f.statuses('out').some((s) => s.text === 'waiting for the host application, 2 buffered'),
      10_000,
      'waiting',
    );
    expect(p.of('NBIRTH')).toEqual([]);
    await p.publish('spBv1.0/STATE/scada', JSON.stringify({ online: true, timestamp: Date.now() }), true);
    await until(() => ddataValues(p).length === 2, 10_000, 'the two stored values');
    expect(ddataValues(p).map((m) => [m.value, m.isHistorical])).toEqual([
      [1, true],
      [2, true],
    ]);
    const firstBdSeq = num(metric(p.of('NBIRTH')[0], 'bdSeq')?.value);
    await f.inject('out', { payload: 3 });
    await until(() => ddataValues(p).length === 3, 10_000, 'a live value');
    expect(ddataValues(p)[2].isHistorical).not.toBe(true);

    // The host goes offline: NDEATH, then nothing until it is back.
    await p.publish('spBv1.0/STATE/scada', JSON.stringify({ online: false, timestamp: Date.now() }), true);
    await until(() => p.of('NDEATH').length === 1, 10_000, 'NDEATH');
    expect(num(metric(p.of('NDEATH')[0], 'bdSeq')?.value)).toBe(firstBdSeq);
    for (const v of [4, 5, 6]) await f.inject('out', { payload: v });
    await until(() => f.statuses('out').some((s) => /3 buffered/.test(s.text ?? '')), 10_000, 'three buffered');
    expect(ddataValues(p)).toHaveLength(3);
    await p.publish('spBv1.0/STATE/scada', JSON.stringify({ online: true, timestamp: Date.now() }), true);
    await until(() => ddataValues(p).length === 6, 20_000, 'the values stored while the host was offline');
    const nbirths = p.of('NBIRTH');
    expect(num(metric(nbirths[nbirths.length - 1], 'bdSeq')?.value)).toBe((firstBdSeq + 1) % 256);
    expect(
      ddataValues(p)
        .slice(3)
        .map((m) => [m.value, m.isHistorical]),
    ).toEqual([
      [4, true],
      [5, true],
      [6, true],
    ]);
    expect(group).toMatch(/^g/);
  });

  it('keeps DDATA sent while the broker is down and replays it, historical, after the rebirth', async () => {
    const p = await peer({ clientId: 'restart-peer', persistent: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-sparkplug-'));
    const { f } = await edgeFlow({}, dataDir);
    await until(() => p.of('DBIRTH').length === 1, 10_000, 'DBIRTH');
    for (let i = 0; i < 10; i++) await f.inject('out', { payload: i });
    await until(() => ddataValues(p).length === 10, 10_000, 'ten live values');
    await broker.down();
    await until(() => f.statuses('out').some((s) => s.text?.startsWith('offline') === true), 10_000, 'offline');
    for (let i = 10; i < 30; i++) await f.inject('out', { payload: i });
    await until(() => f.statuses('out').some((s) => s.text === 'offline, 20 buffered'), 10_000, '20 buffered');
    await broker.up();
    await until(() => ddataValues(p).length >= 30, 30_000, 'the 20 values stored while the broker was down');
    const values = ddataValues(p);
    // Nothing lost, in order, the stored ones flagged historical.
    expect(values.map((m) => m.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(values.slice(10).every((m) => m.isHistorical === true)).toBe(true);
    expect(values.slice(0, 10).some((m) => m.isHistorical === true)).toBe(false);
    // A new connection: a new bdSeq, born again before the replay.
    const nbirths = p.of('NBIRTH');
    expect(nbirths).toHaveLength(2);
    const bdSeqs = nbirths.map((s) => num(metric(s, 'bdSeq')?.value));
    expect(bdSeqs[1]).toBe((bdSeqs[0] + 1) % 256);
    const replay = p.seen.findIndex((s) => s.type === 'DDATA' && s.payload.metrics.some((m) => m.isHistorical));
    expect(replay).toBeGreaterThan(p.seen.indexOf(nbirths[1]));
    expect(replay).toBeGreaterThan(p.seen.indexOf(p.of('DBIRTH')[1]));
  });
});
