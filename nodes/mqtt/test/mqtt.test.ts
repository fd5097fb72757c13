import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { mqttBroker, mqttIn, mqttOut } from '../src';
import { Mosquitto, until } from '@tagflow/node-test';

let broker: Mosquitto;
const open: Array<{ stop(): Promise<void> }> = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  // Queues without limit for a subscriber: a default Mosquitto drops QoS 1 messages beyond 1,000
  // queued for a subscriber slower than the publisher (on a loaded machine), the broker's loss.
  broker = await Mosquitto.start({ settings: ['max_queued_messages 0'] });
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  for (const c of clients.splice(0)) c.end(true);
});
afterAll(async () => {
  await broker.down();
});

/** A plain mqtt.js client, the independent peer. */
async function peer(options: { clientId?: string; clean?: boolean } = {}): Promise<MqttClient> {
  // MQTT 5 keeps a session past the connection only with an expiry: without one, a `clean: false`
  // peer misses what is published between a broker restart and its own resubscription.
  const durable = options.clean === false ? { properties: { sessionExpiryInterval: 3600 } } : {};
  const client = connect(broker.url, { protocolVersion: 5, reconnectPeriod: 200, ...durable, ...options });
  clients.push(client);
  await new Promise((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  return client;
}

function collect(client: MqttClient, filter: string): Promise<Array<{ topic: string; body: string }>> {
  const got: Array<{ topic: string; body: string }> = [];
  client.on('message', (topic, payload) => got.push({ topic, body: payload.toString() }));
  return new Promise((resolve, reject) =>
    client.subscribe(filter, { qos: 1 }, (err) => (err ? reject(err) : resolve(got))),
  );
}

async function flow(
  nodes: object[],
  edges: object[] = [],
  dataDir?: string,
  clientId?: string,
): Promise<FlowUnderTest> {
  const config = clientId === undefined ? { url: broker.url } : { url: broker.url, clientId };
  const f = await runFlow(
    { schemaVersion: 1, id: 'mqtt-test', resources: [{ id: 'plant', type: 'mqtt-broker', config }], nodes, edges },
    { nodes: [mqttIn, mqttOut], resources: [mqttBroker], fakeTime: false, dataDir },
  );
  open.push(f);
  return f;
}

/** Bytes node `nodeId`'s store-and-forward buffer has written to its files in `dataDir`. */
function bufferFileBytes(dataDir: string, nodeId: string): number {
  const dir = join(dataDir, 'outbox', 'mqtt-test', nodeId);
  if (!existsSync(dir)) return 0;
  return readdirSync(dir)
    .filter((name) => name.startsWith('seg-'))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

describe('mqtt-out', () => {
  it('publishes each message to the templated topic as JSON, in order', async () => {
    const sub = await peer();
    const got = await collect(sub, 'plant/#');
    const f = await flow([
      { id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'plant/{{topic}}/avg' } },
    ]);
    for (let i = 0; i < 20; i++) await f.inject('pub', { payload: { value: i }, topic: 'pump3' });
    await until(() => got.length === 20, 20_000, '20 messages');
    expect(got.map((m) => m.topic)).toEqual(Array(20).fill('plant/pump3/avg'));
    expect(got.map((m) => JSON.parse(m.body).value)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it.each([1, 7, 1000])('with maxInFlight %i delivers every message once, in order', async (maxInFlight) => {
    const sub = await peer();
    const got = await collect(sub, `window/${maxInFlight}`);
    const f = await flow([
      {
        id: 'pub',
        type: 'mqtt-out',
        typeVersion: 1,
        config: { broker: 'plant', topic: `window/${maxInFlight}`, maxInFlight },
      },
    ]);
    // Injected without waiting, so the buffer holds more than one window at a time.
    await Promise.all(Array.from({ length: 250 }, (_, i) => f.inject('pub', { payload: i })));
    // A last message through the same node arrives after everything published before it, a
    // duplicate included: once it is here, nothing more may have arrived.
    await f.inject('pub', { payload: 'end' });
    await until(() => got.some((m) => m.body === '"end"'), 20_000, 'the 250 messages and the end marker');
    expect(got.map((m) => m.body)).toEqual([...Array.from({ length: 250 }, (_, i) => String(i)), '"end"']);
  });

  it('with a full buffer dropping messages under way, loses none beyond those counted as dropped', async () => {
    const sub = await peer();
    const got = await collect(sub, 'overflow/#');
    // About 20 messages fit in the buffer; 3,000 arrive quickly while up to 1,000 are under way.
    const f = await flow([
      {
        id: 'pub',
        type: 'mqtt-out',
        typeVersion: 1,
        config: { broker: 'plant', topic: 'overflow/x', bufferMaxMB: 0.0005 },
      },
    ]);
    // In chunks, a turn apart: publishes are under way when later messages overflow the buffer.
    for (let chunk = 0; chunk < 30; chunk++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => f.inject('pub', { payload: chunk * 100 + i })));
      await new Promise((r) => setImmediate(r));
    }
    // The runtime counts what the full buffer dropped and shows it (`connected · 2,345 dropped`).
    const dropped = () => f.statuses('pub').at(-1)?.dropped ?? 0;
    await until(
      () =>
        /^connected( · [\d,]+ dropped)?$/.test(f.statuses('pub').at(-1)?.text ?? '') && got.length + dropped() >= 3000,
      20_000,
      'the buffer to empty',
    );
    // The buffer is empty, so the count of dropped ones is final; a last message through the same
    // node comes after every publish before it, so what reached the subscriber is all here.
    await f.inject('pub', { payload: 'end' });
    await until(() => got.some((m) => m.body === '"end"'), 20_000, 'the end marker');
    expect(got.pop()?.body).toBe('"end"');
    const values = got.map((m) => Number(m.body));
    expect(dropped()).toBeGreaterThan(0);
    expect(values.every((v, i) => i === 0 || v > values[i - 1])).toBe(true);
    // A message dropped while its publish was under way may still have reached the broker: the
    // count of dropped ones is an upper bound of what is missing, never less.
    expect(3000 - values.length).toBeLessThanOrEqual(dropped());
    expect(values.at(-1)).toBe(2999);
  });

  it('sends MQTT 5 properties (content type, expiry, response topic, templated user properties)', async () => {
    const sub = await peer();
    const got: Array<{ body: string; properties: Record<string, unknown> | undefined }> = [];
    sub.on('message', (topic, payload, packet) => {
      if (topic === 'props/out') got.push({ body: payload.toString(), properties: packet.properties });
    });
    await new Promise((resolve) => sub.subscribe('props/out', { qos: 1 }, resolve));
    const config = {
      broker: 'plant',
      topic: 'props/out',
      contentType: 'application/json',
      messageExpirySeconds: 300,
      responseTopic: 'props/reply/{{topic}}',
      userProperties: { site: 'plant-7', source: '{{topic}}' },
    };
    const f = await flow([{ id: 'pub', type: 'mqtt-out', typeVersion: 1, config }]);
    await f.inject('pub', { payload: { v: 1 }, topic: 'pump3' });
    await f.inject('pub', { payload: 2 }); // no topic: the templated user property cannot be filled
    await until(() => got.length === 1 && f.errors.length === 1, 15_000, 'one message and one error');
    expect(got[0].body).toBe('{"v":1}');
    expect(got[0].properties).toMatchObject({
      contentType: 'application/json',
      payloadFormatIndicator: true,
      responseTopic: 'props/reply/pump3',
      userProperties: { site: 'plant-7', source: 'pump3' },
    });
    // The broker counts the expiry down while it holds the message, so it may arrive a little lower.
    expect(got[0].properties?.messageExpiryInterval).toBeGreaterThan(290);
    expect(f.errors[0]).toMatchObject({ code: 'MQTT_PROPERTY', nodeId: 'pub' });
    expect(f.errors[0].message).toMatch(/the response topic needs \{\{topic\}\}/);
  });

  it('leaves properties out, and still publishes, on an MQTT 3.1.1 connection', async () => {
    const sub = await peer();
    const got = await collect(sub, 'v311/#');
    const f = await runFlow(
      {
        schemaVersion: 1,
        id: 'mqtt-v311',
        resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: broker.url, protocolVersion: 4 } }],
        nodes: [
          {
            id: 'pub',
            type: 'mqtt-out',
            typeVersion: 1,
            config: { broker: 'plant', topic: 'v311/out', contentType: 'text/plain', format: 'string' },
          },
        ],
        edges: [],
      },
      { nodes: [mqttIn, mqttOut], resources: [mqttBroker], fakeTime: false },
    );
    open.push(f);
    await f.inject('pub', { payload: 'hello' });
    await until(() => got.length === 1, 15_000, 'the message');
    expect(got[0].body).toBe('hello');
    expect(
      f.logs.some((r) => r.level === 'warn' && /MQTT 3\.1\.1, which has no message properties/.test(r.message)),
    ).toBe(true);
  });

  it('at QoS 0 writes live messages straight to the socket, and buffers what a full socket cannot take', async () => {
    const sub = await peer();
    const got = await collect(sub, 'qos0/#');
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-mqtt-qos0-'));
    const f = await flow(
      [{ id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'qos0/seq', qos: 0 } }],
      [],
      dataDir,
    );
    await until(() => f.statuses('pub').at(-1)?.text === 'connected', 10_000, 'the connection');
    for (let i = 0; i < 100; i++) await f.inject('pub', { payload: { i } });
    await until(() => got.length === 100, 20_000, '100 live messages');
    // None of them went through the disk: each went to the socket as it came.
    expect(bufferFileBytes(dataDir, 'pub')).toBe(0);

    // A broker that reads nothing: once the socket (the kernel's buffers, some MB) is full, what it
    // cannot take waits in the buffer on disk, and what comes later queues behind it.
    // mqtt.js waits for the socket's drain with a listener per publish: over 1000 of them was
    // Node's "possible EventEmitter memory leak" warning in the runtime's log. Count them.
    let mostDrainListeners = 0;
    type Once = (this: Socket, event: string, listener: (...args: unknown[]) => void) => Socket;
    const once = Socket.prototype.once;
    const counting: Once = function (event, listener) {
      const result = (once as Once).call(this, event, listener);
      if (event === 'drain') mostDrainListeners = Math.max(mostDrainListeners, this.listenerCount('drain'));
      return result;
    };
    Socket.prototype.once = counting as typeof once;
    const filler = 'x'.repeat(10_000);
    try {
      broker.pause();
      try {
        for (let i = 100; i < 3100; i++) await f.inject('pub', { payload: { i, filler } });
        await until(() => bufferFileBytes(dataDir, 'pub') > 0, 10_000, 'messages in the buffer file');
      } finally {
        broker.resume();
      }
      await until(() => f.statuses('pub').at(-1)?.text === 'connected', 30_000, 'the buffer to empty');
    } finally {
      Socket.prototype.once = once;
    }
    expect(mostDrainListeners).toBeGreaterThan(0); // the socket was full
    expect(mostDrainListeners).toBeLessThanOrEqual(2);
    for (let i = 3100; i < 3200; i++) await f.inject('pub', { payload: { i } });
    await until(() => got.length >= 3200, 30_000, 'all 3,200 messages');
    expect(got.map((m) => (JSON.parse(m.body) as { i: number }).i)).toEqual(Array.from({ length: 3200 }, (_, i) => i));
  }, 90_000);

  it('reports a message the topic template cannot fill as the node error', async () => {
    const f = await flow([
      { id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'line/{{payload.line}}' } },
    ]);
    await f.inject('pub', { payload: 5 });
    expect(f.errors).toEqual([expect.objectContaining({ code: 'MQTT_TOPIC', nodeId: 'pub' })]);
  });

  it('loses nothing while the broker is down for seconds: buffers, then delivers in order', async () => {
    const sub = await peer({ clientId: 'durable-subscriber', clean: false });
    const got = await collect(sub, 'outage/#');
    const f = await flow([
      { id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'outage/seq' } },
    ]);
    const total = 600;
    let sent = 0;
    const sending = (async () => {
      for (; sent < total; sent++) {
        await f.inject('pub', { payload: sent });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await until(() => got.length > 50, 20_000, 'first messages');
    await broker.down();
    const sentAtOutage = sent;
    await new Promise((r) => setTimeout(r, 3000)); // an outage of seconds
    // The status showed the backlog while the broker was down.
    await until(() => f.statuses('pub').some((s) => (s.backlog ?? 0) > 0), 20_000, 'the backlog in the status');
    await broker.up();
    await sending;
    await until(() => new Set(got.map((m) => m.body)).size === total, 60_000, `all ${total} messages`);
    const values = got.map((m) => Number(m.body));
    // At least once: a batch in flight at the outage may come twice; first arrivals are in order.
    const firstArrivals = [...new Set(values)];
    process.stdout.write(
      `broker outage test: ${JSON.stringify({ sent: total, received: values.length, distinct: firstArrivals.length, duplicates: values.length - firstArrivals.length })}\n`,
    );
    expect({ missing: total - firstArrivals.length, ordered: firstArrivals.every((v, i) => v === i) }).toEqual({
      missing: 0,
      ordered: true,
    });
    expect(sentAtOutage).toBeLessThan(total);
  }, 90_000);

  it('delivers what was buffered before a restart of the runtime, from the same data dir', async () => {
    const sub = await peer();
    const got = await collect(sub, 'restart/#');
    await broker.down();
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-mqtt-restart-'));
    const nodes = [{ id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'restart/seq' } }];
    const first = await flow(nodes, [], dataDir);
    for (let i = 0; i < 50; i++) await first.inject('pub', { payload: i });
    await first.stop();
    await broker.up();
    await until(() => sub.connected, 10_000, 'the subscriber to reconnect');
    await new Promise((resolve) => sub.subscribe('restart/#', { qos: 1 }, resolve));
    await flow(nodes, [], dataDir);
    await until(() => got.length >= 50, 30_000, '50 buffered messages');
    expect(got.map((m) => Number(m.body))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  }, 60_000);
});

