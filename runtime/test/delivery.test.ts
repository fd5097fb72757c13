import { createMessage, defineNode } from '@tagflow/node-sdk';
import { flow, makeEngine, received, until } from './helpers';

describe('message delivery', () => {
  afterEach(() => received.clear());

  it('delivers every message along the edges, in order', async () => {
    const { engine } = makeEngine();
    const result = await engine.deploy(
      flow(
        [
          { id: 'src', type: 'counter', config: { count: 5000 } },
          { id: 'plus', type: 'adder', config: { add: 100 } },
          { id: 'out', type: 'sink' },
        ],
        ['src->plus', 'plus->out'],
      ),
    );
    expect(result.ok).toBe(true);
    await until(() => (received.get('out')?.length ?? 0) === 5000);
    expect(received.get('out')!.map((m) => m.payload)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 100));
    expect(engine.stats().plus).toMatchObject({ in: 5000, out: 5000, errors: 0, dropped: 0, queued: 0 });
    await engine.stop();
  });

  it('fans out the same message object to every receiver (no clone per hop)', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'counter', config: { count: 3 } },
          { id: 'a', type: 'sink' },
          { id: 'b', type: 'sink' },
        ],
        ['src->a', 'src->b'],
      ),
    );
    await until(() => (received.get('b')?.length ?? 0) === 3);
    received.get('a')!.forEach((msg, i) => expect(msg).toBe(received.get('b')![i]));
    await engine.stop();
  });

  it('keeps order through a node that awaits I/O, queuing behind it', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'counter', config: { count: 200 } },
          { id: 'io', type: 'slow', config: { delayMs: 0 } },
          { id: 'out', type: 'sink' },
        ],
        ['src->io', 'io->out'],
      ),
    );
    await until(() => (received.get('out')?.length ?? 0) === 200);
    expect(received.get('out')!.map((m) => m.payload)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await engine.stop();
  });

  it('survives a flow that loops back on itself without overflowing the stack', async () => {
    const bounce = defineNode({
      type: 'bounce',
      version: 1,
      category: 'processor',
      description: 'passes n+1 back until a limit',
      configSchema: { type: 'object', properties: {}, additionalProperties: false },
      inputs: ['in'],
      outputs: ['out', 'done'],
      create(ctx) {
        return {
          onMessage(msg) {
            const n = msg.payload as number;
            ctx.send({ ...msg, payload: n + 1 }, n + 1 >= 200_000 ? 'done' : 'out');
          },
        };
      },
    });
    const { engine } = makeEngine([bounce]);
    // 400,000 hops: far past the default hop limit, which this flow raises.
    await engine.deploy({
      ...flow(
        [
          { id: 'a', type: 'bounce' },
          { id: 'b', type: 'adder' },
          { id: 'end', type: 'sink' },
        ],
        ['a->b', 'b->a', 'a:done->end'],
      ),
      settings: { maxHops: 1_000_000 },
    });
    await engine.inject('a', createMessage(0));
    await until(() => (received.get('end')?.length ?? 0) === 1);
    expect(received.get('end')![0].payload).toBe(200_000);
    await engine.stop();
  });

  it('lets timers run while a source floods', async () => {
    const { engine } = makeEngine();
    const total = 2_000_000;
    const delivered = () => received.get('out')?.length ?? 0;
    const seenByTimer: number[] = [];
    const timer = setInterval(() => seenByTimer.push(delivered()), 1);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'counter', config: { count: total } },
          { id: 'out', type: 'sink' },
        ],
        ['src->out'],
      ),
    );
    await until(() => delivered() === total, 60000);
    clearInterval(timer);
    // A source that never yielded would let the timer fire only before or after the flood.
    expect(seenByTimer.some((n) => n > 0 && n < total)).toBe(true);
    await engine.stop();
  });

  it('taps observe what a node sends on a port', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'plus', type: 'adder', config: { add: 1 } },
          { id: 'out', type: 'sink' },
        ],
        ['plus->out'],
      ),
    );
    const seen: unknown[] = [];
    const untap = engine.tap('plus', 'out', (m) => seen.push(m.payload));
    await engine.inject('plus', createMessage(1));
    untap();
    await engine.inject('plus', createMessage(2));
    expect(seen).toEqual([2]);
    expect(received.get('out')!.map((m) => m.payload)).toEqual([2, 3]);
    await engine.stop();
  });
});
