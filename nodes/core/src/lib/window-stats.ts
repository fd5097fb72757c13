/** The statistics the aggregate node can compute over a window. */
export const AGGREGATE_FUNCTIONS = ['min', 'max', 'mean', 'sum', 'count', 'stddev'] as const;

/** One of `AGGREGATE_FUNCTIONS`. */
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** Statistics of the values a window holds; only meaningful while `count > 0`. */
export interface WindowStats {
  /** Number of values. */
  readonly count: number;
  sum(): number;
  mean(): number;
  min(): number;
  max(): number;
  /** Sample standard deviation (divides by n - 1); 0 for a single value. */
  stddev(): number;
}

/**
 * Add-only statistics in O(1) memory, for windows that are never evicted from (tumbling windows):
 * Welford's algorithm keeps the variance accurate even for large values with small spread, where
 * the sum-of-squares formula cancels catastrophically.
 */
/** A StatsAccumulator as JSON data. */
export interface AccumulatorSnapshot {
  n: number;
  scale: number;
  scaledMean: number;
  scaledM2: number;
  total: number;
  lowest: number | null;
  highest: number | null;
}

export class StatsAccumulator implements WindowStats {
  private n = 0;
  // Mean and squared deviations are kept in units of `scale`, a power of two at least as large as
  // every value seen: values near 1e154 would overflow m2 (and near 1e308 the deltas) otherwise,
  // and multiplying by a power of two loses no precision.
  private scale = 1;
  private scaledMean = 0;
  private scaledM2 = 0;
  private total = 0;
  private lowest = Infinity;
  private highest = -Infinity;

  get count(): number {
    return this.n;
  }

  /** The accumulator's state as JSON data (min and max are null while empty), to restore it later. */
  snapshot(): AccumulatorSnapshot {
    const { n, scale, scaledMean, scaledM2, total } = this;
    return { n, scale, scaledMean, scaledM2, total, lowest: n ? this.lowest : null, highest: n ? this.highest : null };
  }

  /** An accumulator continuing from `snapshot()`. */
  static restore(snapshot: AccumulatorSnapshot): StatsAccumulator {
    const stats = new StatsAccumulator();
    stats.n = snapshot.n;
    stats.scale = snapshot.scale;
    stats.scaledMean = snapshot.scaledMean;
    stats.scaledM2 = snapshot.scaledM2;
    stats.total = snapshot.total;
    stats.lowest = snapshot.lowest ?? Infinity;
    stats.highest = snapshot.highest ?? -Infinity;
    return stats;
  }

  add(value: number): void {
    this.n++;
    const magnitude = Math.abs(value);
    if (magnitude > this.scale) {
      const next = powerOfTwoAtLeast(magnitude);
      const ratio = this.scale / next;
      this.scaledMean *= ratio;
      this.scaledM2 *= ratio * ratio;
      this.scale = next;
    }
    const x = value / this.scale;
    const delta = x - this.scaledMean;
    this.scaledMean += delta / this.n;
    this.scaledM2 += delta * (x - this.scaledMean);
    this.total += value;
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
  }

  sum(): number {
    return this.total;
  }

  mean(): number {
    return this.scaledMean * this.scale;
  }

  min(): number {
    return this.lowest;
  }

  max(): number {
    return this.highest;
  }

  stddev(): number {
    return this.n < 2 ? 0 : this.scale * Math.sqrt(Math.max(0, this.scaledM2 / (this.n - 1)));
  }
}

/** The smallest power of two at or above `x` (x > 1, finite); 2^1024 is past the double range, so it stops at 2^1023. */
export function powerOfTwoAtLeast(x: number): number {
  const exponent = Math.min(1023, Math.ceil(Math.log2(x)));
  const power = 2 ** exponent;
  return power >= x || exponent === 1023 ? power : power * 2;
}

/**
 * The payload of an aggregate: the chosen functions, in the order given, plus `count` always (a
 * reader needs it to judge the others).
 */
export function summarize(stats: WindowStats, functions: readonly AggregateFunction[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const fn of functions) result[fn] = compute(stats, fn);
  result.count = stats.count;
  return result;
}

function compute(stats: WindowStats, fn: AggregateFunction): number {
  switch (fn) {
    case 'min':
      return stats.min();
    case 'max':
      return stats.max();
    case 'mean':
      return stats.mean();
    case 'sum':
      return stats.sum();
    case 'count':
      return stats.count;
    case 'stddev':
      return stats.stddev();
  }
}
