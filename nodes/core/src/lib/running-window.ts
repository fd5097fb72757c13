import type { Quality } from '@tagflow/node-sdk';
import { QualityTally } from './quality-tally';
import { RingDeque } from './ring-deque';
import { powerOfTwoAtLeast } from './window-stats';
import type { WindowStats } from './window-stats';

/** One value held by a window. */
export interface WindowSample {
  readonly value: number;
  /** Milliseconds since the epoch (the message's source timestamp). */
  readonly time: number;
  readonly quality: Quality;
}

/** Options of a RunningWindow. */
export interface RunningWindowOptions {
  /** Also keep the running min and max (two monotonic deques; off when only the mean is needed). */
  extremes?: boolean;
}

/**
 * The values of a sliding window, oldest first, with its statistics kept up to date in amortized
 * O(1) per value: the caller pushes new values and evicts old ones (by count or by time).
 *
 * Sums are kept relative to a shift (a recent mean), which keeps the variance free of catastrophic
 * cancellation. Adding and subtracting floats drifts, so the sums are recomputed from the held
 * values once as many values were evicted as the window holds: O(n) every n evictions.
 */
export class RunningWindow implements WindowStats {
  private readonly samples = new RingDeque<WindowSample>();
  private readonly lows: RingDeque<WindowSample> | undefined;
  private readonly highs: RingDeque<WindowSample> | undefined;
  private readonly qualities = new QualityTally();
  private shift = 0;
  private s1 = 0;
  private s2 = 0;
  private evictedSinceRecompute = 0;

  constructor(options: RunningWindowOptions = {}) {
    if (options.extremes) {
      this.lows = new RingDeque<WindowSample>();
      this.highs = new RingDeque<WindowSample>();
    }
  }

  /** Number of values held. */
  get count(): number {
    return this.samples.size;
  }

  /** The worst quality among the values held (`good` when empty). */
  get quality(): Quality {
    return this.qualities.worst;
  }

  /** The values held, oldest first (to save a window and push it back later). */
  values(): WindowSample[] {
    return [...this.samples];
  }

  push(value: number, time: number, quality: Quality): void {
    const sample: WindowSample = { value, time, quality };
    if (this.samples.size === 0) this.shift = value;
    this.samples.pushBack(sample);
    this.qualities.add(quality);
    const d = value - this.shift;
    this.s1 += d;
    this.s2 += d * d;
    if (this.lows && this.highs) {
      // Values that can never be the min (or max) again, because a newer one beats them, go now.
      while ((this.lows.peekBack()?.value ?? -Infinity) >= value) this.lows.popBack();
      this.lows.pushBack(sample);
      while ((this.highs.peekBack()?.value ?? Infinity) <= value) this.highs.popBack();
      this.highs.pushBack(sample);
    }
  }

  /** Removes the oldest value; does nothing when empty. */
  evictOldest(): void {
    const sample = this.samples.popFront();
    if (!sample) return;
    this.qualities.remove(sample.quality);
    if (this.lows?.peekFront() === sample) this.lows.popFront();
    if (this.highs?.peekFront() === sample) this.highs.popFront();
    if (this.samples.size === 0) {
      this.s1 = 0;
      this.s2 = 0;
      this.evictedSinceRecompute = 0;
      return;
    }
    const d = sample.value - this.shift;
    this.s1 -= d;
    this.s2 -= d * d;
    if (++this.evictedSinceRecompute >= this.samples.size) this.recompute();
  }

  /**
   * Evicts from the oldest end every value whose time is before `cutoff`; stops at the first value
   * at or after it (values are held in arrival order). Returns how many were evicted.
   */
  evictBefore(cutoff: number): number {
    let evicted = 0;
    while ((this.samples.peekFront()?.time ?? Infinity) < cutoff) {
      this.evictOldest();
      evicted++;
    }
    return evicted;
  }

  sum(): number {
    return this.samples.size * this.shift + this.s1;
  }

  mean(): number {
    const n = this.samples.size;
    if (n === 0) return NaN;
    const fast = this.shift + this.s1 / n;
    // Values near the ends of the double range overflow the running sums (MAX_VALUE minus -1e300
    // is Infinity), yet their mean is finite: then sum value / n over the held values instead.
    return Number.isFinite(fast) ? fast : this.scaledMean();
  }

  private scaledMean(): number {
    const n = this.samples.size;
    let total = 0;
    for (let i = 0; i < n; i++) total += this.samples.at(i).value / n;
    return total;
  }

  min(): number {
    if (!this.lows) throw new Error('this RunningWindow does not track extremes');
    return this.lows.peekFront()?.value ?? NaN;
  }

  max(): number {
    if (!this.highs) throw new Error('this RunningWindow does not track extremes');
    return this.highs.peekFront()?.value ?? NaN;
  }

  stddev(): number {
    const n = this.samples.size;
    if (n < 2) return 0;
    const fast = Math.sqrt(Math.max(0, (this.s2 - (this.s1 * this.s1) / n) / (n - 1)));
    // Deviations near 1e154 overflow the running sum of squares: then two passes, in units of a
    // power of two at least as large as every value held (exact scaling).
    return Number.isFinite(fast) ? fast : this.scaledStddev();
  }

  private scaledStddev(): number {
    const n = this.samples.size;
    let largest = 1;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(this.samples.at(i).value));
    const scale = largest > 1 ? powerOfTwoAtLeast(largest) : 1;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += this.samples.at(i).value / scale / n;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const d = this.samples.at(i).value / scale - mean;
      squares += d * d;
    }
    return scale * Math.sqrt(squares / (n - 1));
  }

  private recompute(): void {
    // Indexed loops: this runs once per window's worth of evictions, and a generator would double
    // the cost of a short count window.
    const samples = this.samples;
    const n = samples.size;
    let total = 0;
    for (let i = 0; i < n; i++) total += samples.at(i).value;
    this.shift = total / n;
    this.s1 = 0;
    this.s2 = 0;
    for (let i = 0; i < n; i++) {
      const d = samples.at(i).value - this.shift;
      this.s1 += d;
      this.s2 += d * d;
    }
    this.evictedSinceRecompute = 0;
  }
}
