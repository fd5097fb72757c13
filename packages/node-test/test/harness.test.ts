import { defineErrorCodes, defineNode, NodeError } from '@tagflow/node-sdk';
import { FAKE_EPOCH, FakeClock, runFlow, testNode } from '../src';

const doubler = defineNode({
  type: 'doubler',
  version: 1,
  category: 'processor',
  description: 'doubles numbers',
  configSchema: {
    type: 'object',
    properties: { factor: { type: 'number', minimum: 1, default: 2 } },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      onMessage(msg) {
        if (typeof msg.payload !== 'number') throw new NodeError('NOT_A_NUMBER', 'not a number');
        ctx.send({ ...msg, payload: msg.payload * ctx.config.factor });
        ctx.status({ state: 'ok', text: `last ${String(msg.payload)}` });
      },
    };
  },
});

const ticker = defineNode({
  type: 'ticker',
  version: 1,
  category: 'source',
  description: 'emits the time every second',
  configSchema: { type: 'object' },
  inputs: [],
  outputs: ['out'],
  create: (ctx) => ({
    start() {
      ctx.clock.setInterval(
        () => ctx.send({ payload: ctx.clock.now(), timestamp: ctx.clock.now(), quality: 'good' }),
        1000,
      );
    },
  }),
});

describe('testNode', () => {
  it('feeds values and messages, records outputs, statuses and errors', async () => {
    const h = await testNode(doubler, { config: { factor: 3 } });
    await h.send(2);
    await h.send({ payload: 5, topic: 'pump3/flow', quality: 'uncertain' });
    await h.send('abc');
    expect(h.payloads()).toEqual([6, 15]);
    expect(h.outputs()[1]).toMatchObject({ topic: 'pump3/flow', quality: 'uncertain', timestamp: FAKE_EPOCH });
    expect(h.errors).toEqual([expect.objectContaining({ code: 'NOT_A_NUMBER', nodeId: 'node-under-test' })]);
    expect(h.status).toEqual({ state: 'ok', text: 'last 5' });
    h.clear();
    expect(h.payloads()).toEqual([]);
    await h.close();
  });

  it("fails at close when the node raised a code its definition's errors does not list", async () => {
    const catalogue = defineErrorCodes({
      NOT_A_NUMBER: 'The payload is not a number.',
      TOO_BIG: 'The payload is too big.',
    });
    const checker = (listed: Readonly<Record<string, string>>) =>
      defineNode({
        type: 'checker',
        version: 1,
        category: 'processor',
        description: 'refuses what is not a small number',
        errors: listed,
        configSchema: { type: 'object' },
        inputs: ['in'],
        outputs: ['out'],
        create: () => ({
          onMessage(msg) {
            if (typeof msg.payload !== 'number') throw new NodeError(catalogue.code.NOT_A_NUMBER, 'not a number');
            if (msg.payload > 10) throw new NodeError(catalogue.code.TOO_BIG, 'too big');
            if (msg.payload < 0) throw new Error('a bug');
          },
        }),
      });
    const listsAll = await testNode(checker(catalogue.pick('NOT_A_NUMBER', 'TOO_BIG')), {});
    for (const value of ['x', 11, -1]) await listsAll.send(value);
    expect(listsAll.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'TOO_BIG', 'UNEXPECTED']);
    await listsAll.close();

    const listsOne = await testNode(checker(catalogue.pick('NOT_A_NUMBER')), {});
    for (const value of ['x', 11, 12, -1]) await listsOne.send(value);
    await expect(listsOne.close()).rejects.toThrow(
      /^checker raised TOO_BIG, which its definition's errors does not list$/,
    );
  });

  it('rejects an invalid config with the validation problem', async () => {
    await expect(testNode(doubler, { config: { factor: 0 } })).rejects.toThrow(/factor/);
  });

  it('fakes time: timers fire only when the test advances the clock, and stop on close', async () => {
    const h = await testNode(ticker);
    expect(h.payloads()).toEqual([]);
    await h.advance(3500);
    expect(h.payloads()).toEqual([FAKE_EPOCH + 1000, FAKE_EPOCH + 2000, FAKE_EPOCH + 3000]);
    expect(h.now()).toBe(FAKE_EPOCH + 3500);
    await h.close();
    await h.advance(5000);
    expect(h.payloads()).toHaveLength(3);
  });
});

describe('handled outcomes', () => {
  // A source that remembers what the engine told it about each message.
  const outcomes: Array<{ payload: unknown; handled: boolean; reason?: string }> = [];
  const tracked = defineNode({
    type: 'tracked',
    version: 1,
    category: 'source',
    description: 'sends 1, 2 and 3 with onHandled',
    configSchema: { type: 'object' },
    inputs: [],
    outputs: ['out'],
    create: (ctx) => ({
      start() {
        for (const payload of [1, 2, 3])
          ctx.send({ payload, timestamp: ctx.clock.now(), quality: 'good' }, 'out', {
            onHandled: (o) =>
              outcomes.push({ payload, handled: o.handled, ...(o.handled ? {} : { reason: o.reason }) }),
          });
      },
    }),
  });

  it('testNode lets the test play the rest of the flow for a source tracking its messages', async () => {
    outcomes.length = 0;
    const node = await testNode(tracked, {
      downstream: (msg) => {
        if (msg.payload === 2) throw new Error('the flow failed');
      },
    });
    await node.idle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(node.payloads()).toEqual([1, 2, 3]);
    expect(outcomes).toEqual([
      { payload: 1, handled: true },
      { payload: 2, handled: false, reason: 'error' },
      { payload: 3, handled: true },
    ]);
    await node.close();
  });

  it('handle() tells whether a processor handled a message', async () => {
    const node = await testNode(doubler);
    expect(await node.handle(2)).toEqual({ handled: true });
    expect(await node.handle('x')).toMatchObject({ handled: false, reason: 'error', nodeId: 'node-under-test' });
    await node.close();
  });
});

describe('runFlow', () => {
  it('runs a flow fixture and records every node output', async () => {
    const f = await runFlow(
      {
        schemaVersion: 1,
        id: 'fixture',
        nodes: [
          { id: 'tick', type: 'ticker', typeVersion: 1 },
          { id: 'twice', type: 'doubler', typeVersion: 1 },
        ],
        edges: [{ source: 'tick', target: 'twice' }],
      },
      { nodes: [ticker, doubler] },
    );
    await f.advance(2000);
    expect(f.payloads('twice')).toEqual([2 * (FAKE_EPOCH + 1000), 2 * (FAKE_EPOCH + 2000)]);
    await f.inject('twice', 1);
    expect(f.payloads('twice').at(-1)).toBe(2);
    await f.stop();
  });

  it('refuses an invalid fixture with every problem listed', async () => {
    await expect(
      runFlow(
        {
          schemaVersion: 1,
          id: 'bad',
          nodes: [{ id: 'x', type: 'nope', typeVersion: 1 }],
          edges: [{ source: 'x', target: 'y' }],
        },
        { nodes: [doubler] },
      ),
    ).rejects.toThrow(/nope[\s\S]*y/);
  });
});

describe('FakeClock', () => {
  it('fires timers in due order and cancels them', async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.setTimeout(() => fired.push('a@10'), 10);
    cancelled.cancel();
    await clock.advance(25);
    expect(fired).toEqual(['a@10', 'b@20']);
    expect(clock.pendingTimers).toBe(0);
  });
});
