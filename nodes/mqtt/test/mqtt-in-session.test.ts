import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { defineNode } from '@tagflow/node-sdk';
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

/** Payloads the `picky` node throws on, as a flow with a bug for some messages does. */
const refused = new Set<unknown>();
const picky = defineNode({
  type: 'picky',
  version: 1,
  category: 'processor',
  description: 'Throws on the payloads the test names.',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create() {
    return {
      onMessage(msg) {
        if (refused.has(msg.payload)) throw new Error(`refusing ${String(msg.payload)}`);
      },
    };
  },
});

function inFlow(
  clientId: string,
  extra: Record<string, unknown> = {},
  inConfig: Record<string, unknown> = {},
): Promise<FlowUnderTest> {
  return runFlow(
    {
      schemaVersion: 1,
      id: 'session-test',
      resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: broker.url, clientId, ...extra } }],
      nodes: [
        { id: 'in', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'jobs/#', ...inConfig } },
        { id: 'check', type: 'picky', typeVersion: 1, config: {} },
      ],
      edges: [{ source: 'in', target: 'check' }],
    },
    { nodes: [mqttIn, mqttOut, picky], resources: [mqttBroker], fakeTime: false },
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

describe('mqtt-in acknowledges a QoS 1 message after the flow handled it', () => {
  afterEach(() => refused.clear());

  /** Publishes 1..5 to a flow whose `picky` node throws on 3; then a second run of the flow, same client id. */
  async function failThenReconnect(clientId: string, inConfig: Record<string, unknown>) {
    refused.add(3);
    const first = await inFlow(clientId, {}, inConfig);
    await until(() => first.statuses('in').some((s) => /subscribed/.test(s.text ?? '')), 10_000, 'subscribed');
    const producer = await peer({ clientId: `${clientId}-producer` });
    for (let n = 1; n <= 5; n++) await producer.publishAsync('jobs/c', String(n), { qos: 1 });
    await until(() => first.outputs('in').length >= 5, 10_000, 'the 5 messages');
    await until(() => first.errors.some((e) => e.nodeId === 'check'), 10_000, 'the error on 3');
    const statuses = first.statuses('in').map((s) => s.text);
    await first.stop();
    refused.clear();
    const second = await inFlow(clientId, {}, inConfig);
    open.push(second);
    await until(() => second.statuses('in').some((s) => /subscribed/.test(s.text ?? '')), 10_000, 'subscribed again');
    // Whatever the broker sends again comes right after CONNACK; a publish afterwards marks the end.
    await producer.publishAsync('jobs/c', '6', { qos: 1 });
    await until(() => second.outputs('in').some((m) => m.payload === 6), 10_000, 'the marker');
    return { statuses, again: second.outputs('in').map((m) => m.payload) };
  }

  it('leaves a message whose flow threw unacknowledged: the broker sends it again on the next connection', async () => {
    const { statuses, again } = await failThenReconnect('ack-handled', {});
    expect(statuses).toContain('subscribed to jobs/#; 1 unacknowledged (flow failed; sent again on reconnect)');
    // Only 3: the others were acknowledged once handled.
    expect(again).toEqual([3, 6]);
  }, 30_000);

  it('with ackWhen "received", acknowledges on arrival: the failed message is not sent again', async () => {
    const { statuses, again } = await failThenReconnect('ack-received', { ackWhen: 'received' });
    expect(statuses.some((s) => /unacknowledged/.test(s ?? ''))).toBe(false);
    expect(again).toEqual([6]);
  }, 30_000);
});
