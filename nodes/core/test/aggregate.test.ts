import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import type { Quality } from '@tagflow/node-sdk';
import aggregate from '../src/aggregate.node';

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The six statistics of a list, the textbook way (two passes; sample standard deviation). */
function stats(values: number[]): Record<string, number> {
  const n = values.length;
  const sum = values.reduce((a, b) => a + b, 0);
  const mean = sum / n;
  const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return {
    min: Math.min(...values),
    max: Math.max(...values),
    mean,
    sum,
    count: n,
    stddev: n > 1 ? Math.sqrt(squares / (n - 1)) : 0,
  };
}

function expectStats(payload: unknown, values: number[], functions: string[]): void {
  const expected = stats(values);
  const got = payload as Record<string, number>;
  expect(Object.keys(got).sort()).toEqual([...new Set([...functions, 'count'])].sort());
  for (const key of Object.keys(got)) expect(got[key]).toBeCloseTo(expected[key], 8);
}

const ALL = ['min', 'max', 'mean', 'sum', 'count', 'stddev'];

describe('aggregate, tumbling', () => {
  it('sends one message when the window ends, aligned to the clock, even without a new value', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 10 }, functions: ALL } });
    const start = h.now(); // the fake clock starts on a whole minute
    const values = [3, 7.5, 1, 9, 4.25];
    for (const v of values) {
      await h.send({ payload: v, topic: 'line1/temp' });
      await h.advance(1500);
    }
    expect(h.outputs()).toEqual([]);
    await h.advance(start + 10_000 - h.now());

    const out = h.outputs();
    expect(out).toHaveLength(1);
    expectStats(out[0].payload, values, ALL);
    expect(out[0]).toMatchObject({
      topic: 'line1/temp',
      windowStart: start,
      windowEnd: start + 10_000,
      timestamp: start + 10_000,
      quality: 'good',
    });
  });

  it('computes mean, min and max by default, and always the count', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 5 } } });
    const values = [2, 4, 9];
    for (const v of values) await h.send(v);
    await h.advance(5000);
    expectStats(h.payloads()[0], values, ['mean', 'min', 'max']);
  });

  it('sends nothing for empty windows and starts each window on a multiple of its length', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 10 } } });
    const start = h.now();
    await h.advance(33_000); // three empty windows, then 3 s into the fourth
    expect(h.outputs()).toEqual([]);
    await h.send(1);
    await h.send(2);
    await h.advance(7000);
    expect(h.outputs()).toHaveLength(1);
    expect(h.outputs()[0]).toMatchObject({ windowStart: start + 30_000, windowEnd: start + 40_000 });
    await h.advance(60_000);
    expect(h.outputs()).toHaveLength(1);
  });

  it('counts a value arriving exactly at a window end in the next window', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 10 }, functions: ['sum'] } });
    await h.send(1);
    await h.advance(10_000);
    await h.send(100);
    await h.advance(10_000);
    expect(h.payloads()).toEqual([
      { sum: 1, count: 1 },
      { sum: 100, count: 1 },
    ]);
  });

  it('keeps one window per topic by default', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 60 }, functions: ['mean', 'max'] } });
    const input: Array<[string, number]> = [
      ['a', 1],
      ['b', 10],
      ['a', 3],
      ['b', 30],
      ['b', 20],
      ['a', 2],
    ];
    for (const [topic, payload] of input) await h.send({ topic, payload });
    await h.advance(60_000);
    const out = h.outputs();
    expect(out.map((m) => m.topic)).toEqual(['a', 'b']);
    for (const msg of out) {
      expectStats(
        msg.payload,
        input.filter(([t]) => t === msg.topic).map(([, v]) => v),
        ['mean', 'max'],
      );
    }
  });

  it('with groupByTopic off puts every value in one window, without a topic when they differ', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 60 }, groupByTopic: false, functions: ['sum'] } });
    const input: Array<[string, number]> = [
      ['a', 1],
      ['b', 10],
      ['a', 3],
    ];
    for (const [topic, payload] of input) await h.send({ topic, payload });
    await h.advance(60_000);
    const out = h.outputs();
    expect(out).toHaveLength(1);
    expect(out[0].topic).toBeUndefined();
    expectStats(
      out[0].payload,
      input.map(([, v]) => v),
      ['sum'],
    );
  });

  it('sends the worst quality of the values in the window', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 10 } } });
    const windows: Quality[][] = [
      ['good', 'good'],
      ['good', 'uncertain', 'good'],
      ['uncertain', 'bad', 'good'],
    ];
    for (const qualities of windows) {
      for (const quality of qualities) await h.send({ payload: 1, quality });
      await h.advance(10_000);
    }
    expect(h.outputs().map((m) => m.quality)).toEqual(['good', 'uncertain', 'bad']);
  });

  it('gives a finite mean and standard deviation for values near 1e154 and beyond (found by the fuzz suite)', async () => {
    // 1.9e154 squared is past the double range: the deviations are kept in units of a power of two.
    h = await testNode(aggregate, { config: { window: { seconds: 1 }, functions: ['mean', 'stddev'] } });
    await h.send(0);
    await h.send(1.8961503816218355e154);
    await h.advance(1000);
    await h.send(Number.MAX_VALUE);
    await h.send(-Number.MAX_VALUE / 4);
    await h.advance(1000);
    const [first, second] = h.payloads() as Array<Record<string, number>>;
    expect(first.mean).toBe(1.8961503816218355e154 / 2);
    expect(first.stddev / (1.8961503816218355e154 / Math.SQRT2)).toBeCloseTo(1, 12);
    expect(second.mean / ((Number.MAX_VALUE / 8) * 3)).toBeCloseTo(1, 12);
    expect(second.stddev / ((Number.MAX_VALUE / 8) * 5 * Math.SQRT2)).toBeCloseTo(1, 12);
  });

  it('gives a standard deviation of 0 for a single value', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 10 }, functions: ['stddev'] } });
    await h.send(42);
    await h.advance(10_000);
    expect(h.payloads()).toEqual([{ stddev: 0, count: 1 }]);
  });

  it('reports a non-numeric payload as NOT_A_NUMBER and leaves it out of the window', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 10 }, functions: ['mean'] } });
    await h.send(1);
    await h.send('two');
    await h.send({ payload: null, quality: 'bad' });
    await h.send(3);
    await h.advance(10_000);
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER']);
    expect(h.payloads()).toEqual([{ mean: 2, count: 2 }]);
  });

  it('refuses an unknown function', async () => {
    await expect(testNode(aggregate, { config: { functions: ['median'] } })).rejects.toThrow(/median/);
  });
});

