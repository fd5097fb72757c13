import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { debug, movingAverage, simulate, threshold } from '@tagflow/nodes-core';
import { historian, historianOut } from '@tagflow/nodes-historian';
import { modbusDevice, modbusRead, modbusServe, modbusServer, modbusWrite } from '@tagflow/nodes-modbus';

// The demo's flow (scripts/demo-run.sh deploys it): pump-monitor with its sensor behind a simulated
// Modbus device, served by modbus-server on a loopback port and read back by modbus-read.

interface FlowFile extends Record<string, unknown> {
  nodes: Array<{ id: string; type: string; config: Record<string, unknown> }>;
  edges: Array<{ source: string; target: string }>;
  resources: Array<{ id: string; type: string; config: Record<string, unknown> }>;
}

const read = (file: string) => JSON.parse(readFileSync(resolve(__dirname, '..', file), 'utf8')) as FlowFile;
const monitor = read('flow.json');
const demo = read('demo-flow.json');

/** The demo flow with its Modbus port changed, as scripts/demo-run.sh does. */
function onPort(port: number): FlowFile {
  const flow = JSON.parse(JSON.stringify(demo)) as FlowFile;
  for (const r of flow.resources) if (r.type === 'modbus-server' || r.type === 'modbus-device') r.config.port = port;
  return flow;
}

const open: FlowUnderTest[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});

describe('examples/pump-monitor/demo-flow.json', () => {
  it('is the pump-monitor flow, with only its sensor put behind Modbus', () => {
    const downstream = monitor.nodes.filter((n) => n.id !== 'flow-sensor');
    expect(demo.nodes.filter((n) => downstream.some((d) => d.id === n.id))).toEqual(downstream);
    const sensor = (f: FlowFile) => f.nodes.find((n) => n.id === 'flow-sensor')?.config;
    expect(sensor(demo)).toEqual(sensor(monitor));
    const processing = (f: FlowFile) =>
      f.edges.filter((e) => !['flow-sensor', 'plc-registers', 'plc-read'].includes(e.source));
    expect(processing(demo)).toEqual(processing(monitor));
    expect(demo.edges).toEqual(expect.arrayContaining([{ source: 'plc-read', target: 'avg' }]));
  });

  it('round-trips the simulated sensor over Modbus TCP into the moving average, and takes client writes', async () => {
    const port = await freePort();
    const f = await runFlow(onPort(port), {
      nodes: [simulate, movingAverage, threshold, debug, historianOut, modbusServe, modbusRead],
      resources: [historian, modbusServer, modbusDevice],
      fakeTime: false,
    });
    open.push(f);
    await until(() => f.outputs('plc-read').length >= 12, 20_000, 'a dozen Modbus reads');

    // Every value read is a simulator value as a float32 register holds it (or the PLC's initial 40).
    const served = new Set([40, ...(f.payloads('flow-sensor') as number[]).map((v) => Math.fround(v))]);
    const reads = f.outputs('plc-read');
    expect(reads.every((m) => m.quality === 'good' && m.topic === 'pump3/flow')).toBe(true);
    expect(reads.filter((m) => !served.has(m.payload as number))).toEqual([]);
    // Not stuck on the initial value: the simulator's values came through.
    expect(new Set(reads.map((m) => m.payload)).size).toBeGreaterThan(3);
    expect(f.debug.filter((d) => d.nodeId === 'show-average').length).toBeGreaterThan(3);
    expect(f.errors).toEqual([]);

    // A Modbus client writes the setpoint (tenths of m3/h in holding register 0): the flow shows it.
    const client = await runFlow(
      {
        schemaVersion: 1,
        id: 'scada',
        resources: [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port } }],
        nodes: [
          {
            id: 'write',
            type: 'modbus-write',
            typeVersion: 1,
            config: { device: 'plc', function: 'holding-register', address: 0, type: 'int16', scale: 0.1 },
          },
        ],
        edges: [],
      },
      { nodes: [modbusWrite], resources: [modbusDevice], fakeTime: false },
    );
    open.push(client);
    await until(() => client.statuses('write').some((s) => s.text === 'connected'), 10_000, 'the client connected');
    await client.inject('write', 45.5);
    expect(client.errors).toEqual([]);
    await until(() => f.debug.some((d) => d.nodeId === 'show-setpoint'), 5000, 'the setpoint in the flow');
    expect(f.debug.filter((d) => d.nodeId === 'show-setpoint').map((d) => d.data)).toEqual([45.5]);
  });
});
