import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import scale from '../src/scale.node';

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Range {
  min: number;
  max: number;
}

/** Where `v` sits in `from` (0..1, or beyond), carried over to the same place in `to`. */
function interpolate(v: number, from: Range, to: Range): number {
  const fraction = (v - from.min) / (from.max - from.min);
  return to.min * (1 - fraction) + to.max * fraction;
}

const current = [4, 8, 12, 16, 20, 5.6, 19.9, 3.2, 0, 21, 25];

describe('scale', () => {
  it('maps the input range onto the output range and limits the result by default', async () => {
    const range = { in: { min: 4, max: 20 }, out: { min: 0, max: 100 } };
    h = await testNode(scale, { config: range });
    for (const v of current) await h.send(v);
    const got = h.payloads() as number[];
    current.forEach((v, i) => {
      const expected = Math.min(100, Math.max(0, interpolate(v, range.in, range.out)));
      expect(got[i]).toBeCloseTo(expected, 10);
    });
    expect(Math.min(...got)).toBe(0);
    expect(Math.max(...got)).toBe(100);
  });

  it('extrapolates beyond the output range with outside: extend', async () => {
    const range = { in: { min: 4, max: 20 }, out: { min: 0, max: 100 } };
    h = await testNode(scale, { config: { ...range, outside: 'extend' } });
    for (const v of current) await h.send(v);
    const got = h.payloads() as number[];
    current.forEach((v, i) => expect(got[i]).toBeCloseTo(interpolate(v, range.in, range.out), 10));
    expect(Math.min(...got)).toBeLessThan(0);
    expect(Math.max(...got)).toBeGreaterThan(100);
  });

  it('inverts with a reversed output range, clamping within it', async () => {
    const range = { in: { min: 0, max: 10 }, out: { min: 100, max: 0 } };
    h = await testNode(scale, { config: range });
    const input = [0, 2.5, 10, -5, 15];
    for (const v of input) await h.send(v);
    const got = h.payloads() as number[];
    input.forEach((v, i) =>
      expect(got[i]).toBeCloseTo(Math.min(100, Math.max(0, interpolate(v, range.in, range.out))), 10),
    );
    expect(got[3]).toBe(100);
    expect(got[4]).toBe(0);
  });

  it('keeps every other field of the message', async () => {
    h = await testNode(scale, { config: { in: { min: 0, max: 1 }, out: { min: 0, max: 1000 } } });
    await h.send({ payload: 0.5, topic: 'p3/pressure', timestamp: 42, quality: 'uncertain', unit: 'mbar' });
    expect(h.outputs()[0]).toEqual({
      payload: 500,
      topic: 'p3/pressure',
      timestamp: 42,
      quality: 'uncertain',
      unit: 'mbar',
    });
  });

  it('refuses an input range whose ends are equal', async () => {
    await expect(testNode(scale, { config: { in: { min: 4, max: 4 }, out: { min: 0, max: 100 } } })).rejects.toThrow(
      /input range/,
    );
  });

  it('refuses a config without ranges', async () => {
    await expect(testNode(scale, { config: { round: true } })).rejects.toThrow(/config\/in: .*Input range is required/);
  });

  it('reports a non-numeric payload as NOT_A_NUMBER', async () => {
    h = await testNode(scale, { config: { in: { min: 0, max: 10 }, out: { min: 0, max: 1 } } });
    await h.send('5');
    await h.send(Infinity);
    await h.send(5);
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER']);
    expect(h.payloads()).toEqual([0.5]);
  });

  it('passes a failed read (quality bad, no number) on unchanged, and scales a bad one that has a number', async () => {
    h = await testNode(scale, { config: { in: { min: 0, max: 10 }, out: { min: 0, max: 1 } } });
    await h.send({ payload: null, quality: 'bad', topic: 'flow' });
    await h.send({ payload: 5, quality: 'bad', topic: 'flow' });
    expect(h.errors).toEqual([]);
    expect(h.outputs().map((m) => [m.payload, m.quality])).toEqual([
      [null, 'bad'],
      [0.5, 'bad'],
    ]);
  });
});
