import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import type { Message, Quality } from '@tagflow/node-sdk';
import movingAverage from '../src/moving-average.node';

// A deterministic, irregular series (no two windows have the same mean by accident).
const series = Array.from(
  { length: 25 },
  (_, i) => Math.round((50 + 10 * Math.sin(i * 1.3) + (i % 4) * 2.5) * 100) / 100,
);

function mean(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total / values.length;
}

function worst(qualities: Quality[]): Quality {
  return qualities.includes('bad') ? 'bad' : qualities.includes('uncertain') ? 'uncertain' : 'good';
}

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('moving-average, count window', () => {
  it('sends the mean of the last N values for every value, partial windows included by default', async () => {
    h = await testNode(movingAverage, { config: { window: { count: 4 } } });
    for (const v of series) await h.send(v);

    const expected = series.map((_, i) => mean(series.slice(Math.max(0, i - 3), i + 1)));
    const out = h.outputs();
    expect(out).toHaveLength(series.length);
    out.forEach((msg, i) => expect(msg.payload).toBeCloseTo(expected[i], 10));
  });

  it('with emitPartial off sends nothing until the window is full', async () => {
    h = await testNode(movingAverage, { config: { window: { count: 5 }, emitPartial: false } });
    for (const v of series) await h.send(v);

    const expected: number[] = [];
    for (let i = 4; i < series.length; i++) expected.push(mean(series.slice(i - 4, i + 1)));
    const got = h.payloads() as number[];
    expect(got).toHaveLength(expected.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
  });

  it('defaults to a window of 10 values', async () => {
    h = await testNode(movingAverage);
    for (const v of series) await h.send(v);
    expect(h.outputs()).toHaveLength(series.length);
    const last = h.outputs().at(-1) as Message;
    // Exactly the last 10 values: the mean of 9 or 11 would differ.
    expect(last.payload).toBeCloseTo(mean(series.slice(-10)), 10);
  });

  it('recovers exactly after a huge value left the window (running sum does not drift for ever)', async () => {
    h = await testNode(movingAverage, { config: { window: { count: 3 } } });
    // 1e16 + 1 === 1e16 in floating point: a plain running sum would keep a permanent error.
    const values = [1e16, ...Array.from({ length: 20 }, (_, i) => i + 1)];
    for (const v of values) await h.send(v);
    const got = h.payloads() as number[];
    expect(got).toHaveLength(values.length);
    for (let i = values.length - 10; i < values.length; i++) {
      expect(got[i]).toBeCloseTo(mean(values.slice(i - 2, i + 1)), 9);
    }
  });

  it('sends a finite mean for values near the ends of the double range (found by the fuzz suite)', async () => {
    // MAX_VALUE minus -1e300 overflows the running sums; the mean of the two is still a number.
    const h = await testNode(movingAverage, { config: { window: { count: 3 } } });
    await h.send(Number.MAX_VALUE);
    await h.send(-1e300);
    await h.send(-Number.MAX_VALUE);
    await h.send(1);
    expect(h.errors).toEqual([]);
    const got = h.payloads() as number[];
    const want = [
      Number.MAX_VALUE,
      Number.MAX_VALUE / 2 - 1e300 / 2,
      -1e300 / 3, // MAX_VALUE, -1e300 and -MAX_VALUE
      (-1e300 - Number.MAX_VALUE + 1) / 3,
    ];
    expect(got).toHaveLength(want.length);
    got.forEach((value, i) => {
      expect(Number.isFinite(value)).toBe(true);
      // Within a few units in the last place of MAX_VALUE: the values themselves are that coarse.
      expect(Math.abs(value - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 1e-6);
    });
    await h.close();
  });

  it('keeps topic, timestamp and other fields, and the worst quality of the window', async () => {
    h = await testNode(movingAverage, { config: { window: { count: 3 } } });
    const qualities: Quality[] = ['good', 'uncertain', 'good', 'good', 'bad', 'good', 'good', 'good'];
    for (let i = 0; i < qualities.length; i++) {
      await h.send({
        payload: series[i],
        topic: 'pump3/flow',
        timestamp: 1000 + i,
        quality: qualities[i],
        unit: 'l/s',
      });
    }
    const out = h.outputs();
    // One output per input: without this, a node that sent nothing would pass the loop below.
    expect(out).toHaveLength(qualities.length);
    out.forEach((msg, i) => {
      expect(msg.topic).toBe('pump3/flow');
      expect(msg.timestamp).toBe(1000 + i);
      expect(msg.unit).toBe('l/s');
      expect(msg.quality).toBe(worst(qualities.slice(Math.max(0, i - 2), i + 1)));
    });
  });

  it('reports a non-numeric payload as NOT_A_NUMBER and leaves the window as it was', async () => {
    h = await testNode(movingAverage, { config: { window: { count: 3 } } });
    await h.send(10);
    await h.send(20);
    await h.send('30');
    await h.send({ payload: null, quality: 'bad' });
    await h.send(Number.NaN);
    await h.send(40);

    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER', 'NOT_A_NUMBER']);
    expect(h.errors[0].message).toContain('"30"');
    expect(h.payloads()).toHaveLength(3);
    expect(h.payloads()[2]).toBeCloseTo(mean([10, 20, 40]), 10);
  });

  it('refuses a window that is both a count and a time span, or an empty count', async () => {
    await expect(testNode(movingAverage, { config: { window: { count: 3, seconds: 5 } } })).rejects.toThrow(
      /config\/window/,
    );
    await expect(testNode(movingAverage, { config: { window: { count: 0 } } })).rejects.toThrow(/config\/window/);
  });
});

describe('moving-average, time window', () => {
  // Irregular sample times (ms after t0), one exactly on a window edge (3000 = 5000 - 2000).
  const offsets = [0, 400, 1500, 2100, 3000, 3050, 5000, 5100, 7999, 8000, 12000, 12500];
  const t0 = Date.UTC(2026, 0, 1, 8);

  it('averages the values whose timestamps lie within S seconds of the newest one, edge included', async () => {
    h = await testNode(movingAverage, { config: { window: { seconds: 2 } } });
    for (let i = 0; i < offsets.length; i++) await h.send({ payload: series[i], timestamp: t0 + offsets[i] });

    const out = h.outputs();
    expect(out).toHaveLength(offsets.length);
    for (let i = 0; i < offsets.length; i++) {
      const inWindow = offsets
        .map((t, j) => ({ t, v: series[j] }))
        .filter(({ t }, j) => j <= i && t >= offsets[i] - 2000)
        .map(({ v }) => v);
      expect(out[i].payload).toBeCloseTo(mean(inWindow), 10);
    }
  });

  it('uses message timestamps, not arrival time', async () => {
    h = await testNode(movingAverage, { config: { window: { seconds: 10 } } });
    await h.send({ payload: 100, timestamp: t0 });
    await h.advance(60_000); // a minute of arrival time changes nothing
    await h.send({ payload: 50, timestamp: t0 + 5000 });
    expect(h.payloads()).toEqual([100, 75]);
  });

  it('with emitPartial off waits until the values span the whole window', async () => {
    h = await testNode(movingAverage, { config: { window: { seconds: 2 }, emitPartial: false } });
    for (let i = 0; i < offsets.length; i++) await h.send({ payload: series[i], timestamp: t0 + offsets[i] });
    const firstFull = offsets.findIndex((t) => t - offsets[0] >= 2000);
    expect(h.outputs()).toHaveLength(offsets.length - firstFull);
    expect(h.outputs()[0].timestamp).toBe(t0 + offsets[firstFull]);
  });

  it('ignores a value older than the window start without disturbing the window', async () => {
    h = await testNode(movingAverage, { config: { window: { seconds: 2 } } });
    await h.send({ payload: 10, timestamp: t0 + 5000 });
    await h.send({ payload: 1000, timestamp: t0 + 1000 }); // 4 s late
    await h.send({ payload: 20, timestamp: t0 + 6000 });
    expect(h.payloads()).toEqual([10, 15]);
    expect(h.errors).toEqual([]);
    expect(h.status?.text).toContain('1 late value');
  });
});

describe('moving-average output shape', () => {
  it('adds no fields to the message: a new field after a spread costs microseconds per message on Node 20', async () => {
    h = await testNode(movingAverage, { config: { window: { count: 3 } } });
    await h.send({ payload: 1, topic: 't', unit: 'm3/h' });
    expect(Object.keys(h.outputs()[0]).sort()).toEqual(['payload', 'quality', 'timestamp', 'topic', 'unit']);
  });
});
