// mqtt-out's in-flight window against a Mosquitto with its default limits (max_queued_messages 1000,
// max_inflight_messages 20 per client): after an outage, a backlog of thousands is replayed as fast
// as the broker confirms it, to a persistent QoS 1 subscriber that is online. Mosquitto confirms a
// publish on receipt and drops what would queue beyond 1000 for a subscriber, even at QoS 1; the
// subscriber here is independent (mosquitto_sub, another process) and counts what arrives.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mosquitto, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { mqttBroker, mqttOut } from '../src';

const SUB = '/usr/bin/mosquitto_sub';
let broker: Mosquitto;
let subscriber: ChildProcess | undefined;
const open: FlowUnderTest[] = [];

beforeAll(async () => {
  if (!existsSync(SUB)) throw new Error(`${SUB} is missing: bash scripts/system-deps.sh (mosquitto-clients)`);
  broker = await Mosquitto.start(); // persistence on (the subscriber's session survives), default limits
});
afterAll(async () => {
  for (const f of open.splice(0)) await f.stop();
  subscriber?.kill('SIGKILL');
  await broker.down();
});

/**
 * mosquitto_sub with a persistent session at QoS 1: counts payloads and connections. Its output
 * goes to a file, not a pipe to this process: with a pipe, this process (which also runs the
 * replaying flow) reading it slowly would hold the subscriber back, which then is no longer
 * independent and leaves the broker to drop at its queue limit what this test did itself.
 */
function persistentSubscriber(topic: string) {
  const out = join(mkdtempSync(join(tmpdir(), 'tagflow-replay-sub-')), 'out.txt');
  const fd = openSync(out, 'w');
  // Line-buffered (stdbuf): mosquitto_sub's stdio would otherwise hold its output back.
  const child = spawn(
    '/usr/bin/stdbuf',
    [
      '-oL',
      SUB,
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-V',
      'mqttv311',
      '-q',
      '1',
      '-c',
      '-i',
      'replay-sub',
      '-t',
      topic,
      '-d',
    ],
    { stdio: ['ignore', fd, 'inherit'] },
  );
  closeSync(fd);
  subscriber = child;
  const lines = () => readFileSync(out, 'utf8').split('\n');
  return {
    got: () => lines().filter((line) => /^\d+$/.test(line)),
    connacks: () => lines().filter((line) => /^Client .* received CONNACK/.test(line)).length,
    subacks: () => lines().filter((line) => /^Client .* received SUBACK/.test(line)).length,
  };
}

async function publisher(dataDir: string): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'replay-test',
      resources: [
        { id: 'plant', type: 'mqtt-broker', config: { url: broker.url, protocolVersion: 4, clientId: 'replay-pub' } },
      ],
      // The defaults: QoS 1, maxInFlight as shipped.
      nodes: [{ id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'replay/seq' } }],
      edges: [],
    },
    { nodes: [mqttOut], resources: [mqttBroker], fakeTime: false, dataDir },
  );
  open.push(f);
  return f;
}

it('replays a backlog of 5,000 to an online persistent QoS 1 subscriber with nothing lost at the queue limit', async () => {
  const total = 5000;
  const sub = persistentSubscriber('replay/#');
  await until(() => sub.subacks() >= 1, 10_000, 'the subscription');

  // The outage: the broker goes away and the flow buffers the backlog.
  await broker.down();
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-mqtt-replay-'));
  const first = await publisher(dataDir);
  for (let i = 0; i < total; i++) await first.inject('pub', { payload: i });
  // The status is refreshed every 500 ms; on a loaded CI machine the last one came after 10 s once.
  await until(() => (first.statuses('pub').at(-1)?.backlog ?? 0) === total, 30_000, 'the backlog in the status').catch(
    (err: Error) => {
      throw new Error(`${err.message}; the last status: ${JSON.stringify(first.statuses('pub').at(-1))}`);
    },
  );
  await first.stop();
  open.splice(open.indexOf(first), 1);

  // The broker is back and the subscriber online again; then the runtime starts and replays.
  await broker.up();
  await until(() => sub.connacks() >= 2, 20_000, 'the subscriber to reconnect');
  await new Promise((r) => setTimeout(r, 500)); // its session's subscription restored by the broker
  const second = await publisher(dataDir);
  let last = -1;
  let lastChange = Date.now();
  await until(
    () => {
      const got = sub.got();
      if (got.length !== last) [last, lastChange] = [got.length, Date.now()];
      return new Set(got).size === total || Date.now() - lastChange > 5000;
    },
    60_000,
    'the replay to end',
  );
  await until(() => second.statuses('pub').at(-1)?.backlog === 0, 10_000, 'the outbox to empty');
  const values = sub.got().map(Number);
  const distinct = new Set(values);
  process.stdout.write(
    `replay at the queue limit: ${JSON.stringify({ sent: total, received: values.length, distinct: distinct.size })}\n`,
  );
  expect(total - distinct.size).toBe(0);
}, 90_000);
