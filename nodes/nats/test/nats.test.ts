import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, headers, StringCodec } from 'nats';
import type { NatsConnection } from 'nats';
import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { freePort, NatsServer, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { nats, natsIn, natsOut } from '../src';

let server: NatsServer;
const open: Array<{ stop(): Promise<void> }> = [];
const peers: NatsConnection[] = [];
const sc = StringCodec();

beforeAll(async () => {
  server = await NatsServer.start();
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  for (const p of peers.splice(0)) await p.close();
});
afterAll(async () => {
  await server.down();
});

/** A plain nats.js client, the independent peer. */
async function peer(): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  peers.push(nc);
  return nc;
}

/** Fails each payload listed in `failFirst` on its first delivery (nats.deliveryCount 1). */
const flaky = defineNode({
  type: 'flaky',
  version: 1,
  category: 'processor',
  description: 'Fails the first delivery of the payloads it is told to.',
  configSchema: {
    type: 'object',
    properties: { failFirst: { type: 'array', items: { type: 'number' }, default: [] } },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  create: (ctx) => ({
    onMessage(msg) {
      const delivery = (msg.nats as { deliveryCount: number }).deliveryCount;
      if (ctx.config.failFirst.includes(msg.payload as number) && delivery === 1)
        throw new NodeError('FLAKY', `fails ${String(msg.payload)} once`);
      ctx.send(msg);
    },
  }),
});

/** Holds each message in `onMessage` until the test lets it go (`release`). */
const holds: Array<() => void> = [];
const hold = defineNode({
  type: 'hold',
  version: 1,
  category: 'publisher',
  description: 'Holds each message until the test releases it.',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: [],
  create: () => ({ onMessage: () => new Promise<void>((resolve) => holds.push(resolve)) }),
});

async function flow(nodes: object[], edges: object[] = [], dataDir?: string): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'nats-test',
      resources: [{ id: 'srv', type: 'nats', config: { servers: [server.url], pingIntervalMs: 500 } }],
      nodes,
      edges,
    },
    { nodes: [natsIn, natsOut, flaky, hold], resources: [nats], fakeTime: false, dataDir },
  );
  open.push(f);
  return f;
}

const node = (id: string, type: string, config: object) => ({ id, type, typeVersion: 1, config });
const connected = (f: FlowUnderTest, id: string) => () => f.statuses(id).some((s) => s.state === 'ok');
/** The node's own status says it is under way (the resource's `connected` shows on it earlier). */
const shows = (f: FlowUnderTest, id: string, prefix: string) => () =>
  f.statuses(id).some((s) => s.text?.startsWith(prefix) === true);

/** Polls an asynchronous `check` until it holds (the server's view of a stream or consumer). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Messages a consumer has handed out and not had acknowledged, plus those still to hand out. */
async function unfinished(nc: NatsConnection, stream: string, consumer: string): Promise<number> {
  const info = await (await nc.jetstreamManager()).consumers.info(stream, consumer);
  return info.num_ack_pending + info.num_pending;
}

/** Every message of a stream, oldest first, read by the peer with an ephemeral consumer. */
async function streamContents(nc: NatsConnection, stream: string): Promise<string[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const out: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    out.push(sc.decode(m.data));
  }
  return out;
}

