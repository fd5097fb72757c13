import { randomInt } from 'node:crypto';

/** A seeded source of random numbers: the same seed always gives the same sequence. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, standard deviation 1). */
  gaussian(): number;
}

/**
 * mulberry32: tiny, fast and good enough for simulated sensors; chosen over Math.random because it
 * can be seeded, which makes tests and shared example flows reproducible.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    gaussian() {
      // Box-Muller; 1 - next() is in (0, 1], so the logarithm stays finite.
      const u1 = 1 - next();
      const u2 = next();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
}

/** A fresh unsigned 32-bit seed, for when the flow does not fix one. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}
