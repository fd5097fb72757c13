import { connect } from 'mqtt';
import { defineNode } from '@tagflow/node-sdk';
import { Mosquitto, runFlow, until } from '@tagflow/node-test';
import { mqttBroker, mqttIn } from '../src';

// A stream faster than its flow: mqtt-in (QoS 1, acknowledging once handled) keeps what the flow
// cannot take yet, unacknowledged, and sends it on as the flow drains, so nothing is dropped. A
// broker's in-flight window does not do it: Mosquitto 2.0 sends a new window for each late PUBACK
// (seen here: 20 held, one PUBACK, 40 received), so 3,000 arrive at once.

let broker: Mosquitto;
beforeAll(async () => {
  broker = await Mosquitto.start({ persistence: false, settings: ['max_queued_messages 0'] });
});
afterAll(async () => {
  await broker.down();
});

const seen: number[] = [];
const slow = defineNode({
  type: 'slow',
  version: 1,
  category: 'processor',
  description: 'Takes a little while per message, as a flow writing to a remote database does.',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: [],
  create() {
    return {
      async onMessage(msg) {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(msg.payload as number);
      },
    };
  },
});

async function flood(total: number, clientId: string) {
  seen.length = 0;
  const flow = await runFlow(
    {
      schemaVersion: 1,
      id: 'flow-control',
      resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: broker.url, clientId } }],
      nodes: [
        { id: 'in', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'jobs', qos: 1 } },
        { id: 'work', type: 'slow', typeVersion: 1, config: {} },
      ],
      edges: [{ source: 'in', target: 'work' }],
    },
    { nodes: [mqttIn, slow], resources: [mqttBroker], fakeTime: false },
  );
  try {
    await until(() => flow.statuses('in').some((s) => s.text?.startsWith('subscribed')));
    const producer = connect(broker.url, { protocolVersion: 5, clientId: 'flood', reconnectPeriod: 0 });
    await new Promise((resolve, reject) => producer.once('connect', resolve).once('error', reject));
    await Promise.all(
      Array.from({ length: total }, (_, i) => producer.publishAsync('jobs', String(i + 1), { qos: 1 })),
    );
    producer.end(true);
    const dropped = () => {
      const stats = flow.engine.stats();
      return (stats.in?.dropped ?? 0) + (stats.work?.dropped ?? 0);
    };
    await until(() => seen.length >= total || dropped() > 0, 60_000).catch(() => undefined);
    expect({ handled: new Set(seen).size, dropped: dropped() }).toEqual({ handled: total, dropped: 0 });
  } finally {
    await flow.stop();
  }
}

it('a QoS 1 flood into a slow flow waits in mqtt-in: every message handled, none dropped', async () => {
  await flood(3000, 'flow-control');
}, 90_000);

// Past 10,000 waiting, mqtt-in stops mqtt.js reading the socket until the flow has drained half:
// TCP holds the broker back, which queues the rest (dropping them would lose them for good with a
// clean session, and stall the broker's window for this client until a reconnect).
it('a flood larger than what mqtt-in keeps waiting is held back at the socket, none dropped', async () => {
  await flood(25_000, 'flow-control-large');
}, 120_000);
