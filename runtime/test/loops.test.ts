import { createMessage, defineNode, sdkErrors } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import type { NodeErrorEvent } from '../src';
import { flow, makeEngine, received, until } from './helpers';

/** Sends a message every `intervalMs` through the engine's clock, like the core `timer` node. */
const ticker = defineNode({
  type: 'ticker',
  version: 1,
  category: 'source',
  description: 'test timer',
  configSchema: {
    type: 'object',
    properties: { intervalMs: { type: 'number', default: 50 } },
    additionalProperties: false,
  },
  inputs: [],
  outputs: ['out'],
  create(ctx) {
    let n = 0;
    return {
      start() {
        ctx.clock.setInterval(() => void ctx.send(createMessage(n++)), ctx.config.intervalMs);
      },
    };
  },
});

/** Builds a brand-new message from the one it gets (as a node copying through an isolate does). */
const copier = defineNode({
  type: 'copier',
  version: 1,
  category: 'processor',
  description: 'test copying node',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return { onMessage: (msg) => void ctx.send(JSON.parse(JSON.stringify(msg)) as Message) };
  },
});

/** Passes on a spread copy after a turn of the event loop (no engine context left by then). */
const later = defineNode({
  type: 'later',
  version: 1,
  category: 'processor',
  description: 'test async node',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      async onMessage(msg) {
        await new Promise((resolve) => setImmediate(resolve));
        ctx.send({ ...msg, later: true });
      },
    };
  },
});

/** Sends each message it gets to both of its outputs: a loop through it doubles every round. */
const doubler = defineNode({
  type: 'doubler',
  version: 1,
  category: 'processor',
  description: 'test fan-out',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out', 'copy'],
  create(ctx) {
    return {
      onMessage(msg) {
        ctx.send(msg);
        ctx.send(msg, 'copy');
      },
    };
  },
});

/** Counts ticks of a real interval for `ms`: under a starved event loop it stays near zero. */
function ticksDuring(intervalMs: number, count: number): Promise<number[]> {
  const at: number[] = [];
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      at.push(Date.now() - started);
      if (at.length === count) {
        clearInterval(timer);
        resolve(at);
      }
    }, intervalMs);
  });
}

function withSettings(f: ReturnType<typeof flow>, settings: Record<string, unknown>) {
  return { ...f, settings };
}

