// The shared connection's packet identifiers: MQTT has 65,535 of them per connection, and every
// node on the connection draws from them. More publishes unconfirmed than that (several mqtt-out
// nodes, each with a wide window) must wait for a free identifier, not reuse one still in use.
import { Mosquitto } from '@tagflow/node-test';
import { openMqttConnection } from '../src/mqtt-connect';
import type { MqttConnection } from '../src/mqtt-connection';

let broker: Mosquitto;
let connection: MqttConnection | undefined;

beforeAll(async () => {
  broker = await Mosquitto.start();
});
afterAll(async () => {
  await connection?.close();
  await broker.down();
});

it('confirms every QoS 1 publish when more are under way than there are packet identifiers', async () => {
  connection = await openMqttConnection(broker.url, { protocolVersion: 4, reconnectPeriod: 0 }, () => undefined);
  const total = 70_000;
  let confirmed = 0;
  let failed: Error | undefined;
  const all = new Promise<void>((resolve) => {
    for (let i = 0; i < total; i++)
      connection!.send('ids/burst', String(i), { qos: 1 }, (err) => {
        if (err) failed ??= err;
        if (++confirmed === total) resolve();
      });
  });
  // With identifiers reused while unconfirmed, the earlier publishes' confirmations never come.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 40_000)))]);
  clearTimeout(timer);
  expect(failed).toBeUndefined();
  expect(confirmed).toBe(total);
}, 60_000);
