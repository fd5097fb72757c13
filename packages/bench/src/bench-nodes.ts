import { defineNode } from '@tagflow/node-sdk';

/** Calls `count` for every message: the benchmark's sink. */
export function countingSink(count: () => void) {
  return defineNode({
    type: 'bench-sink',
    version: 1,
    category: 'publisher',
    description: 'counts messages',
    configSchema: { type: 'object' },
    inputs: ['in'],
    outputs: [],
    create: () => ({ onMessage: () => void count() }),
  });
}

/**
 * Sends `rate` messages a second for `seconds`, each stamped with the high-resolution send time,
 * pacing itself against the clock (not against timers, which cannot go below 1 ms).
 */
export const pacedSource = defineNode({
  type: 'bench-paced',
  version: 1,
  category: 'source',
  description: 'paced source for latency',
  configSchema: {
    type: 'object',
    properties: { rate: { type: 'number', default: 1000 }, seconds: { type: 'number', default: 2 } },
    additionalProperties: false,
  },
  inputs: [],
  outputs: ['out'],
  create(ctx) {
    let stopped = false;
    return {
      start() {
        const total = Math.round(ctx.config.rate * ctx.config.seconds);
        const start = performance.now();
        let sent = 0;
        let phase = 0;
        const step = () => {
          if (stopped) return;
          const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * ctx.config.rate));
          while (sent < due) {
            phase++;
            ctx.send({
              payload: 40 + 5 * Math.sin(phase / 50),
              timestamp: Date.now(),
              quality: 'good',
              sentAt: performance.now(),
            });
            sent++;
          }
          if (sent < total) setImmediate(step);
        };
        setImmediate(step);
      },
      close() {
        stopped = true;
      },
    };
  },
});

/** Records source-to-sink latency of each message stamped by `bench-paced`. */
export function latencySink(record: (ms: number) => void) {
  return defineNode({
    type: 'bench-latency-sink',
    version: 1,
    category: 'publisher',
    description: 'records latency',
    configSchema: { type: 'object' },
    inputs: ['in'],
    outputs: [],
    create: () => ({
      onMessage(msg) {
        record(performance.now() - (msg.sentAt as number));
      },
    }),
  });
}
