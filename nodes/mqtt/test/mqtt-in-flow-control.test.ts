import { connect } from 'mqtt';
import { defineNode } from '@tagflow/node-sdk';
import { Mosquitto, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { mqttBroker, mqttIn } from '../src';

// A stream faster than its flow: mqtt-in (QoS 1, acknowledging once handled) keeps what the flow
// cannot take yet, unacknowledged, and sends it on as the flow drains, so nothing is dropped. A
// broker's in-flight window does not do it: Mosquitto 2.0 sends a new window for each late PUBACK
// (seen here: 20 held, one PUBACK, 40 received), so 3,000 arrive at once.

let mosquitto: Mosquitto;
beforeAll(async () => {
  mosquitto = await Mosquitto.start({ persistence: false, settings: ['max_queued_messages 0'] });
});
afterAll(async () => {
  await mosquitto.down();
});

const seen: number[] = [];
/** A flow stuck for a while: the slow node stops for `ms` once it has handled `after` messages. */
let stuck: { after: number; ms: number } | undefined;
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
        if (stuck !== undefined && seen.length === stuck.after) {
          const { ms } = stuck;
          stuck = undefined;
          await new Promise((resolve) => setTimeout(resolve, ms));
        }
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(msg.payload as number);
      },
    };
  },
});

async function flood(
  total: number,
  clientId: string,
  broker: Record<string, unknown> = {},
  after: (flow: FlowUnderTest) => void = () => {},
) {
  seen.length = 0;
  const flow = await runFlow(
    {
      schemaVersion: 1,
      id: 'flow-control',
      resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: mosquitto.url, clientId, ...broker } }],
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
    const producer = connect(mosquitto.url, { protocolVersion: 5, clientId: 'flood', reconnectPeriod: 0 });
    await new Promise((resolve, reject) => producer.once('connect', resolve).once('error', reject));
    await Promise.all(
      Array.from({ length: total }, (_, i) => producer.publishAsync('jobs', String(i + 1), { qos: 1 })),
    );
    producer.end(true);
    const dropped = () => {
      const stats = flow.engine.stats();
      return (stats.in?.dropped ?? 0) + (stats.work?.dropped ?? 0);
    };
    await until(() => new Set(seen).size >= total || dropped() > 0, 60_000).catch(() => undefined);
    expect({ handled: new Set(seen).size, dropped: dropped() }).toEqual({ handled: total, dropped: 0 });
    after(flow);
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

// A flow stuck for longer than the keep-alive while mqtt-in holds the reading: the broker's
// PINGRESP waits unread behind the held packets, so mqtt.js ends the connection and the resource
// makes a new one. The persistent session brings what was not acknowledged again: nothing is lost,
// and what still waited in mqtt-in is dropped there rather than handled twice.
it('a hold longer than the keep-alive ends the connection; the new one loses nothing and repeats little', async () => {
  // Stuck once far behind the stream (mqtt-in holding the reading), for six keep-alives.
  stuck = { after: 5000, ms: 6000 };
  try {
    await flood(25_000, 'flow-control-stuck', { keepaliveSeconds: 1, cleanSession: false }, (flow) => {
      // The case under test happened: the held connection ended on its keep-alive, and a new one came.
      const texts = flow.statuses('in').map((s) => `${s.state}: ${s.text ?? ''}`);
      const lost = texts.findIndex((t) => /Keepalive timeout/.test(t));
      expect(lost).toBeGreaterThan(0);
      expect(texts.slice(lost)).toContain('ok: connected');
      const reconnects = texts.slice(lost).filter((t) => t === 'ok: connected').length;
      const twice = seen.length - new Set(seen).size;
      process.stdout.write(
        `hold past the keep-alive: ${JSON.stringify({ handled: seen.length, twice, reconnects })}\n`,
      );
      // Twice only what the flow had taken in and not acknowledged when a connection ended (its
      // queue holds 1000): what still waited in mqtt-in is left to the broker, which sends it again.
      expect(twice).toBeLessThanOrEqual(2000 * reconnects);
    });
  } finally {
    stuck = undefined;
  }
}, 120_000);
