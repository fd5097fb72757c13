import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Mosquitto, runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { simulate } from '@tagflow/nodes-core';
import { mqttBroker, mqttOut } from '@tagflow/nodes-mqtt';
import { until } from './servers';

// Issue 19: with a 0.5 MB buffer, overflow `block` and a 30 s outage, 72,628 of the newest
// messages were lost and the status ended `ok: connected`. The same shape, faster: a 1 kHz timer
// source fills a 50 kB buffer within a second of the broker going away, then the publisher's input
// queue, then (before the fix) the engine dropped at twice the queue's size, counted only in a log.

let broker: Mosquitto;
const cleanup: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  // Persistent sessions (the default), and no per-subscriber limit: the broker must not be what loses.
  broker = await Mosquitto.start({ settings: ['max_queued_messages 0'] });
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await broker?.down();
});

/** An independent subscriber with a persistent session (QoS 1): it gets what was sent while it reconnected. */
async function subscriber(): Promise<Set<string>> {
  const client: MqttClient = connect(`mqtt://127.0.0.1:${broker.port}`, {
    protocolVersion: 4,
    clean: false,
    clientId: 'outage-block-receiver',
    reconnectPeriod: 200,
  });
  cleanup.push(() => void client.end(true));
  const got = new Set<string>();
  client.on('message', (_topic, body) => got.add(body.toString()));
  await new Promise((ok, fail) => client.once('connect', ok).once('error', fail));
  await new Promise((ok, fail) => client.subscribe('outage/#', { qos: 1 }, (err) => (err ? fail(err) : ok(undefined))));
  return got;
}

const totalDropped = (f: FlowUnderTest) => Object.values(f.engine.stats()).reduce((sum, c) => sum + c.dropped, 0);
const skipped = (f: FlowUnderTest) => f.engine.stats().sim?.skipped ?? 0;

describe('overflow block through a broker outage', () => {
  it('loses nothing it accepted: every sample is delivered, or its tick was skipped and counted', async () => {
    const got = await subscriber();
    const COUNT = 5000;
    const f = await runFlow(
      {
        schemaVersion: 1,
        id: 'outage-block',
        resources: [{ id: 'broker', type: 'mqtt-broker', config: { url: `mqtt://127.0.0.1:${broker.port}` } }],
        nodes: [
          {
            id: 'sim',
            type: 'simulate',
            typeVersion: 1,
            // Noise makes every value unique, so duplicates (at least once) can be told apart.
            config: {
              tag: 'line/flow',
              intervalMs: 1,
              count: COUNT,
              seed: 19,
              signal: { kind: 'sine', amplitude: 5, offset: 40, periodSeconds: 10, noise: 0.5 },
            },
          },
          {
            id: 'pub',
            type: 'mqtt-out',
            typeVersion: 1,
            config: { broker: 'broker', topic: 'outage/flow', qos: 1, bufferMaxMB: 0.05, overflow: 'block' },
          },
        ],
        edges: [{ source: 'sim', target: 'pub' }],
      },
      { nodes: [simulate, mqttOut], resources: [mqttBroker], fakeTime: false },
    );
    cleanup.push(() => f.stop());
    await until(() => got.size >= 200, 20_000, 'the first messages at the subscriber');

    await broker.down();
    // The buffer fills, then the publisher's queue: from then on the source is held (or, before
    // the fix, the engine drops). A second of that is the outage's shape.
    await until(() => skipped(f) + totalDropped(f) >= 1000, 30_000, 'a full buffer and a full queue');
    await broker.up();

    const done = () => f.statuses('sim').some((s) => s.state === 'idle');
    await until(() => done() && got.size >= f.outputs('sim').length - totalDropped(f), 60_000, 'the backlog delivered');
    const stats = f.engine.stats();
    const statuses = f.engine.statuses();
    await f.stop();

    const sent = f.outputs('sim').map((m) => JSON.stringify(m.payload));
    const produced = sent.length + stats.sim.skipped;
    const dropped = Object.values(stats).reduce((sum, c) => sum + c.dropped, 0);
    expect(sent.length).toBe(COUNT);
    expect(new Set(sent).size).toBe(COUNT);
    const known = new Set(sent);
    expect([...got].filter((body) => !known.has(body))).toEqual([]);
    // Produced = delivered at the subscriber + skipped (counted) + dropped (counted); none dropped under block.
    expect(got.size + stats.sim.skipped + dropped).toBe(produced);
    expect(dropped).toBe(0);
    expect(stats.sim.skipped).toBeGreaterThan(0);
    expect(stats.sim.skips).toEqual({ held: stats.sim.skipped });
    expect(statuses.sim.text).toBe(
      `done: ${COUNT} samples sent · ${stats.sim.skipped.toLocaleString('en-US')} skipped`,
    );
    expect(statuses.pub).toMatchObject({ state: 'ok' });
    expect(statuses.pub.dropped).toBeUndefined();
  }, 120_000);
});
