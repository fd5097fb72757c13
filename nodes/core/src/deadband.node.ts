import { defineNode } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { numberOrUndefined, readNumber } from './lib/numeric-payload';

/** What was last let through for one topic. */
interface Passed {
  /** Undefined after a bad-quality message that carried no number. */
  value: number | undefined;
  quality: Quality;
  timestamp: number;
}

export default defineNode({
  type: 'deadband',
  version: 1,
  category: 'processor',
  description: 'Report by exception: passes a value only when it moved more than a band since the last one passed',
  docs: [
    'Passes a message unchanged when its number differs from the last value passed for the same',
    '`msg.topic` by more than `band` (absolute, or percent of the last passed value); drops it',
    'otherwise. The first value of a topic always passes, so does a change of `msg.quality`, and, with',
    '`maxSilenceSeconds`, a value arriving at least that long (by message timestamps) after the last',
    'one passed. A bad-quality message may carry no number; any other message without one is an error.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('NOT_A_NUMBER'),
  configSchema: {
    type: 'object',
    properties: {
      mode: {
        enum: ['absolute', 'percent'],
        default: 'absolute',
        description: 'Band in the units of the value, or in percent of the last value passed.',
        'x-ui': {
          label: 'Band type',
          enumLabels: { absolute: 'absolute (value units)', percent: '% of last value passed' },
        },
      },
      band: {
        type: 'number',
        minimum: 0,
        default: 0,
        description:
          'A value passes when it differs from the last value passed by more than this. 0 passes every change and drops repeats.',
        'x-ui': { label: 'Band' },
      },
      maxSilenceSeconds: {
        type: 'number',
        exclusiveMinimum: 0,
        description:
          'Heartbeat: pass a value anyway when nothing passed for this many seconds (judged on message timestamps). Leave empty for none.',
        'x-ui': { label: 'Pass at least every', unit: 's' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { mode, band, maxSilenceSeconds } = ctx.config;
    const silenceMs = maxSilenceSeconds === undefined ? undefined : maxSilenceSeconds * 1000;
    // One deadband per tag, so several tags can share one node without masking each other.
    const lastByTopic = new Map<string | undefined, Passed>();

    const differs = (value: number | undefined, last: number | undefined): boolean => {
      if (value === undefined || last === undefined) return value !== last;
      const limit = mode === 'percent' ? (Math.abs(last) * band) / 100 : band;
      return Math.abs(value - last) > limit;
    };

    const passes = (msg: Message, value: number | undefined, last: Passed | undefined): boolean => {
      if (!last) return true;
      if (msg.quality !== last.quality) return true;
      if (silenceMs !== undefined && msg.timestamp - last.timestamp >= silenceMs) return true;
      return differs(value, last.value);
    };

    return {
      onMessage(msg) {
        // A failed read may carry no value; its quality change must still get through.
        const value = msg.quality === 'bad' ? numberOrUndefined(msg) : readNumber(msg);
        const last = lastByTopic.get(msg.topic);
        if (!passes(msg, value, last)) return;
        if (!last) ctx.status({ state: 'ok', text: `${lastByTopic.size + 1} tag${lastByTopic.size === 0 ? '' : 's'}` });
        lastByTopic.set(msg.topic, { value, quality: msg.quality, timestamp: msg.timestamp });
        ctx.send(msg);
      },
    };
  },
});