describe('core NATS', () => {
  it('publishes with nats-out and receives with nats-in, payloads and headers intact', async () => {
    const f = await flow([
      node('in', 'nats-in', { server: 'srv', subject: 'plant.*.flow' }),
      node('out', 'nats-out', { server: 'srv', subject: 'plant.{{topic}}', headers: { site: 'plant-1' } }),
    ]);
    await until(shows(f, 'in', 'subscribed'), 10_000, 'the subscription');
    await until(connected(f, 'out'), 10_000, 'the publisher');
    await f.inject('out', { payload: { flow: 41.7 }, topic: 'pump3/flow' });
    await f.inject('out', { payload: 'text', topic: 'pump4/flow' });
    await until(() => f.outputs('in').length === 2, 10_000, 'two messages');
    const [first, second] = f.outputs('in') as [Message, Message];
    expect(first).toMatchObject({
      payload: { flow: 41.7 },
      topic: 'plant.pump3.flow',
      quality: 'good',
      nats: { subject: 'plant.pump3.flow', headers: { site: 'plant-1' } },
    });
    expect(second.payload).toBe('text');
  });

  it('shares a subject within a queue group: each message to one member', async () => {
    const f = await flow([
      node('a', 'nats-in', { server: 'srv', subject: 'jobs', queue: 'workers' }),
      node('b', 'nats-in', { server: 'srv', subject: 'jobs', queue: 'workers' }),
    ]);
    await until(() => shows(f, 'a', 'subscribed')() && shows(f, 'b', 'subscribed')(), 10_000, 'both subscriptions');
    const nc = await peer();
    for (let i = 0; i < 200; i++) nc.publish('jobs', sc.encode(String(i)));
    await nc.flush();
    await until(() => f.outputs('a').length + f.outputs('b').length === 200, 10_000, '200 messages');
    const all = [...f.payloads('a'), ...f.payloads('b')].map(Number).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(f.outputs('a').length).toBeGreaterThan(0);
    expect(f.outputs('b').length).toBeGreaterThan(0);
  });

  it('reports a payload that is not what `payload` asks for', async () => {
    const f = await flow([node('in', 'nats-in', { server: 'srv', subject: 'numbers', payload: 'number' })]);
    await until(shows(f, 'in', 'subscribed'), 10_000, 'the subscription');
    const nc = await peer();
    nc.publish('numbers', sc.encode('12.5'));
    nc.publish('numbers', sc.encode('twelve'));
    await nc.flush();
    await until(() => f.errors.length === 1 && f.outputs('in').length === 1, 10_000, 'one value and one error');
    expect(f.payloads('in')).toEqual([12.5]);
    expect(f.errors[0]).toMatchObject({ code: 'NATS_PAYLOAD', nodeId: 'in' });
  });
});

describe('connection problems', () => {
  it('shows a server that does not answer in plain words on the nodes', async () => {
    const port = await freePort();
    const f = await runFlow(
      {
        schemaVersion: 1,
        id: 'nats-down',
        resources: [{ id: 'srv', type: 'nats', config: { servers: [`nats://127.0.0.1:${port}`] } }],
        nodes: [node('in', 'nats-in', { server: 'srv', subject: 'a.b' })],
        edges: [],
      },
      { nodes: [natsIn], resources: [nats], fakeTime: false },
    );
    open.push(f);
    await until(
      () => f.statuses('in').some((s) => /nothing is listening there \(connection refused\)/.test(s.text ?? '')),
      10_000,
      'the connect failure on the node',
    );
  });
});

