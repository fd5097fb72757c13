import { defineNode } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

export default defineNode({
  type: 'timer',
  version: 1,
  category: 'source',
  description: 'Sends a message at start and/or every few seconds (like Node-RED inject)',
  inputs: [],
  outputs: ['out'],
  errors: coreErrors.pick(),
  configSchema: {
    type: 'object',
    properties: {
      intervalMs: {
        type: 'number',
        exclusiveMinimum: 0,
        description: 'Send a message every this many milliseconds. Leave empty to send only at start.',
        'x-ui': { label: 'Repeat every (ms)' },
      },
      onStart: {
        type: 'boolean',
        default: false,
        description: 'Also send one message as soon as the flow starts.',
        'x-ui': { label: 'Send at start' },
      },
      payload: {
        description: 'The payload to send: any JSON value. Leave empty to send the current time (epoch milliseconds).',
        'x-ui': { label: 'Payload', widget: 'json' },
      },
      topic: {
        type: 'string',
        description: 'Sent as msg.topic.',
        'x-ui': { label: 'Topic' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { intervalMs, onStart, payload, topic } = ctx.config;

    const fire = (): void => {
      const now = ctx.clock.now();
      // The config is frozen, so every message may share the same payload object safely.
      const msg: Message = {
        payload: payload === undefined ? now : payload,
        timestamp: now,
        quality: 'good',
        ...(topic === undefined ? undefined : { topic }),
      };
      ctx.send(msg);
    };

    return {
      start() {
        if (intervalMs === undefined && !onStart) {
          ctx.status({ state: 'idle', text: 'never sends: set a repeat interval or "send at start"' });
          return;
        }
        ctx.status({
          state: 'ok',
          text: intervalMs === undefined ? 'sent at start' : `every ${formatInterval(intervalMs)}`,
        });
        if (onStart) fire();
        if (intervalMs !== undefined) ctx.clock.setInterval(fire, intervalMs);
      },
    };
  },
});

function formatInterval(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
