import { defineNode, refuseConfig } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { numberOrUndefined, readNumber } from './lib/numeric-payload';

/** An input or output range: the property, with its description and label. */
const range = (what: string, description: string, label: string) =>
  ({
    type: 'object',
    description,
    properties: {
      min: { type: 'number', description: `Value at the low end of the ${what} range.`, 'x-ui': { label: 'From' } },
      max: { type: 'number', description: `Value at the high end of the ${what} range.`, 'x-ui': { label: 'To' } },
    },
    required: ['min', 'max'],
    additionalProperties: false,
    'x-ui': { label },
  }) as const;

export default defineNode({
  type: 'scale',
  version: 1,
  category: 'processor',
  description: 'Maps a value linearly from one range to another, e.g. 4-20 mA to 0-100 %.',
  docs: [
    'Converts a raw reading to engineering units with a linear map, e.g. a 4–20 mA current to',
    '0–100 %, or a 0–27648 PLC count to 0–10 bar.',
    '',
    'The result is `out.min + (value - in.min) * (out.max - out.min) / (in.max - in.min)`: `in.min`',
    'maps to `out.min`, `in.max` to `out.max`. A range may run backwards (`min` above `max`) to',
    'invert a signal. An input range with equal ends cannot be mapped: the deploy is refused with',
    '`INVALID_RANGE` ("the input range must have two different ends, but both are 4").',
    '',
    'With `clamp: true` a value outside the input range gives the nearest end of the output range',
    '(3.2 mA → 0 %, 21 mA → 100 %). With `clamp: false` the line is extended (3.2 mA → -5 %).',
    "Clamping does not change the message's quality.",
    '',
    '## What it sends, and when',
    '',
    'For every number received, the same message with the scaled value as `payload`; `topic`,',
    '`timestamp`, `quality` and other fields are kept:',
    '',
    '```json',
    '{ "payload": 50, "topic": "tank1/level", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    'A payload that is not a finite number is an error `NOT_A_NUMBER`; nothing is sent. Except a',
    'bad-quality message without a number (a failed read): it is passed on unchanged, so the failure',
    'reaches the publisher instead of stopping here.',
    '',
    '## Example',
    '',
    '4–20 mA to 0–100 %:',
    '',
    '```json',
    '{',
    '  "id": "level-pct",',
    '  "type": "scale",',
    '  "typeVersion": 1,',
    '  "config": { "in": { "min": 4, "max": 20 }, "out": { "min": 0, "max": 100 } }',
    '}',
    '```',
    '',
    '12 mA gives 50, 20 mA gives 100, 22 mA gives 100 (clamped).',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('INVALID_RANGE', 'NOT_A_NUMBER'),
  configSchema: {
    type: 'object',
    properties: {
      in: range(
        'input',
        'The range of the incoming values, e.g. 4 to 20 (mA). Its two ends must differ.',
        'Input range',
      ),
      out: range('output', 'The range to map onto, e.g. 0 to 100 (%).', 'Output range'),
      clamp: {
        type: 'boolean',
        description: 'Keep results within the output range (a value outside the input range gives the nearest end).',
        default: true,
        'x-ui': { label: 'Limit to output range' },
      },
    },
    required: ['in', 'out'],
    additionalProperties: false,
  },

  check: (config) => rangeProblems(config.in),

  create(ctx) {
    const { in: from, out: to, clamp } = ctx.config;
    refuseConfig(rangeProblems(from));
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

/** An input range with two equal ends maps nothing: every value would divide by zero. */
function rangeProblems(from: { min: number; max: number }): ConfigProblem[] {
  if (from.min !== from.max) return [];
  return [
    {
      path: '/in/max',
      message: `the input range must have two different ends, but both are ${from.min}: there is no way to map a single point onto a range`,
      code: coreErrors.code.INVALID_RANGE,
    },
  ];
}
