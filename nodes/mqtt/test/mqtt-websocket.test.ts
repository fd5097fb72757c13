// mqtt-out over MQTT on WebSockets (ws://), to a real Mosquitto's websockets listener: mqtt-out
// writes a turn's QoS 0 publishes to the connection as one piece, which a WebSocket frame may carry
// (MQTT 3.1.1, section 6: a frame may hold several packets, or part of one). Counted by a plain
// TCP subscriber, in order, at both QoS.
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { freePort, Mosquitto, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { mqttBroker, mqttOut } from '../src';

let broker: Mosquitto;
let wsPort: number;
let subscriber: MqttClient | undefined;
const open: FlowUnderTest[] = [];

beforeAll(async () => {
  wsPort = await freePort();
  broker = await Mosquitto.start({
    persistence: false,
    settings: [`listener ${wsPort} 127.0.0.1`, 'protocol websockets', 'max_queued_messages 0'],
  });
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  subscriber?.end(true);
});
afterAll(async () => {
  await broker.down();
});

it.each([0, 1] as const)(
  'delivers every message over ws:// in order at QoS %d',
  async (qos) => {
    subscriber = connect(broker.url, { clientId: `ws-sub-${qos}`, reconnectPeriod: 0 });
    const got: string[] = [];
    subscriber.on('message', (_topic, payload) => got.push(payload.toString()));
    await new Promise((resolve, reject) => subscriber!.once('connect', resolve).once('error', reject));
    await subscriber.subscribeAsync(`ws/${qos}`, { qos: 1 });

    const f = await runFlow(
      {
        schemaVersion: 1,
        id: `ws-${qos}`,
        resources: [
          { id: 'plant', type: 'mqtt-broker', config: { url: `ws://127.0.0.1:${wsPort}`, clientId: `ws-pub-${qos}` } },
        ],
        nodes: [{ id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: `ws/${qos}`, qos } }],
        edges: [],
      },
      { nodes: [mqttOut], resources: [mqttBroker], fakeTime: false },
    );
    open.push(f);
    await until(() => f.statuses('pub').at(-1)?.text === 'connected', 10_000, 'the connection');
    const total = 5000;
    // 500 to a turn (the node's queue holds 1000): they go to the socket together.
    for (let i = 0; i < total; i += 500) {
      for (let k = i; k < i + 500; k++) void f.inject('pub', { payload: k });
      await f.idle();
    }
    await until(() => got.length >= total, 20_000, `${total} messages`).catch((err: Error) => {
      throw new Error(
        `${err.message}: ${got.length} came; ${JSON.stringify(f.statuses('pub').slice(-3))} ${JSON.stringify(f.errors)}`,
      );
    });
    expect(got.map(Number)).toEqual(Array.from({ length: total }, (_, i) => i));
  },
  60_000,
);
