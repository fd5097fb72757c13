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
export class StatsAccumulator implements WindowStats {
  private n = 0;
  private runningMean = 0;
  private m2 = 0;
  private total = 0;
  private lowest = Infinity;
  private highest = -Infinity;

  get count(): number {
    return this.n;
  }

  add(value: number): void {
    this.n++;
    const delta = value - this.runningMean;
    this.runningMean += delta / this.n;
    this.m2 += delta * (value - this.runningMean);
    this.total += value;
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
  }

  sum(): number {
    return this.total;
  }

  mean(): number {
    return this.runningMean;
  }

  min(): number {
    return this.lowest;
  }

  max(): number {
    return this.highest;
  }

  stddev(): number {
    return this.n < 2 ? 0 : Math.sqrt(Math.max(0, this.m2 / (this.n - 1)));
  }
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
