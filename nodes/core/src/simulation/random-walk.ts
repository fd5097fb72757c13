import type { Random } from './prng';

/** Parameters of a bounded random walk. */
export interface RandomWalkParams {
  /** First value. */
  start: number;
  /** Largest change between two samples (each change is uniform in [-step, step]). */
  step: number;
  /** Lowest value; the walk bounces off it. */
  min: number;
  /** Highest value; the walk bounces off it. */
  max: number;
}

/**
 * Returns a function giving the walk's next value, starting with `start`. A step that would leave
 * [min, max] bounces off the bound instead of sticking to it, as a real process value does.
 */
export function createRandomWalk(p: RandomWalkParams, random: Random): () => number {
  let value: number | undefined;
  return () => {
    if (value === undefined) {
      value = clamp(p.start, p.min, p.max);
      return value;
    }
    let next = value + (random.next() * 2 - 1) * p.step;
    if (next > p.max) next = p.max - (next - p.max);
    if (next < p.min) next = p.min + (p.min - next);
    // A step wider than the range can bounce past the other bound.
    value = clamp(next, p.min, p.max);
    return value;
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
