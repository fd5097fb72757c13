import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Mosquitto } from '@tagflow/node-test';
import { ensureCliBuilt, until } from '@tagflow/test-support';
import { Runtime, Tally } from './runtimes';

// Three `tagflow run` processes of mqtt-shared.flow.json, members of one MQTT 5 shared
// subscription on a real Mosquitto; the test's own mqtt.js clients publish the jobs and count what
// the runtimes forward to line1/done/<runtime>.

const FLOW = 'mqtt-shared.flow.json';
const SUBSCRIBED = /^status ok: subscribed to \$share\/line1-workers\/line1\/jobs$/;
// Mosquitto's max_inflight_messages (20 by default): QoS 1 messages sent to the killed runtime and
// not acknowledged by it yet, which its restart receives again.
const BROKER_IN_FLIGHT = 20;
// mqtt-out's window for live messages (16384 when maxInFlight is unset): forwards sent but not
// confirmed at the kill are sent again.
const OUT_IN_FLIGHT = 16384;

let broker: Mosquitto;
const runtimes: Runtime[] = [];
const clients: MqttClient[] = [];
let tally = new Tally();

async function client(options: { clientId?: string } = {}): Promise<MqttClient> {
  const c = connect(broker.url, { protocolVersion: 5, reconnectPeriod: 200, ...options });
  clients.push(c);
  await new Promise((ok, fail) => c.once('connect', ok).once('error', fail));
  return c;
}

async function publish(from: number, to: number): Promise<void> {
  const producer = clients[1];
  for (let n = from; n <= to; n++) await producer.publishAsync('line1/jobs', String(n), { qos: 1 });
}

beforeAll(async () => {
  ensureCliBuilt();
  // The killed runtime's share waits in its session at the broker until it is back: a default
  // Mosquitto would drop beyond 1,000 queued messages for one client (max_queued_messages).
  broker = await Mosquitto.start({ settings: ['max_queued_messages 0'] });
  const receiver = await client({ clientId: 'scale-out-receiver' });
  receiver.on('message', (topic, body) => tally.add(topic.split('/')[2], Number(body.toString())));
  await receiver.subscribeAsync('line1/done/+', { qos: 1 });
  await client({ clientId: 'scale-out-producer' });
  for (const name of ['a', 'b', 'c']) runtimes.push(await Runtime.prepare(name, FLOW, { BROKER_URL: broker.url }));
  await Promise.all(runtimes.map((r) => r.start('jobs', SUBSCRIBED)));
}, 120_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop('SIGKILL')));
  for (const c of clients) c.end(true);
  await broker?.down();
});

describe('examples/scale-out: MQTT 5 shared subscription, three runtimes', () => {
  it('splits the jobs across the three runtimes, each forwarding its share once', async () => {
    tally = new Tally();
    const total = 300;
    await publish(1, total);
    await until(() => tally.distinct === total, `all ${total} jobs forwarded`, 30_000);
    process.stdout.write(`mqtt shared split: ${JSON.stringify(tally.summary())}\n`);
    // Mosquitto hands a shared subscription's messages round-robin: about a third each.
    for (const name of ['a', 'b', 'c']) expect(tally.perRuntime.get(name) ?? 0).toBeGreaterThanOrEqual(total / 5);
    expect({ missing: tally.missing(total), duplicates: tally.duplicates }).toEqual({ missing: [], duplicates: 0 });
  }, 60_000);

  it('loses no job when one runtime is killed (SIGKILL) mid-stream and started again', async () => {
    tally = new Tally();
    const total = 3000;
    const [, b] = runtimes;
    await publish(1, 1000);
    await until(() => tally.received >= 500, 'the first 500 jobs forwarded', 30_000);
    // Killed with jobs still arriving: some are in its flow, some acknowledged, some not.
    await b.stop('SIGKILL');
    const atKill = tally.summary();
    // While b is away its share waits in its session at the broker; a and c go on with theirs.
    await publish(1001, 2000);
    await until(() => tally.received - tally.perRuntime.get('b')! >= 1200, 'a and c going on', 30_000);
    await b.start('jobs', SUBSCRIBED);
    await publish(2001, total);
    await until(() => tally.distinct === total, `all ${total} jobs forwarded`, 60_000).catch((err: Error) => {
      throw new Error(
        `${err.message}; missing ${JSON.stringify(tally.missing(total).slice(0, 50))}; got ${JSON.stringify(tally.summary())}\n${b.stderr}`,
      );
    });
    const seen = { atKill, after: tally.summary(), distinct: tally.distinct, duplicates: tally.duplicates };
    process.stdout.write(`mqtt shared SIGKILL: ${JSON.stringify(seen)}\n`);
    expect(b.starts).toBe(2);
    expect(tally.missing(total)).toEqual([]);
    // At least once: what the killed runtime had not acknowledged comes again, and so do its
    // forwards not yet confirmed by the broker.
    expect(tally.duplicates).toBeLessThanOrEqual(BROKER_IN_FLIGHT + OUT_IN_FLIGHT);
  }, 120_000);
});
