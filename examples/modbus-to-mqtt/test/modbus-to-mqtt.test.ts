import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Mosquitto, runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { finished } from '@tagflow/test-support';
import { deadband, debug, scale } from '@tagflow/nodes-core';
import { modbusDevice, modbusRead } from '@tagflow/nodes-modbus';
import { mqttBroker, mqttOut } from '@tagflow/nodes-mqtt';
import { Peer, freePort, until } from './servers';

type Message = ReturnType<FlowUnderTest['outputs']>[number];

const here = resolve(__dirname, '..');
const FULL_SCALE = 27648;

let broker: Mosquitto;
const cleanup: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await broker?.down();
});

/** The example's flow with this test's ports. */
function exampleFlow(modbusPort: number) {
  const flow = JSON.parse(readFileSync(resolve(here, 'flow.json'), 'utf8'));
  flow.resources.find((r: { id: string }) => r.id === 'plc').config.port = modbusPort;
  flow.resources.find((r: { id: string }) => r.id === 'broker').config.url = `mqtt://127.0.0.1:${broker.port}`;
  return flow;
}

/** An independent subscriber recording what reaches the broker, per topic, in order. */
async function subscriber(): Promise<Map<string, number[]>> {
  const client: MqttClient = connect(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 5 });
  cleanup.push(() => void client.end(true));
  const got = new Map<string, number[]>();
  client.on('message', (topic, body) => got.set(topic, [...(got.get(topic) ?? []), JSON.parse(body.toString())]));
  await new Promise((ok, fail) => client.once('connect', ok).once('error', fail));
  await new Promise((ok, fail) => client.subscribe('plant/#', { qos: 1 }, (err) => (err ? fail(err) : ok(undefined))));
  return got;
}

/** The example's arithmetic written out plainly: raw 0-27648 to 0-100 %, then a 0.5 % deadband per tag. */
function expectedPublished(raw: Message[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const last = new Map<string, { value: number; timestamp: number }>();
  for (const m of raw) {
    const percent = Math.min(100, Math.max(0, ((m.payload as number) / FULL_SCALE) * 100));
    const topic = m.topic as string;
    const before = last.get(topic);
    if (before && Math.abs(percent - before.value) <= 0.5 && m.timestamp - before.timestamp < 60_000) continue;
    last.set(topic, { value: percent, timestamp: m.timestamp });
    out.set(`plant/${topic}`, [...(out.get(`plant/${topic}`) ?? []), percent]);
  }
  return out;
}

describe('examples/modbus-to-mqtt', () => {
  it('publishes the scaled PLC values that moved more than the deadband, as an independent computation says', async () => {
    const plc = await Peer.simulator();
    cleanup.push(() => plc.stop());
    const got = await subscriber();
    const f = await runFlow(exampleFlow(plc.port), {
      nodes: [scale, deadband, debug, modbusRead, mqttOut],
      resources: [modbusDevice, mqttBroker],
      fakeTime: false,
    });
    cleanup.push(() => f.stop());
    await until(() => f.outputs('read').length >= 2 * 10, 20_000, '10 polls');
    await f.stop();

    const raw = f.outputs('read');
    expect(raw.every((m) => m.quality === 'good')).toBe(true);
    // Every value read is one the simulator put into its registers.
    const written = plc.lines as Array<{ level: number; valve: number }>;
    for (const m of raw) {
      const key = m.topic === 'tank1/level' ? 'level' : 'valve';
      expect(written.map((w) => w[key])).toContain(m.payload);
    }
    const expected = expectedPublished(raw);
    const total = [...expected.values()].reduce((n, list) => n + list.length, 0);
    await until(
      () => [...got.values()].reduce((n, list) => n + list.length, 0) >= total,
      10_000,
      `${total} MQTT messages`,
    );
    // The same messages, per topic and in order; values equal up to float rounding (x / 27648 * 100 vs the scale node's form).
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [topic, values] of expected) {
      const received = got.get(topic) as number[];
      expect(received).toHaveLength(values.length);
      values.forEach((v, i) => expect(received[i]).toBeCloseTo(v, 9));
    }
    // The deadband held back the valve's noise (it moves by steps of 25 % every 5 s, noise < 0.1 %)...
    const valveReads = raw.filter((m) => m.topic === 'tank1/outlet-valve').length;
    expect((got.get('plant/tank1/outlet-valve') ?? []).length).toBeLessThan(valveReads);
    // ...and let the level's slow sine through (about 1 % per poll near half full).
    expect((got.get('plant/tank1/level') ?? []).length).toBeGreaterThanOrEqual(5);
  }, 40_000);

  it('runs with the one command from the README (bash run.sh), printing what it publishes', async () => {
    const got = await subscriber();
    const modbusPort = await freePort();
    // From a plain folder: run.sh names no --nodes-dir, the Modbus and MQTT nodes come with tagflow.
    const child = spawn('bash', [resolve(here, 'run.sh')], {
      cwd: mkdtempSync(join(tmpdir(), 'modbus-to-mqtt-cwd-')),
      env: {
        ...process.env,
        MODBUS_PORT: String(modbusPort),
        MQTT_URL: `mqtt://127.0.0.1:${broker.port}`,
        RUN_FOR: '3s',
      },
    });
    const { code, stdout, stderr } = await finished(child);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const shown = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).data as Message);
    expect(shown.length).toBeGreaterThanOrEqual(4);
    shown.forEach((m) => expect(m).toMatchObject({ quality: 'good', unit: '%' }));
    await until(
      () => (got.get('plant/tank1/level') ?? []).length === shown.filter((m) => m.topic === 'tank1/level').length,
      10_000,
      'the level messages',
    );
    expect(got.get('plant/tank1/level')).toEqual(shown.filter((m) => m.topic === 'tank1/level').map((m) => m.payload));
    expect(got.get('plant/tank1/outlet-valve')).toEqual(
      shown.filter((m) => m.topic === 'tank1/outlet-valve').map((m) => m.payload),
    );
  }, 30_000);
});