describe('aggregate, sliding', () => {
  const t0 = Date.UTC(2026, 0, 1, 6);
  const offsets = [0, 900, 1000, 2500, 2999, 3000, 4100, 9000, 9100, 9200];
  const values = [5, 3, 8, 1, 9.5, 2, 7, 4, 6, 6];

  it('gives a finite standard deviation for values near 1e154 (found by the fuzz suite)', async () => {
    h = await testNode(aggregate, { config: { mode: 'sliding', window: { seconds: 10 }, functions: ['stddev'] } });
    await h.send(0);
    await h.send(1.8961503816218355e154);
    const last = h.payloads().at(-1) as Record<string, number>;
    expect(last.stddev / (1.8961503816218355e154 / Math.SQRT2)).toBeCloseTo(1, 12);
  });

  it('sends for every value the statistics of the values within the window before it (by timestamp)', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 2 }, mode: 'sliding', functions: ALL } });
    for (let i = 0; i < values.length; i++)
      await h.send({ payload: values[i], timestamp: t0 + offsets[i], topic: 'm' });

    const out = h.outputs();
    expect(out).toHaveLength(values.length);
    for (let i = 0; i < values.length; i++) {
      const inWindow = values.filter((_, j) => j <= i && offsets[j] >= offsets[i] - 2000);
      expectStats(out[i].payload, inWindow, ALL);
      expect(out[i]).toMatchObject({
        topic: 'm',
        timestamp: t0 + offsets[i],
        windowStart: t0 + offsets[i] - 2000,
        windowEnd: t0 + offsets[i],
      });
    }
  });

  it('keeps the standard deviation accurate for large values with a small spread', async () => {
    h = await testNode(aggregate, {
      config: { window: { seconds: 5 }, mode: 'sliding', functions: ['stddev', 'mean'] },
    });
    const big = Array.from({ length: 200 }, (_, i) => 1e9 + ((i * 7919) % 13) / 10);
    for (let i = 0; i < big.length; i++) await h.send({ payload: big[i], timestamp: t0 + i * 100 });
    const out = h.outputs();
    for (const i of [10, 60, 120, 199]) {
      const inWindow = big.filter((_, j) => j <= i && j * 100 >= i * 100 - 5000);
      const expected = stats(inWindow);
      const got = out[i].payload as Record<string, number>;
      expect(got.stddev).toBeCloseTo(expected.stddev, 6);
      expect(got.mean).toBeCloseTo(expected.mean, 4);
    }
  });

  it('keeps one sliding window per topic', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 10 }, mode: 'sliding', functions: ['max'] } });
    await h.send({ topic: 'a', payload: 50, timestamp: t0 });
    await h.send({ topic: 'b', payload: 1, timestamp: t0 + 1 });
    await h.send({ topic: 'a', payload: 5, timestamp: t0 + 2 });
    expect(h.payloads()).toEqual([
      { max: 50, count: 1 },
      { max: 1, count: 1 },
      { max: 50, count: 2 },
    ]);
  });

  it('sends the worst quality among the values in the window', async () => {
    h = await testNode(aggregate, { config: { window: { seconds: 1 }, mode: 'sliding' } });
    await h.send({ payload: 1, timestamp: t0, quality: 'bad' });
    await h.send({ payload: 1, timestamp: t0 + 500, quality: 'good' });
    await h.send({ payload: 1, timestamp: t0 + 1500, quality: 'good' });
    expect(h.outputs().map((m) => m.quality)).toEqual(['bad', 'bad', 'good']);
  });
});

