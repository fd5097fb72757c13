// A broker that takes the TCP connection and then says nothing (hung, or not MQTT at all) must show
// on mqtt-out as not answering, never as `ok`: one test server never sends CONNACK, another sends
// CONNACK and then never a PUBACK.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { mqttBroker, mqttOut } from '../src';

const servers: Server[] = [];
const sockets: Socket[] = [];
const open: FlowUnderTest[] = [];

afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A TCP server on a free loopback port that reads everything and answers with `greeting` only. */
async function silentServer(greeting?: Buffer): Promise<{ port: number; received: () => number }> {
  let received = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    let greeted = false;
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (greeting && !greeted) {
        greeted = true;
        socket.write(greeting);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, received: () => received };
}

async function publisher(port: number, broker: object = {}): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'stall-test',
      resources: [
        {
          id: 'plant',
          type: 'mqtt-broker',
          config: { url: `mqtt://127.0.0.1:${port}`, protocolVersion: 4, ...broker },
        },
      ],
      nodes: [{ id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'stall/x', qos: 1 } }],
      edges: [],
    },
    { nodes: [mqttOut], resources: [mqttBroker], fakeTime: false },
  );
  open.push(f);
  return f;
}

describe('mqtt-out with a broker that does not answer', () => {
  it('no CONNACK: shows reconnecting, broker not answering, and never ok', async () => {
    const server = await silentServer();
    const f = await publisher(server.port, { connectTimeoutMs: 1000 });
    await f.inject('pub', { payload: 1 });
    await until(
      () => f.statuses('pub').some((s) => /broker not answering \(no CONNACK for 1 s\)/.test(s.text ?? '')),
      20_000,
      'the status to say the broker is not answering',
    );
    expect(server.received()).toBeGreaterThan(0); // the CONNECT went out
    const statuses = f.statuses('pub');
    expect(statuses.find((s) => /no CONNACK/.test(s.text ?? ''))?.state).toBe('reconnecting');
    expect(statuses.filter((s) => s.state === 'ok')).toEqual([]);
  }, 30_000);

  it('CONNACK, then no PUBACK: error after 10 s, broker not answering, with the messages still buffered', async () => {
    // CONNACK: session not present, connection accepted.
    const server = await silentServer(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    const f = await publisher(server.port);
    await until(() => f.statuses('pub').some((s) => s.state === 'ok'), 10_000, 'the connection');
    for (let i = 0; i < 5; i++) await f.inject('pub', { payload: i });
    await until(
      () => f.statuses('pub').at(-1)?.state === 'error',
      30_000,
      'the status to turn to error once nothing was confirmed for 10 s',
    );
    const last = f.statuses('pub').at(-1)!;
    expect(last.text).toMatch(/^broker not answering \(no PUBACK for 1\d s\), 5 buffered$/);
    expect(last.backlog).toBe(5);
  }, 40_000);
});
