/**
 * The hand-written baselines: the same arithmetic as the reference flow (a sine-plus-noise sample,
 * a moving average of 10, a threshold with hysteresis), with no engine at all. One variant makes no
 * allocation (the limit of one Node.js thread), one allocates one small message object per step
 * (the least any engine that passes messages must pay).
 */

import { createRandom } from '@tagflow/nodes-core/dist/simulation/prng';

export interface LoopResult {
  steps: number;
  alarms: number;
  seconds: number;
}

const WINDOW = 10;

export function runLoop(steps: number, allocate: boolean, above: number, hysteresis: number): LoopResult {
  // The simulator's own generator: sine plus gaussian noise from the same seeded PRNG.
  const random = createRandom(42);
  const ring = new Float64Array(WINDOW);
  let sum = 0;
  let filled = 0;
  let head = 0;
  let alarm = false;
  let alarms = 0;
  let sink: unknown = null;
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) {
    const value = 40 + 5 * Math.sin((2 * Math.PI * i) / 1000) + 0.5 * random.gaussian();
    let sample: number;
    if (allocate) {
      const msg = { payload: value, topic: 'sim', timestamp: i, quality: 'good' };
      sink = msg;
      sample = msg.payload;
    } else {
      sample = value;
    }
    if (filled === WINDOW) sum -= ring[head];
    else filled++;
    ring[head] = sample;
    sum += sample;
    head = (head + 1) % WINDOW;
    const mean = sum / filled;
    if (!alarm && mean > above) {
      alarm = true;
      alarms++;
    } else if (alarm && mean < above - hysteresis) {
      alarm = false;
      alarms++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === undefined) throw new Error('unreachable: keeps the allocation observable');
  return { steps, alarms, seconds };
}
