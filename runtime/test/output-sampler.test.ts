import { createMessage, defineNode } from '@tagflow/node-sdk';
import type { Clock, Timer } from '@tagflow/node-sdk';
import { FlowSet } from '../src';
import type { SamplesEvent } from '../src';
import { flow, makeEngine, received, until } from './helpers';

/** A clock whose intervals run only when the test says: one call of `tick()` ends one sample window. */
class StepClock implements Clock {
  time = 1_767_225_600_000;
  private intervals = new Set<() => void>();
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): Timer {
    const handle = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(handle) };
  }
  setInterval(callback: () => void): Timer {
    this.intervals.add(callback);
    return { cancel: () => this.intervals.delete(callback) };
  }
  get live(): number {
    return this.intervals.size;
  }
  tick(ms = 1000): void {
    this.time += ms;
    for (const callback of [...this.intervals]) callback();
  }
}

/** Sends, on each input, the payloads its config lists, on `out` (values) and `events` (an alarm-like object). */
const mixed = defineNode({
  type: 'mixed',
  version: 1,
  category: 'processor',
  description: 'test node sending several kinds of payload',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out', 'events', 'flags', 'error'],
  create(ctx) {
    return {
      onMessage(msg) {
        const n = msg.payload as number;
        ctx.send({ ...msg, topic: 'pump3/flow', payload: n * 2 });
        if (n % 2 === 1) ctx.send({ ...msg, payload: { alarm: 'high', state: 'raised', value: n } }, 'events');
        ctx.send({ ...msg, payload: n > 2 }, 'flags');
        if (n === 3) ctx.send({ ...msg, payload: Number.NaN });
      },
    };
  },
});

describe('output sampling', () => {
  afterEach(() => received.clear());

  it('samples nothing and taps nothing while nobody listens to "samples"', async () => {
    const clock = new StepClock();
    const { engine } = makeEngine([mixed], 2000, { clock });
    await engine.deploy(flow([{ id: 'm', type: 'mixed' }], []));
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.live).toBe(0);
    const listener = jest.fn();
    engine.on('samples', listener);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.live).toBe(1);
    engine.off('samples', listener);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.live).toBe(0);
    await engine.stop();
  });

  it('emits per output port, once a window: count, last, min and max of the numbers, and the payload kind', async () => {
    const clock = new StepClock();
    const { engine } = makeEngine([mixed], 2000, { clock });
    const events: SamplesEvent[] = [];
    engine.on('samples', (e) => events.push(e));
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'counter', config: { count: 5 } },
          { id: 'm', type: 'mixed' },
          { id: 'out', type: 'sink' },
        ],
        ['src->m', 'm->out'],
      ),
    );
    await until(() => (received.get('out')?.length ?? 0) === 6);
    clock.tick();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ flowId: 'test-flow', time: clock.time, windowMs: 1000 });
    const byPort = Object.fromEntries(event.samples.map((s) => [`${s.nodeId}.${s.port}`, s]));
    // The counter sent 0..4; mixed sent their doubles (and a NaN, counted but not drawn).
    expect(byPort['src.out']).toEqual({
      nodeId: 'src',
      port: 'out',
      kind: 'number',
      count: 5,
      numeric: 5,
      last: 4,
      min: 0,
      max: 4,
    });
    expect(byPort['m.out']).toMatchObject({
      kind: 'number',
      count: 6,
      numeric: 5,
      last: 8,
      min: 0,
      max: 8,
      topic: 'pump3/flow',
    });
    expect(byPort['m.events']).toMatchObject({ kind: 'object', count: 2, numeric: 2, last: 3, min: 1, max: 3 });
    expect(byPort['m.events'].text).toBe('{"alarm":"high","state":"raised","value":3}');
    expect(byPort['m.flags']).toMatchObject({ kind: 'boolean', count: 5, last: 1, min: 0, max: 1 });
    // A port that sent nothing (and the error output) has no sample.
    expect(Object.keys(byPort).sort()).toEqual(['m.events', 'm.flags', 'm.out', 'src.out']);

    // The next window starts empty: nothing sent, nothing emitted.
    clock.tick();
    expect(events).toHaveLength(1);
    await engine.stop();
  });

  it('follows a redeploy: a replaced node is sampled as the new one', async () => {
    const clock = new StepClock();
    const { engine } = makeEngine([], 2000, { clock });
    const events: SamplesEvent[] = [];
    engine.on('samples', (e) => events.push(e));
    const nodes = (add: number) => [
      { id: 'src', type: 'counter', config: { count: 3 } },
      { id: 'plus', type: 'adder', config: { add } },
      { id: 'out', type: 'sink' },
    ];
    await engine.deploy(flow(nodes(0), ['src->plus', 'plus->out']));
    await until(() => (received.get('out')?.length ?? 0) === 3);
    clock.tick();
    await engine.deploy(flow(nodes(100), ['src->plus', 'plus->out']));
    await engine.inject('plus', createMessage(1));
    clock.tick();
    expect(events).toHaveLength(2);
    expect(events[1].samples).toEqual([expect.objectContaining({ nodeId: 'plus', last: 101, count: 1 })]);
    await engine.stop();
  });

  it('passes samples on from every flow of a FlowSet, each with its flow id', async () => {
    const clock = new StepClock();
    const { registry } = makeEngine();
    const set = new FlowSet({ registry, clock, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const events: SamplesEvent[] = [];
    set.on('samples', (e) => events.push(e));
    for (const id of ['a', 'b']) {
      const f = flow([{ id: 'plus', type: 'adder', config: { add: 1 } }], [], id);
      expect((await set.deploy(id, f)).ok).toBe(true);
      await set.engine(id)!.inject('plus', createMessage(id === 'a' ? 1 : 2));
    }
    await new Promise((resolve) => setImmediate(resolve));
    clock.tick();
    expect(events.map((e) => [e.flowId, e.samples[0].last]).sort()).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    await set.stopAll();
  });
});
