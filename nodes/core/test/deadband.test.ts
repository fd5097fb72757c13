import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import deadband from '../src/deadband.node';

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const values = [10, 10.4, 10.5, 11.1, 10.6, 10.55, 9.9, 9.95, 12, 12, 11.49, 11.5];

/** Values that pass a deadband, worked out one at a time from the last passed value. */
function expectedPassed(input: number[], limitFor: (last: number) => number): number[] {
  const passed: number[] = [];
  for (const v of input) {
    const last = passed.at(-1);
    if (last === undefined || Math.abs(v - last) > limitFor(last)) passed.push(v);
  }
  return passed;
}

describe('deadband', () => {
  it('passes a value only when it moved more than the absolute band from the last value passed', async () => {
    h = await testNode(deadband, { config: { band: 0.5 } });
    for (const v of values) await h.send(v);
    const expected = expectedPassed(values, () => 0.5);
    expect(h.payloads()).toEqual(expected);
    expect(expected.length).toBeLessThan(values.length);
  });

  it('does not pass a change exactly equal to the band', async () => {
    h = await testNode(deadband, { config: { band: 2 } });
    for (const v of [0, 2, -2, 2.0001]) await h.send(v);
    expect(h.payloads()).toEqual([0, 2.0001]);
  });

  it('in percent mode compares with a percentage of the last value passed', async () => {
    h = await testNode(deadband, { config: { mode: 'percent', band: 5 } });
    const input = [100, 104, 105.5, 110, 115, 110, 104, 0, 0, 0.001];
    for (const v of input) await h.send(v);
    expect(h.payloads()).toEqual(expectedPassed(input, (last) => (Math.abs(last) * 5) / 100));
  });

  it('with the default band of 0 passes every change and drops repeats', async () => {
    h = await testNode(deadband);
    for (const v of [1, 1, 2, 2, 2, 1]) await h.send(v);
    expect(h.payloads()).toEqual([1, 2, 1]);
  });

  it('keeps a separate last value per topic', async () => {
    h = await testNode(deadband, { config: { band: 1 } });
    const input: Array<[string, number]> = [
      ['a', 10],
      ['b', 100],
      ['a', 10.5],
      ['b', 100.5],
      ['a', 11.5],
      ['b', 102],
      ['a', 11],
      ['b', 99],
    ];
    for (const [topic, payload] of input) await h.send({ topic, payload });
    for (const topic of ['a', 'b']) {
      const own = input.filter(([t]) => t === topic).map(([, v]) => v);
      expect(
        h
          .outputs()
          .filter((m) => m.topic === topic)
          .map((m) => m.payload),
      ).toEqual(expectedPassed(own, () => 1));
    }
  });

  it('always passes a quality change, also a bad read that carries no number', async () => {
    h = await testNode(deadband, { config: { band: 5 } });
    await h.send({ payload: 20, quality: 'good' });
    await h.send({ payload: 20, quality: 'uncertain' });
    await h.send({ payload: 21, quality: 'uncertain' });
    await h.send({ payload: null, quality: 'bad' });
    await h.send({ payload: null, quality: 'bad' });
    await h.send({ payload: 21, quality: 'good' });
    expect(h.errors).toEqual([]);
    expect(h.outputs().map((m) => [m.payload, m.quality])).toEqual([
      [20, 'good'],
      [20, 'uncertain'],
      [null, 'bad'],
      [21, 'good'],
    ]);
  });

  it('with maxSilenceSeconds passes a value when nothing passed for that long, judged on timestamps', async () => {
    h = await testNode(deadband, { config: { band: 10, maxSilenceSeconds: 60 } });
    const t0 = Date.UTC(2026, 0, 1);
    const times = [0, 30_000, 59_999, 60_000, 90_000, 119_999, 120_000];
    for (const t of times) await h.send({ payload: 5, timestamp: t0 + t });
    const expected: number[] = [];
    for (const t of times) if (expected.length === 0 || t - (expected.at(-1) as number) >= 60_000) expected.push(t);
    expect(h.outputs().map((m) => m.timestamp - t0)).toEqual(expected);
  });

  it('sends the message unchanged', async () => {
    h = await testNode(deadband, { config: { band: 1 } });
    await h.send({ payload: 3, topic: 'x', timestamp: 1234, quality: 'uncertain', unit: 'bar' });
    expect(h.outputs()[0]).toEqual({ payload: 3, topic: 'x', timestamp: 1234, quality: 'uncertain', unit: 'bar' });
  });

  it('reports a non-numeric payload as NOT_A_NUMBER and keeps the last value passed', async () => {
    h = await testNode(deadband, { config: { band: 1 } });
    await h.send(10);
    await h.send('50');
    await h.send(true);
    await h.send(10.5); // compared with 10, not with anything from the bad messages
    await h.send(11.5);
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER']);
    expect(h.payloads()).toEqual([10, 11.5]);
  });
});
