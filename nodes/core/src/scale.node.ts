import { defineNode, NodeError } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { numberOrUndefined, readNumber } from './lib/numeric-payload';

const range = (what: string) =>
  ({
    type: 'object',
    properties: {
      min: { type: 'number', description: `Value at the low end of the ${what} range.`, 'x-ui': { label: 'From' } },
      max: { type: 'number', description: `Value at the high end of the ${what} range.`, 'x-ui': { label: 'To' } },
    },
    required: ['min', 'max'],
    additionalProperties: false,
  }) as const;

export default defineNode({
  type: 'scale',
  version: 1,
  category: 'processor',
  description: 'Maps a value linearly from one range to another, e.g. 4-20 mA to 0-100 %',
  docs: [
    'Maps the number in `msg.payload` linearly so that `in.min` becomes `out.min` and `in.max` becomes',
    '`out.max`; every other field of the message is kept. With `clamp` (default) the result stays',
    'within the output range. A range may be reversed (min above max) to invert the value. A payload',
    'that is not a number is an error (`NOT_A_NUMBER`), except on a bad-quality message (a failed read),',
    'which passes on unchanged so that the failure reaches the publisher.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('INVALID_RANGE', 'NOT_A_NUMBER'),
  configSchema: {
    type: 'object',
    properties: {
      in: {
        ...range('input'),
        description: 'The range of the incoming values, e.g. 4 to 20 (mA). Its two ends must differ.',
        'x-ui': { label: 'Input range' },
      },
      out: {
        ...range('output'),
        description: 'The range to map onto, e.g. 0 to 100 (%).',
        'x-ui': { label: 'Output range' },
      },
      clamp: {
        type: 'boolean',
        default: true,
        description: 'Keep results within the output range (a value outside the input range gives the nearest end).',
        'x-ui': { label: 'Limit to output range' },
      },
    },
    required: ['in', 'out'],
    additionalProperties: false,
  },

  create(ctx) {
    const { in: from, out: to, clamp } = ctx.config;
    if (from.min === from.max) {
      throw new NodeError(
        coreErrors.code.INVALID_RANGE,
        `the input range must have two different ends, but both are ${from.min}: there is no way to map a single point onto a range`,
        { in: from },
      );
    }
    const factor = (to.max - to.min) / (from.max - from.min);
    const low = Math.min(to.min, to.max);
    const high = Math.max(to.min, to.max);

    return {
      onMessage(msg) {
        // A failed read carries no number: pass it on, so the bad quality is not lost here.
        if (msg.quality === 'bad' && numberOrUndefined(msg) === undefined) return void ctx.send(msg);
        const scaled = to.min + (readNumber(msg) - from.min) * factor;
        ctx.send({ ...msg, payload: clamp ? Math.min(high, Math.max(low, scaled)) : scaled });
      },
    };
  },
});
