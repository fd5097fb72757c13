import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Mosquitto, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { debug, simulate } from '@tagflow/nodes-core';
import { sparkplugCommand, sparkplugEdgeNode, sparkplugOut } from '@tagflow/nodes-sparkplug';

// Eclipse Tahu's payload library, independent of the package under test, plays the SCADA host.
interface TahuMetric {
  name?: string;
  alias?: unknown;
  type?: string;
  value: unknown;
  properties?: Record<string, { value: unknown }>;
}
const tahu = (
  require('sparkplug-payload') as {
    get(ns: string): {
      decodePayload(bytes: Uint8Array): { metrics: TahuMetric[] };
      encodePayload(payload: unknown): Uint8Array;
    };
  }
).get('spBv1.0');

let broker: Mosquitto;
let host: MqttClient | undefined;
let flow: FlowUnderTest | undefined;
const seen: Array<{ topic: string; metrics: TahuMetric[] }> = [];

beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await flow?.stop();
  host?.end(true);
  await broker?.down();
});

it('publishes the simulated pump as device pump3 and echoes a setpoint written by the host', async () => {
  const h = connect(broker.url, { protocolVersion: 5 });
  host = h;
  h.on('message', (topic, body) => seen.push({ topic, metrics: tahu.decodePayload(body).metrics }));
  await new Promise<void>((ok, fail) =>
    h.once('connect', () => h.subscribe('spBv1.0/plant1/#', (err) => (err ? fail(err) : ok()))),
  );

  const file = JSON.parse(readFileSync(resolve(__dirname, '..', 'flow.json'), 'utf8'));
  file.resources[0].config.url = broker.url;
  flow = await runFlow(file, {
    nodes: [simulate, debug, sparkplugOut, sparkplugCommand],
    resources: [sparkplugEdgeNode],
    fakeTime: false,
  });

  const of = (type: string) => seen.filter((s) => s.topic.split('/')[2] === type);
  await until(() => of('DDATA').length >= 3, 15_000, 'DBIRTH and flow values');
  const birth = of('DBIRTH')[0];
  expect(birth.topic).toBe('spBv1.0/plant1/DBIRTH/edge7/pump3');
  const setpoint = birth.metrics.find((m) => m.name === 'setpoint');
  expect(birth.metrics.find((m) => m.name === 'flow')?.properties?.engUnit?.value).toBe('m3/h');
  expect(setpoint).toMatchObject({ type: 'Float', value: null });
  const flows = of('DDATA').flatMap((s) => s.metrics.map((m) => m.value));
  for (const v of flows) expect(Math.abs((v as number) - 40)).toBeLessThan(10);

  // The host writes the setpoint (DCMD); the flow passes it on (here to debug) and reports it back.
  const command = tahu.encodePayload({
    timestamp: Date.now(),
    metrics: [{ name: 'setpoint', type: 'Float', value: 35 }],
  });
  h.publish('spBv1.0/plant1/DCMD/edge7/pump3', Buffer.from(command));
  const echoed = () =>
    of('DDATA').some((s) => s.metrics.some((m) => String(m.alias) === String(setpoint?.alias) && m.value === 35));
  await until(echoed, 15_000, 'the setpoint back in DDATA');
  // debug shows the payload of what it received: the written value.
  expect(flow.debug.map((d) => d.data)).toEqual([35]);
});
