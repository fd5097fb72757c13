import { isNodeError } from '@tagflow/node-sdk';
import { parseReplayCsv } from '../src/simulation/csv-replay';
import { createRandom } from '../src/simulation/prng';
import { createRandomWalk } from '../src/simulation/random-walk';
import { ReplayCursor } from '../src/simulation/replay-cursor';
import { createSignal } from '../src/simulation/signal';
import { rampAt, sineAt, stepAt } from '../src/simulation/waveforms';

function take(next: () => number, n: number): number[] {
  return Array.from({ length: n }, () => next());
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('seeded random numbers', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    expect(take(a.next, 50)).toEqual(take(b.next, 50));
    expect(take(a.gaussian, 50)).toEqual(take(b.gaussian, 50));
  });

  it('gives a different sequence for a different seed', () => {
    expect(take(createRandom(1).next, 20)).not.toEqual(take(createRandom(2).next, 20));
  });

  it('stays in [0, 1) and spreads evenly', () => {
    const values = take(createRandom(7).next, 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
    const lowHalf = values.filter((v) => v < 0.5).length / values.length;
    expect(lowHalf).toBeGreaterThan(0.48);
    expect(lowHalf).toBeLessThan(0.52);
  });

  it('draws gaussian numbers with mean 0 and standard deviation 1', () => {
    const values = take(createRandom(99).gaussian, 20_000);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(sd).toBeGreaterThan(0.95);
    expect(sd).toBeLessThan(1.05);
    expect(values.every(Number.isFinite)).toBe(true);
  });
});

describe('waveforms', () => {
  it('computes the sine from the time since start', () => {
    const p = { amplitude: 4, offset: 20, periodSeconds: 8 };
    for (const t of [0, 1000, 2000, 3000, 6000, 8000, 12_345]) {
      expect(sineAt(t, p)).toBeCloseTo(20 + 4 * Math.sin((2 * Math.PI * t) / 8000), 10);
    }
    expect(sineAt(2000, p)).toBeCloseTo(24, 10); // a quarter period: the crest
    expect(sineAt(6000, p)).toBeCloseTo(16, 10); // three quarters: the trough
  });

  it('ramps linearly from `from` to `to` and jumps back each period', () => {
    const p = { from: 10, to: 30, periodSeconds: 10 };
    expect(rampAt(0, p)).toBe(10);
    expect(rampAt(2500, p)).toBe(15);
    expect(rampAt(9000, p)).toBeCloseTo(28, 10);
    expect(rampAt(10_000, p)).toBe(10);
    expect(rampAt(15_000, p)).toBe(20);
  });

  it('steps high for the duty part of each period, then low', () => {
    const p = { low: 1, high: 5, periodSeconds: 10, duty: 0.3 };
    expect([0, 2999, 3000, 9999, 10_000, 13_500].map((t) => stepAt(t, p))).toEqual([5, 5, 1, 1, 5, 1]);
  });

  it('keeps periodic values inside the period when time runs backwards', () => {
    expect(rampAt(-2500, { from: 0, to: 100, periodSeconds: 10 })).toBe(75);
  });
});

describe('random walk', () => {
  it('starts at `start` and never moves more than `step` at a time', () => {
    const walk = createRandomWalk({ start: 50, step: 2, min: 0, max: 100 }, createRandom(3));
    const values = take(walk, 5000);
    expect(values[0]).toBe(50);
    const largestMove = Math.max(...values.slice(1).map((v, i) => Math.abs(v - values[i])));
    expect(largestMove).toBeLessThanOrEqual(2 + 1e-9);
    expect(largestMove).toBeGreaterThan(1.9);
    expect(new Set(values).size).toBeGreaterThan(1000);
  });

  it('stays within bounds even with steps wider than the range', () => {
    for (const step of [0.5, 3, 50]) {
      const values = take(createRandomWalk({ start: 1, step, min: 0, max: 10 }, createRandom(step * 10)), 20_000);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThanOrEqual(10);
    }
  });

  it('reaches both ends of its range over a long run (it bounces instead of sticking)', () => {
    const values = take(createRandomWalk({ start: 5, step: 1, min: 0, max: 10 }, createRandom(11)), 50_000);
    expect(Math.min(...values)).toBeLessThan(0.5);
    expect(Math.max(...values)).toBeGreaterThan(9.5);
  });
});