describe('mqtt-in', () => {
  it('receives with wildcards and parses payloads', async () => {
    const f = await flow([
      { id: 'json', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'in/+/json' } },
      { id: 'num', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'in/num', payload: 'number' } },
    ]);
    await until(
      () =>
        f.statuses('json').some((s) => s.text?.startsWith('subscribed')) &&
        f.statuses('num').some((s) => s.text?.startsWith('subscribed')),
    );
    const pub = await peer();
    pub.publish('in/a/json', '{"v":1}', { qos: 1 });
    pub.publish('in/b/json', 'plain text', { qos: 1 });
    pub.publish('in/num', '42.5', { qos: 1 });
    pub.publish('in/num', 'abc', { qos: 1 });
    await until(() => f.payloads('json').length === 2 && f.payloads('num').length === 1 && f.errors.length === 1);
    expect(f.outputs('json').map((m) => [m.topic, m.payload])).toEqual([
      ['in/a/json', { v: 1 }],
      ['in/b/json', 'plain text'],
    ]);
    expect(f.payloads('num')).toEqual([42.5]);
    expect(f.errors[0]).toMatchObject({ code: 'MQTT_PAYLOAD', nodeId: 'num' });
  });

  it('subscribes again after the broker restarts, receiving each later message once', async () => {
    const f = await flow([
      { id: 'sub', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'again/x' } },
    ]);
    await until(() => f.statuses('sub').some((s) => s.text?.startsWith('subscribed')));
    await broker.down();
    await broker.up();
    await until(
      () => f.statuses('sub').filter((s) => s.text?.startsWith('subscribed')).length >= 2,
      30_000,
      'a second subscription',
    );
    const pub = await peer();
    for (let i = 0; i < 10; i++) pub.publish('again/x', String(i), { qos: 1 });
    // Delivered in order on the node's connection: once the marker is here, so is any duplicate.
    pub.publish('again/x', 'end', { qos: 1 });
    await until(() => f.payloads('sub').includes('end'), 20_000, '10 messages and the end marker');
    expect(f.payloads('sub')).toEqual([...Array.from({ length: 10 }, (_, i) => i), 'end']);
  }, 60_000);

  it('receives each message once after redeploys that change the node and then the broker resource', async () => {
    const base = { schemaVersion: 1, id: 'mqtt-test', edges: [] };
    const sub = (qos: number) => ({
      id: 'sub',
      type: 'mqtt-in',
      typeVersion: 1,
      config: { broker: 'plant', topic: 'redeploy/x', qos },
    });
    const f = await flow([sub(1)]);
    await until(() => f.statuses('sub').filter((s) => s.text?.startsWith('subscribed')).length === 1);
    // The node changes (qos), then the resource changes (keepalive): each time the old subscriber goes away.
    let result = await f.engine.deploy({
      ...base,
      resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: broker.url } }],
      nodes: [sub(0)],
    });
    expect(result.ok).toBe(true);
    await until(
      () => f.statuses('sub').filter((s) => s.text?.startsWith('subscribed')).length === 2,
      15_000,
      'the second subscription',
    );
    result = await f.engine.deploy({
      ...base,
      resources: [{ id: 'plant', type: 'mqtt-broker', config: { url: broker.url, keepaliveSeconds: 20 } }],
      nodes: [sub(1)],
    });
    expect(result.ok).toBe(true);
    await until(
      () => f.statuses('sub').filter((s) => s.text?.startsWith('subscribed')).length === 3,
      15_000,
      'the third subscription',
    );
    const pub = await peer();
    for (let i = 0; i < 10; i++) pub.publish('redeploy/x', String(i), { qos: 1 });
    // Delivered in order on the node's connection: once the marker is here, so is any duplicate.
    pub.publish('redeploy/x', 'end', { qos: 1 });
    await until(() => f.payloads('sub').includes('end'), 20_000, '10 messages and the end marker');
    expect(f.payloads('sub')).toEqual([...Array.from({ length: 10 }, (_, i) => i), 'end']);
  });

  it('splits a stream between the members of a shared subscription group', async () => {
    // Two runtimes (each its own client id, as on two machines) in one group.
    const f = await flow(
      [{ id: 'a', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'shared/x', sharedGroup: 'g1' } }],
      [],
      undefined,
      'edge-1',
    );
    const g = await flow(
      [{ id: 'b', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'shared/x', sharedGroup: 'g1' } }],
      [],
      undefined,
      'edge-2',
    );
    await until(
      () =>
        f.statuses('a').some((s) => s.text?.startsWith('subscribed')) &&
        g.statuses('b').some((s) => s.text?.startsWith('subscribed')),
    );
    const pub = await peer();
    for (let i = 0; i < 40; i++) pub.publish('shared/x', String(i), { qos: 1 });
    // End markers until each member has had one: each member gets its messages in order, so by
    // then all of the 40 that went to either member are here.
    const marked = (payloads: unknown[]) => payloads.includes('end');
    for (const deadline = Date.now() + 20_000; !(marked(f.payloads('a')) && marked(g.payloads('b')));) {
      if (Date.now() > deadline) throw new Error('timed out waiting for an end marker at each member');
      pub.publish('shared/x', 'end', { qos: 1 });
      await new Promise((r) => setTimeout(r, 50));
    }
    const all = [...f.payloads('a'), ...g.payloads('b')]
      .filter((p) => p !== 'end')
      .map(Number)
      .sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i)); // each message to exactly one member
    expect(f.payloads('a').length).toBeGreaterThan(0);
    expect(g.payloads('b').length).toBeGreaterThan(0);
  });
});