describe('JetStream', () => {
  it('publishes to a stream, in order, each acknowledged by the stream', async () => {
    const nc = await peer();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'ACKED', subjects: ['acked.>'] });
    const f = await flow([node('out', 'nats-out', { server: 'srv', subject: 'acked.{{topic}}', jetstream: true })]);
    for (let i = 0; i < 300; i++) await f.inject('out', { payload: i, topic: 'values' });
    await eventually(async () => (await jsm.streams.info('ACKED')).state.messages === 300, '300 stored messages');
    expect(await streamContents(nc, 'ACKED')).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
  });

  it('keeps publishing through a server outage: buffered, then all delivered in order, once', async () => {
    const nc = await peer();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'OUTAGE', subjects: ['outage.>'] });
    const f = await flow([node('out', 'nats-out', { server: 'srv', subject: 'outage.v', jetstream: true })]);
    await until(connected(f, 'out'), 10_000, 'the publisher');
    for (let i = 0; i < 100; i++) await f.inject('out', i);
    await server.kill();
    for (let i = 100; i < 400; i++) await f.inject('out', i);
    await until(() => (f.statuses('out').at(-1)?.text ?? '').startsWith('waiting for the server'), 10_000, 'the loss');
    expect(f.statuses('out').at(-1)?.backlog).toBeGreaterThan(0);
    await server.up(); // same store folder: the stream and what it had acknowledged are back
    await until(() => f.statuses('out').at(-1)?.backlog === 0, 30_000, 'the buffer to drain');
    // The message ids let the stream drop any repeat of a publish retried after the loss.
    expect(await streamContents(nc, 'OUTAGE')).toEqual(Array.from({ length: 400 }, (_, i) => String(i)));
  }, 60_000);

  it('shares a durable pull consumer between two runtimes: each message handled once', async () => {
    const nc = await peer();
    const config = {
      server: 'srv',
      mode: 'jetstream',
      stream: 'SHARED',
      consumer: 'workers',
      subject: 'shared.>',
      batch: 10,
    };
    const a = await flow([node('in', 'nats-in', config)]);
    const b = await flow([node('in', 'nats-in', config)]);
    await until(() => shows(a, 'in', 'consuming')() && shows(b, 'in', 'consuming')(), 10_000, 'both consumers');
    const js = nc.jetstream();
    for (let i = 0; i < 400; i++) await js.publish(`shared.${i % 4}`, sc.encode(String(i)));
    await until(() => a.outputs('in').length + b.outputs('in').length >= 400, 20_000, '400 messages');
    const all = [...a.payloads('in'), ...b.payloads('in')].map(Number).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(a.outputs('in').length).toBeGreaterThan(0);
    expect(b.outputs('in').length).toBeGreaterThan(0);
    const first = a.outputs('in')[0];
    expect(first.nats).toMatchObject({ stream: 'SHARED', deliveryCount: 1 });
    expect(typeof (first.nats as { seq: unknown }).seq).toBe('number');
    // Everything acknowledged: nothing waits at the server.
    await eventually(async () => (await unfinished(nc, 'SHARED', 'workers')) === 0, 'every message acknowledged');
  });

  it('acknowledges a message only once the flow has finished it', async () => {
    const nc = await peer();
    const f = await flow(
      [
        node('in', 'nats-in', {
          server: 'srv',
          mode: 'jetstream',
          stream: 'HOLD',
          consumer: 'hold',
          subject: 'hold.>',
        }),
        node('sink', 'hold', {}),
      ],
      [{ source: 'in', target: 'sink' }],
    );
    await until(shows(f, 'in', 'consuming'), 10_000, 'the consumer');
    await nc.jetstream().publish('hold.x', sc.encode('1'));
    await until(() => holds.length === 1, 10_000, 'the message in the flow');
    const jsm = await nc.jetstreamManager();
    // In the flow, not finished: handed out, not acknowledged.
    expect((await jsm.consumers.info('HOLD', 'hold')).num_ack_pending).toBe(1);
    holds.splice(0).forEach((release) => release());
    await eventually(async () => (await unfinished(nc, 'HOLD', 'hold')) === 0, 'the acknowledgement');
  });

  it('delivers again a message whose flow failed, and acknowledges it once handled', async () => {
    const nc = await peer();
    const f = await flow(
      [
        node('in', 'nats-in', {
          server: 'srv',
          mode: 'jetstream',
          stream: 'RETRY',
          consumer: 'retry',
          subject: 'retry.>',
          retryDelaySeconds: 0.1,
        }),
        node('check', 'flaky', { failFirst: [3] }),
      ],
      [{ source: 'in', target: 'check' }],
    );
    await until(shows(f, 'in', 'consuming'), 10_000, 'the consumer');
    const js = nc.jetstream();
    const h = headers();
    h.set('line', '7');
    for (let i = 0; i < 5; i++) await js.publish('retry.v', sc.encode(String(i)), { headers: h });
    await until(() => f.outputs('check').length === 5, 10_000, 'five handled messages');
    const handled = f.outputs('check');
    expect(handled.map((m) => m.payload)).toEqual([0, 1, 2, 4, 3]);
    expect(handled[4]?.nats).toMatchObject({ deliveryCount: 2, headers: { line: '7' } });
    expect(f.errors.map((e) => e.code)).toEqual(['FLAKY']);
    await eventually(async () => (await unfinished(nc, 'RETRY', 'retry')) === 0, 'every message acknowledged');
  });

  it('refuses, at deploy, JetStream without a stream and a publish subject with a wildcard', async () => {
    await expect(flow([node('in', 'nats-in', { server: 'srv', mode: 'jetstream', subject: 'a.b' })])).rejects.toThrow(
      /stream and a consumer/,
    );
    await expect(flow([node('out', 'nats-out', { server: 'srv', subject: 'plant.*' })])).rejects.toThrow(/wildcard/);
  });

  it('uses an existing consumer as it is, and reports a missing one when create is off', async () => {
    const nc = await peer();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'FIXED', subjects: ['fixed.>'] });
    await jsm.consumers.add('FIXED', { durable_name: 'present', ack_policy: AckPolicy.Explicit });
    const f = await flow([
      node('ok', 'nats-in', { server: 'srv', mode: 'jetstream', stream: 'FIXED', consumer: 'present', create: false }),
      node('bad', 'nats-in', { server: 'srv', mode: 'jetstream', stream: 'FIXED', consumer: 'absent', create: false }),
    ]);
    await until(() => f.errors.some((e) => e.nodeId === 'bad'), 10_000, 'the error');
    expect(f.errors.find((e) => e.nodeId === 'bad')).toMatchObject({ code: 'NATS_STREAM' });
    await nc.jetstream().publish('fixed.x', sc.encode('"hello"'));
    await until(() => f.outputs('ok').length === 1, 10_000, 'the message');
    expect(f.payloads('ok')).toEqual(['hello']);
    // Made later, the missing consumer is found on a retry, the failure reported once.
    await jsm.consumers.add('FIXED', { durable_name: 'absent', ack_policy: AckPolicy.Explicit });
    await until(() => f.outputs('bad').length === 1, 10_000, 'the message through the late consumer');
    expect(f.errors.filter((e) => e.nodeId === 'bad')).toHaveLength(1);
  });
});

