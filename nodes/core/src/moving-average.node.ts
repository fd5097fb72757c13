import { defineNode } from '@tagflow/node-sdk';
import type { NodeStatus } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { readNumber } from './lib/numeric-payload';
import { RunningWindow } from './lib/running-window';

export default defineNode({
  type: 'moving-average',
  version: 1,
  category: 'processor',
  description: 'Mean of the last N values or of the last S seconds, sent for every value received',
  docs: [
    'For every number received in `msg.payload`, sends the mean of the values in the window: the last',
    '`window.count` values, or the values whose `msg.timestamp` lies within `window.seconds` of the',
    'newest one (source time, not arrival time). The status shows how full a count window is, and',
    '`msg.quality` is the worst quality in the window. With `emitPartial` off nothing is sent until',
    'the window is full. A payload that is not a number is an error (`NOT_A_NUMBER`) and is not averaged.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('NOT_A_NUMBER'),
  configSchema: {
    type: 'object',
    properties: {
      window: {
        description: 'Which values to average: the last N values received, or those of the last S seconds.',
        default: { count: 10 },
        'x-ui': { label: 'Window' },
        oneOf: [
          {
            type: 'object',
            title: 'Last N values',
            properties: {
              count: {
                type: 'integer',
                minimum: 1,
                maximum: 1_000_000,
                description: 'Number of most recent values to average.',
                'x-ui': { label: 'Window size', unit: 'values' },
              },
            },
            required: ['count'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Last S seconds',
            properties: {
              seconds: {
                type: 'number',
                exclusiveMinimum: 0,
                description:
                  "Average the values measured within this many seconds of the newest value (by the values' timestamps).",
                'x-ui': { label: 'Window span', unit: 's' },
              },
            },
            required: ['seconds'],
            additionalProperties: false,
          },
        ],
      },
      emitPartial: {
        type: 'boolean',
        default: true,
        description:
          'Send a mean while the window is still filling (after the first value). Off: send nothing until N values arrived, or until the values span the whole time window.',
        'x-ui': { label: 'Send while filling' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { window: spec, emitPartial } = ctx.config;
    const count = 'count' in spec ? spec.count : undefined;
    const seconds = 'seconds' in spec ? spec.seconds : undefined;
    const spanMs = seconds === undefined ? undefined : seconds * 1000;
    const window = new RunningWindow();
    let newest = -Infinity;
    let first: number | undefined;
    let late = 0;
    let shown = '';
    let filled = false;

    const show = (status: NodeStatus): void => {
      const key = `${status.state}:${status.text ?? ''}`;
      if (key === shown) return;
      shown = key;
      ctx.status(status);
    };

    return {
      start() {
        if (count !== undefined) show({ state: 'idle', text: `0/${count} values` });
        else show({ state: 'idle', text: `last ${seconds} s` });
      },

      onMessage(msg) {
        const value = readNumber(msg);
        let full: boolean;
        if (count !== undefined) {
          if (window.count === count) window.evictOldest();
          window.push(value, msg.timestamp, msg.quality);
          full = window.count === count;
          if (!filled) {
            show({ state: 'ok', text: `${window.count}/${count} values` });
            filled = full;
          }
        } else {
          const span = spanMs as number;
          if (msg.timestamp < newest - span) {
            // Older than everything the window may hold: averaging it would move the mean backwards in time.
            late++;
            ctx.log.debug('ignored a value older than the time window', { timestamp: msg.timestamp, newest });
            show({ state: 'ok', text: `last ${seconds} s, ${late} late value${late === 1 ? '' : 's'} ignored` });
            return;
          }
          newest = Math.max(newest, msg.timestamp);
          first ??= msg.timestamp;
          window.push(value, msg.timestamp, msg.quality);
          window.evictBefore(newest - span);
          full = newest - first >= span;
          if (late === 0) show({ state: 'ok', text: `last ${seconds} s` });
        }
        if (!full && !emitPartial) return;
        // Only fields the message already has: adding one after a spread is a V8 slow path (~2 µs).
        ctx.send({ ...msg, payload: window.mean(), quality: window.quality });
      },
    };
  },
});
