import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { acceptsConnections, freePort, Mosquitto, startPeer, until } from '@tagflow/node-test';
import type { PeerProcess } from '@tagflow/node-test';
import { runTagflow } from '@tagflow/test-support';

const exampleDir = resolve(__dirname, '..');

/** A value the simulator set, as it printed it. */
interface Produced {
  timestamp: number;
  value: number;
}

/** The deadband, written out plainly: pass the first value, then each one more than `band` from the last passed. */
function deadband(values: Produced[], band: number): Produced[] {
  const passed: Produced[] = [];
  for (const v of values)
    if (passed.length === 0 || Math.abs(v.value - passed[passed.length - 1].value) > band) passed.push(v);
  return passed;
}

let broker: Mosquitto;
let simulator: PeerProcess | undefined;
let subscriber: MqttClient;
const produced: Produced[] = [];
let opcPort: number;

beforeAll(async () => {
  broker = await Mosquitto.start();
  opcPort = await freePort();
  simulator = await startPeer(
    process.execPath,
    [
      join(exampleDir, 'simulator.js'),
      '--port',
      String(opcPort),
      '--pki',
      mkdtempSync(join(tmpdir(), 'opcua-sim-pki-')),
      '--log-values',
    ],
    {
      name: 'the simulator',
      ready: () => acceptsConnections(opcPort),
      timeoutMs: 30_000,
      onLine: (line) => {
        if (line.trim()) produced.push(JSON.parse(line) as Produced);
      },
    },
  );
  subscriber = connect(broker.url, { protocolVersion: 5 });
  await new Promise((ok, fail) => {
    subscriber.once('connect', ok);
    subscriber.once('error', fail);
  });
}, 40_000);

afterAll(async () => {
  subscriber?.end(true);
  await simulator?.stop();
  await broker?.down();
});

describe('examples/opcua-to-mqtt', () => {
  it('publishes pump 3 flow to MQTT by exception, exactly as an independent deadband computes it', async () => {
    const received: Array<{ topic: string; message: Record<string, unknown> }> = [];
    subscriber.on('message', (topic, payload) => received.push({ topic, message: JSON.parse(payload.toString()) }));
    await new Promise((ok, fail) =>
      subscriber.subscribe('plant/#', { qos: 1 }, (err) => (err ? fail(err) : ok(undefined))),
    );

    // The example flow as shipped, pointed at this test's simulator and broker.
    const flow = JSON.parse(readFileSync(join(exampleDir, 'flow.json'), 'utf8'));
    const band = flow.nodes.find((n: { id: string }) => n.id === 'by-exception').config.band as number;
    flow.resources.find((r: { id: string }) => r.id === 'plc').config.endpointUrl = `opc.tcp://127.0.0.1:${opcPort}`;
    flow.resources.find((r: { id: string }) => r.id === 'plant-broker').config.url = broker.url;
    const work = mkdtempSync(join(tmpdir(), 'opcua-to-mqtt-'));
    const flowFile = join(work, 'flow.json');
    writeFileSync(flowFile, JSON.stringify(flow));

    // The real CLI, run from a plain folder with no --nodes-dir: the OPC UA and MQTT nodes are
    // the ones tagflow comes with (issue 16).
    const { code, stderr } = await runTagflow(
      // Statuses are in the log at level debug.
      ['run', flowFile, '--for', '8s', '--data-dir', join(work, 'data'), '--log-level', 'debug'],
      { cwd: work },
    );
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const log = stderr
      .split('\n')
      // node-opcua's own warnings are written beside the log, as plain lines.
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { node?: string; msg: string });
    expect(log).toContainEqual(expect.objectContaining({ node: 'pump3', msg: 'status ok: monitoring 1 of 1 item' }));
    // The broker has what the runtime published (it waits for the acknowledgements of what it
    // sent before it exits). A marker the subscriber publishes now is queued to it behind all of
    // that: once the marker is back, every message of the run is here.
    await subscriber.publishAsync('plant/end-of-run', '{}', { qos: 1 });
    await until(() => received.some((r) => r.topic === 'plant/end-of-run'), 10_000, 'the end-of-run marker');
    expect(received.pop()?.topic).toBe('plant/end-of-run');

    expect(received.length).toBeGreaterThanOrEqual(5);
    expect(new Set(received.map((r) => r.topic))).toEqual(new Set(['plant/pump3/flow']));
    for (const { message } of received) {
      expect(message).toMatchObject({
        topic: 'pump3/flow',
        quality: 'good',
        statusCode: 'Good',
        nodeId: 'ns=1;s=Pump3.Flow',
      });
    }

    // Independent computation over what the simulator produced while the flow ran: from the first
    // value published (the current value when the subscription started) to the last one.
    const got = received.map(({ message }) => ({
      timestamp: message.timestamp as number,
      value: message.payload as number,
    }));
    const first = produced.findIndex((p) => p.timestamp === got[0].timestamp);
    expect(first).toBeGreaterThanOrEqual(0);
    const window = produced.slice(first).filter((p) => p.timestamp <= got[got.length - 1].timestamp);
    const expected = deadband(window, band);
    expect(got).toEqual(expected);
    expect(expected.length).toBeLessThan(window.length * 0.8); // the deadband did hold back small changes
  }, 60_000);
});
