import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Mosquitto, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { mqttBroker, mqttIn, mqttOut } from '../src';

// What a kept MQTT 5 session gives a runtime that comes back: the messages published while it was
// away, against a real Mosquitto, with a plain mqtt.js client as the independent peer.

let broker: Mosquitto;
const open: FlowUnderTest[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  for (const c of clients.splice(0)) c.end(true);
});
afterAll(async () => {
  await broker.down();
});

async function peer(options: { clientId: string; sessionExpiryInterval?: number }): Promise<MqttClient> {
  const { clientId, sessionExpiryInterval } = options;
  const properties = sessionExpiryInterval === undefined ? {} : { sessionExpiryInterval };
  const client = connect(broker.url, { protocolVersion: 5, clientId, clean: false, reconnectPeriod: 0, properties });
  clients.push(client);
  await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
  return client;
}

function inFlow(clientId: string, extra: Record<string, unknown> = {}): Promise<FlowUnderTest> {
  return runFlow(
    {
      schemaVersion: 1,
      id: 'session-test',
      resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: broker.url, clientId, ...extra } }],
      nodes: [{ id: 'in', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'jobs/#' } }],
      edges: [],
    },
    { nodes: [mqttIn, mqttOut], resources: [mqttBroker], fakeTime: false },
  );
}

describe('mqtt-in with a kept session', () => {
  it('receives what was queued for its client id while it was away, though it comes before the node listens', async () => {
    // The session a runtime left (killed, no unsubscribe): subscribed, then gone.
    const before = await peer({ clientId: 'session-resume', sessionExpiryInterval: 3600 });
    await before.subscribeAsync('jobs/#', { qos: 1 });
    before.end(true);
    const producer = await peer({ clientId: 'session-producer' });
    for (let n = 1; n <= 5; n++) await producer.publishAsync('jobs/a', String(n), { qos: 1 });

    // The broker sends the queue right after CONNACK: before the flow's nodes attach.
    const f = await inFlow('session-resume');
    open.push(f);
    await until(() => f.outputs('in').length >= 5, 10_000, 'the 5 queued messages');
    expect(f.outputs('in').map((m) => m.payload)).toEqual([1, 2, 3, 4, 5]);
  }, 30_000);

  it('keeps its session past a disconnect under MQTT 5 (sessionExpirySeconds), so nothing published meanwhile is lost', async () => {
    const first = await inFlow('session-expiry');
    await until(() => first.statuses('in').some((s) => /subscribed/.test(s.text ?? '')), 10_000, 'subscribed');
    // Dropped without an unsubscribe, as a killed runtime is: the broker keeps the session.
    await broker.down();
    await first.stop();
    await broker.up();
    const producer = await peer({ clientId: 'session-producer-2' });
    for (let n = 1; n <= 3; n++) await producer.publishAsync('jobs/b', String(n), { qos: 1 });
    const second = await inFlow('session-expiry');
    open.push(second);
    await until(() => second.outputs('in').length >= 3, 10_000, 'the 3 messages published meanwhile');
    expect(second.outputs('in').map((m) => m.payload)).toEqual([1, 2, 3]);
  }, 30_000);
});