describe('aggregate: persist (issue 16)', () => {
  const flow = (config: Record<string, unknown>) => ({
    schemaVersion: 1,
    id: 'agg-persist',
    nodes: [
      {
        id: 'agg',
        type: 'aggregate',
        typeVersion: 1,
        config: { window: { seconds: 60 }, functions: ['mean', 'count'], persist: true, ...config },
      },
    ],
    edges: [],
  });

  it('an open period goes on after a restart and is sent once, at its end', async () => {
    const f = await runFlow(flow({}), { nodes: [aggregate] });
    const start = f.now(); // the fake clock starts on a whole minute
    await f.inject('agg', 10);
    await f.advance(10_000);
    await f.engine.stop();
    await f.engine.deploy(flow({}));
    await f.inject('agg', 20);
    await f.advance(start + 60_000 - f.now());
    expect(f.outputs('agg').map((m) => [m.payload, m.windowStart])).toEqual([[{ mean: 15, count: 2 }, start]]);
    // The next period starts empty: nothing more is sent for it, also not after another restart.
    await f.engine.stop();
    await f.engine.deploy(flow({}));
    await f.advance(60_000);
    expect(f.outputs('agg')).toHaveLength(1);
    expect(f.errors).toEqual([]);
    await f.stop();
  });

  it('a period that ended while the node was stopped is sent when it starts again', async () => {
    const f = await runFlow(flow({}), { nodes: [aggregate] });
    const start = f.now();
    await f.inject('agg', 7);
    await f.engine.stop();
    await f.advance(90_000);
    await f.engine.deploy(flow({}));
    expect(f.outputs('agg').map((m) => [m.payload, m.windowStart, m.windowEnd])).toEqual([
      [{ mean: 7, count: 1 }, start, start + 60_000],
    ]);
    await f.stop();
  });

  it('sliding windows are kept too', async () => {
    const f = await runFlow(flow({ mode: 'sliding' }), { nodes: [aggregate] });
    await f.inject('agg', 10);
    await f.engine.stop();
    await f.engine.deploy(flow({ mode: 'sliding' }));
    await f.inject('agg', 30);
    expect(f.payloads('agg').at(-1)).toEqual({ mean: 20, count: 2 });
    await f.stop();
  });
});