describe('createSignal', () => {
  it('adds seeded gaussian noise of the configured size to the sine', () => {
    const signal = createSignal({ kind: 'sine', amplitude: 0, offset: 100, noise: 2 }, createRandom(5));
    const again = createSignal({ kind: 'sine', amplitude: 0, offset: 100, noise: 2 }, createRandom(5));
    const values = Array.from({ length: 5000 }, (_, i) => signal(i * 1000));
    expect(Array.from({ length: 5000 }, (_, i) => again(i * 1000))).toEqual(values);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeGreaterThan(99.9);
    expect(mean).toBeLessThan(100.1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('fills left-out fields with defaults', () => {
    const sine = createSignal({ kind: 'sine' }, createRandom(1));
    expect(sine(15_000)).toBeCloseTo(Math.sin((2 * Math.PI * 15_000) / 60_000), 10);
    const step = createSignal({ kind: 'step', high: 7 }, createRandom(1));
    expect([step(0), step(29_999), step(30_000)]).toEqual([7, 7, 0]);
  });

  it('refuses a random walk whose bounds contradict each other', () => {
    const inverted = thrown(() => createSignal({ kind: 'random-walk', min: 10, max: 0, start: 5 }, createRandom(1)));
    expect(isNodeError(inverted) && inverted.code).toBe('INVALID_SIGNAL');
    expect((inverted as Error).message).toMatch(/min \(10\).*max \(0\)/);
    const outside = thrown(() => createSignal({ kind: 'random-walk', min: 0, max: 10, start: 50 }, createRandom(1)));
    expect((outside as Error).message).toMatch(/start \(50\)/);
  });

  it('refuses a period of zero', () => {
    expect(isNodeError(thrown(() => createSignal({ kind: 'ramp', periodSeconds: 0 }, createRandom(1))))).toBe(true);
  });
});

describe('replay CSV parsing', () => {
  it('reads epoch-millisecond and ISO timestamps, skipping a header, blanks and comments', () => {
    const rows = parseReplayCsv(
      [
        'timestamp,value',
        '# recorded on pump 3',
        '1767225600000,12.5',
        '',
        '2026-01-01T00:00:01Z, -3',
        '"2026-01-01T00:00:02.500+01:00","4e2"',
      ].join('\r\n'),
      'flow.csv',
    );
    expect(rows).toEqual([
      { timestamp: 1767225600000, value: 12.5 },
      { timestamp: Date.UTC(2026, 0, 1, 0, 0, 1), value: -3 },
      { timestamp: Date.UTC(2025, 11, 31, 23, 0, 2, 500), value: 400 },
    ]);
  });

  it.each([
    ['a value that is not a number', '1767225600000,12.5\n1767225601000,abc\n', 2, /"abc" is not a number/],
    ['a timestamp that is not one', '1767225600000,1\n\n# note\nyesterday,2\n', 4, /"yesterday" is not a timestamp/],
    ['a missing value', '1767225600000,1\n1767225601000\n', 2, /found 1 field instead of 2/],
    ['too many fields', '1767225600000,1,2\n', 1, /found 3 fields/],
    ['an empty value', 'time,value\n1767225600000,\n', 2, /"" is not a number/],
  ])('names the file and line of %s', (_what, text, line, reason) => {
    const err = thrown(() => parseReplayCsv(text, 'data/pump.csv'));
    expect(isNodeError(err) && err.code).toBe('REPLAY_BAD_LINE');
    expect((err as Error).message).toContain(`data/pump.csv line ${line}:`);
    expect((err as Error).message).toMatch(reason);
  });

  it('takes only the first line as a header', () => {
    const err = thrown(() => parseReplayCsv('time,value\n1,2\ntime,value\n', 'x.csv'));
    expect((err as Error).message).toContain('x.csv line 3:');
  });

  it('refuses a file without samples', () => {
    const err = thrown(() => parseReplayCsv('timestamp,value\n\n', 'empty.csv'));
    expect(isNodeError(err) && err.code).toBe('REPLAY_EMPTY');
    expect((err as Error).message).toContain('empty.csv');
  });
});

describe('replay cursor', () => {
  const rows = [
    { timestamp: 1000, value: 1 },
    { timestamp: 2000, value: 2 },
    { timestamp: 3000, value: 3 },
  ];

  it('gives each row once, then nothing, without loop', () => {
    const cursor = new ReplayCursor(rows, false);
    expect([cursor.next(), cursor.next()]).toEqual(rows.slice(0, 2));
    expect(cursor.finished).toBe(false);
    expect(cursor.next()).toEqual(rows[2]);
    expect(cursor.finished).toBe(true);
    expect(cursor.next()).toBeUndefined();
  });

  it('loops with timestamps moved forward by the span plus one step, so time keeps increasing', () => {
    const cursor = new ReplayCursor(rows, true);
    const seen = Array.from({ length: 7 }, () => cursor.next());
    expect(seen.map((r) => r?.value)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(seen.map((r) => r?.timestamp)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000]);
    expect(cursor.finished).toBe(false);
  });
});
