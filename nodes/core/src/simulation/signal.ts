import { NodeError } from '@tagflow/node-sdk';
import { coreErrors } from '../error-codes';
import type { Random } from './prng';
import { createRandomWalk } from './random-walk';
import { rampAt, sineAt, stepAt } from './waveforms';

/** A generated (not replayed) signal, as the simulate node's config describes it. */
export type GeneratedSignalConfig =
  | { kind: 'sine'; amplitude?: number; offset?: number; periodSeconds?: number; noise?: number }
  | { kind: 'random-walk'; start?: number; step?: number; min?: number; max?: number }
  | { kind: 'ramp'; from?: number; to?: number; periodSeconds?: number }
  | { kind: 'step'; low?: number; high?: number; periodSeconds?: number; duty?: number };

/** Gives the signal's value for a sample taken `elapsedMs` after the node started. */
export type Signal = (elapsedMs: number) => number;

/**
 * Values used for fields a signal config leaves out. They live here rather than in the JSON Schema
 * because ajv does not apply defaults inside `oneOf` branches.
 */
export const SIGNAL_DEFAULTS = {
  sine: { amplitude: 1, offset: 0, periodSeconds: 60, noise: 0 },
  'random-walk': { start: 50, step: 1, min: 0, max: 100 },
  ramp: { from: 0, to: 100, periodSeconds: 60 },
  step: { low: 0, high: 1, periodSeconds: 60, duty: 0.5 },
} as const;

/** Builds the signal a config describes; throws a NodeError for settings that contradict each other. */
export function createSignal(config: GeneratedSignalConfig, random: Random): Signal {
  switch (config.kind) {
    case 'sine': {
      const p = { ...SIGNAL_DEFAULTS.sine, ...config };
      requirePositivePeriod(p.periodSeconds);
      if (p.noise === 0) return (t) => sineAt(t, p);
      return (t) => sineAt(t, p) + p.noise * random.gaussian();
    }
    case 'random-walk': {
      const p = { ...SIGNAL_DEFAULTS['random-walk'], ...config };
      if (p.min > p.max) {
        throw new NodeError(
          coreErrors.code.INVALID_SIGNAL,
          `random walk: min (${p.min}) must not be above max (${p.max})`,
        );
      }
      if (p.start < p.min || p.start > p.max) {
        throw new NodeError(
          coreErrors.code.INVALID_SIGNAL,
          `random walk: start (${p.start}) must lie between min (${p.min}) and max (${p.max})`,
        );
      }
      const walk = createRandomWalk(p, random);
      return () => walk();
    }
    case 'ramp': {
      const p = { ...SIGNAL_DEFAULTS.ramp, ...config };
      requirePositivePeriod(p.periodSeconds);
      return (t) => rampAt(t, p);
    }
    case 'step': {
      const p = { ...SIGNAL_DEFAULTS.step, ...config };
      requirePositivePeriod(p.periodSeconds);
      return (t) => stepAt(t, p);
    }
  }
}

// The schema says so too; checked again for callers that build configs in code.
function requirePositivePeriod(periodSeconds: number): void {
  if (!(periodSeconds > 0)) {
    throw new NodeError(coreErrors.code.INVALID_SIGNAL, `periodSeconds must be more than 0 (got ${periodSeconds})`);
  }
}