describe('loops and starvation', () => {
  afterEach(() => received.clear());

  it('drops a message looping timer -> a -> b -> a after 1,000 hops, naming the cycle, and keeps time', async () => {
    const { engine, logger } = makeEngine([ticker]);
    const errors: NodeErrorEvent[] = [];
    engine.on('node-error', (e) => errors.push(e));
    const result = await engine.deploy(
      flow(
        [
          { id: 'timer', type: 'ticker', config: { intervalMs: 50 } },
          { id: 'a', type: 'adder', config: { add: 1 } },
          { id: 'b', type: 'adder', config: { add: 1 } },
          { id: 'other', type: 'ticker', config: { intervalMs: 20 } },
          { id: 'out', type: 'sink' },
        ],
        ['timer->a', 'a->b', 'b->a', 'other->out'],
      ),
    );
    expect(result.ok).toBe(true);
    // While the loop runs, a timer of the test keeps its pace: 20 ticks of 50 ms within 2 s.
    const ticks = await ticksDuring(50, 20);
    expect(ticks[19]).toBeLessThan(2000);
    await until(() => errors.length >= 3);
    const error = errors[0];
    expect(['a', 'b']).toContain(error.nodeId);
    const [from, to] = error.nodeId === 'a' ? ['a', 'b'] : ['b', 'a'];
    expect(error.message).toBe(
      `message dropped after 1000 hops: it went round the cycle ${from} -> ${to} -> ${from}; ` +
        'a loop needs a node that delays or limits it, or a switch that ends it',
    );
    expect(error.code).toBe(sdkErrors.code.HOP_LIMIT);
    const stats = engine.stats();
    expect(stats[error.nodeId].dropped).toBeGreaterThanOrEqual(3);
    // The other branch kept running all along.
    expect(received.get('out')!.length).toBeGreaterThan(10);
    // The log says it in the same words (rate-limited by the logger, not here).
    expect(logger.lines.some((l) => l.level === 'error' && l.msg.includes('message dropped after 1000 hops'))).toBe(
      true,
    );
    await engine.stop();
  });

  it('yields to the event loop while a message circulates, when the hop limit is high', async () => {
    const { engine } = makeEngine();
    const errors: NodeErrorEvent[] = [];
    engine.on('node-error', (e) => errors.push(e));
    await engine.deploy(
      withSettings(
        flow(
          [
            { id: 'a', type: 'adder', config: { add: 1 } },
            { id: 'b', type: 'adder', config: { add: 1 } },
          ],
          ['a->b', 'b->a'],
        ),
        { maxHops: 1_000_000 },
      ),
    );
    const ticks = ticksDuring(50, 20);
    void engine.inject('a', createMessage(0));
    expect((await ticks)[19]).toBeLessThan(2000);
    await until(() => errors.length === 1, 60_000);
    expect(errors[0].message).toMatch(/^message dropped after 1000000 hops/);
    await engine.stop();
  });

  it('stays responsive under a loop that doubles its messages every round', async () => {
    // Through a second node: a wire from a node into itself is refused (SELF_LOOP).
    const { engine } = makeEngine([doubler, copier]);
    await engine.deploy(
      flow(
        [
          { id: 'd', type: 'doubler' },
          { id: 'e', type: 'copier' },
        ],
        ['d->e', 'd:copy->e', 'e->d'],
      ),
    );
    const ticks = ticksDuring(50, 20);
    void engine.inject('d', createMessage(0));
    expect((await ticks)[19]).toBeLessThan(2000);
    // Nothing grows without bound: the queues' overflow policy drops, and says how many.
    const stats = engine.stats();
    expect(stats.d.queued).toBeLessThanOrEqual(2000);
    expect(stats.e.queued).toBeLessThanOrEqual(2000);
    expect(stats.d.dropped + stats.e.dropped).toBeGreaterThan(0);
    await engine.stop();
  });

  it('counts hops through nodes that copy messages and nodes that send later', async () => {
    const { engine } = makeEngine([copier, later]);
    const errors: NodeErrorEvent[] = [];
    engine.on('node-error', (e) => errors.push(e));
    await engine.deploy(
      withSettings(
        flow(
          [
            { id: 'copy', type: 'copier' },
            { id: 'wait', type: 'later' },
            { id: 'plus', type: 'adder', config: { add: 1 } },
          ],
          ['copy->wait', 'wait->plus', 'plus->copy'],
        ),
        { maxHops: 60 },
      ),
    );
    await engine.inject('copy', createMessage(0));
    await until(() => errors.length === 1);
    expect(errors[0].message).toMatch(/^message dropped after 60 hops: it went round the cycle /);
    for (const id of ['copy', 'wait', 'plus']) expect(errors[0].message).toContain(id);
    // 60 hops from the injection: 20 rounds of 3 nodes, give or take the copies' estimate.
    expect(received.size).toBe(0);
    await engine.stop();
  });

  it('lets a message pass a short cycle that ends by itself, and through a fan-out unchanged', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'a', type: 'picky', config: { failOn: 5 } },
          { id: 'b', type: 'adder', config: { add: 1 } },
          { id: 'out', type: 'sink' },
        ],
        ['a->b', 'b->out', 'b->a'],
      ),
    );
    await engine.inject('a', createMessage(0));
    await engine.idle();
    expect(received.get('out')!.map((m) => m.payload)).toEqual([1, 2, 3, 4, 5]);
    // A short trip leaves the message as the node built it: no hop count on it.
    for (const msg of received.get('out')!) expect(Object.getOwnPropertySymbols(msg)).toEqual([]);
    expect(engine.stats().a).toMatchObject({ dropped: 0, errors: 1 });
    await engine.stop();
  });

  it('routes the hop-limit error to catch nodes as a new trip, and counts each drop', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      withSettings(
        flow(
          [
            { id: 'a', type: 'adder', config: { add: 1 } },
            { id: 'b', type: 'adder', config: { add: 1 } },
            { id: 'catch', type: 'catcher' },
            { id: 'errors', type: 'sink' },
          ],
          ['a->b', 'b->a', 'catch->errors'],
        ),
        { maxHops: 40 },
      ),
    );
    await engine.inject('a', createMessage(0));
    await engine.inject('b', createMessage(0));
    await engine.idle();
    const caught = received.get('errors')!;
    expect(caught.map((m) => m.error?.code)).toEqual([sdkErrors.code.HOP_LIMIT, sdkErrors.code.HOP_LIMIT]);
    expect(caught[0].error?.message).toMatch(
      /^message dropped after 40 hops: it went round the cycle (a -> b -> a|b -> a -> b);/,
    );
    const stats = engine.stats();
    expect(stats.a.dropped + stats.b.dropped).toBe(2);
    // Injected at a (hop 0), each adder adds 1 per hop: the message refused its 41st hop.
    expect(caught[0].payload).toBe(41);
    await engine.stop();
  });
});
