/** Parameters of a sine wave: `offset + amplitude * sin(2π t / period)`. */
export interface SineParams {
  /** Height of the crest above the offset. */
  amplitude: number;
  /** Middle value of the wave. */
  offset: number;
  /** Seconds per full wave. */
  periodSeconds: number;
}

/** Parameters of a sawtooth going from `from` to `to` once per period, then jumping back. */
export interface RampParams {
  /** Value at the start of each period. */
  from: number;
  /** Value approached at the end of each period. */
  to: number;
  /** Seconds per ramp. */
  periodSeconds: number;
}

/** Parameters of a square wave: `high` for the first `duty` fraction of each period, then `low`. */
export interface StepParams {
  /** Value after the high part of the period. */
  low: number;
  /** Value for the first `duty` fraction of the period. */
  high: number;
  /** Seconds per period. */
  periodSeconds: number;
  /** Fraction of the period spent high, 0 to 1. */
  duty: number;
}

/** Sine value `elapsedMs` after the start (without noise). */
export function sineAt(elapsedMs: number, p: SineParams): number {
  return p.offset + p.amplitude * Math.sin((2 * Math.PI * elapsedMs) / (p.periodSeconds * 1000));
}

/** Sawtooth value `elapsedMs` after the start. */
export function rampAt(elapsedMs: number, p: RampParams): number {
  return p.from + (p.to - p.from) * phaseAt(elapsedMs, p.periodSeconds);
}

/** Square-wave value `elapsedMs` after the start. */
export function stepAt(elapsedMs: number, p: StepParams): number {
  return phaseAt(elapsedMs, p.periodSeconds) < p.duty ? p.high : p.low;
}

/** Position within the current period, in [0, 1). */
function phaseAt(elapsedMs: number, periodSeconds: number): number {
  const periodMs = periodSeconds * 1000;
  const phase = (elapsedMs % periodMs) / periodMs;
  // A negative elapsed time (clock set back) still lands inside the period.
  return phase < 0 ? phase + 1 : phase;
}