describe('a runtime process killed mid-stream', () => {
  it('leaves its unacknowledged messages to the other runtime: nothing lost, repeats within the window', async () => {
    const { spawn } = await import('node:child_process');
    const { readFileSync, existsSync } = await import('node:fs');
    const nc = await peer();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'WORK', subjects: ['work.>'] });
    const TOTAL = 600;
    const js = nc.jetstream();
    for (let i = 0; i < TOTAL; i++) await js.publish('work.item', sc.encode(String(i)));
    const dir = mkdtempSync(join(tmpdir(), 'tagflow-nats-kill-'));
    const worker = join(__dirname, 'fixtures', 'nats-worker.js');
    const start = (name: string) => {
      const child = spawn(process.execPath, [
        '--no-node-snapshot',
        worker,
        server.url,
        join(dir, `${name}-data`),
        join(dir, `${name}.txt`),
      ]);
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
      return {
        child,
        output: () => out,
        lines: () =>
          existsSync(join(dir, `${name}.txt`))
            ? readFileSync(join(dir, `${name}.txt`), 'utf8')
                .split('\n')
                .filter(Boolean)
            : [],
      };
    };
    const a = start('a');
    const b = start('b');
    try {
      await until(() => a.lines().length >= 60, 30_000, 'runtime a to handle 60 messages');
      a.child.kill('SIGKILL');
      await new Promise((ok) => a.child.once('exit', ok));
      const handledByA = a.lines().length;
      const seen = () => new Set([...a.lines(), ...b.lines()].map((l) => Number(l.split(' ')[0])));
      await until(() => seen().size === TOTAL, 45_000, `every message handled (b: ${b.output().slice(-300)})`);
      const all = [...a.lines(), ...b.lines()].map((l) => Number(l.split(' ')[0]));
      const duplicates = all.length - TOTAL;
      process.stdout.write(
        `nats SIGKILL test: ${JSON.stringify({ total: TOTAL, handledByA, handledByB: b.lines().length, duplicates })}\n`,
      );
      expect(handledByA).toBeLessThan(TOTAL); // killed mid-stream
      // A repeat is a message a handled and had not acknowledged yet when it died: at most the
      // consumer's maxAckPending (20 in the fixture).
      expect(duplicates).toBeLessThanOrEqual(20);
      // Redelivered ones say so.
      const repeated = b.lines().filter((l) => Number(l.split(' ')[1]) > 1);
      expect(repeated.length).toBeGreaterThan(0);
    } finally {
      for (const c of [a.child, b.child]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }, 90_000);
});
