import { defineNode, NodeError, problemsFrom, refuseConfig } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { getPath, parsePath, PathError, setPath } from './lib/message-path';
import type { PathSegment } from './lib/message-path';
import { readNumberAt } from './lib/numeric-payload';

/** What happens to a value outside the input range. */
const OUTSIDE = ['limit', 'extend', 'drop', 'wrap'] as const;

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
  version: 2,
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
    '`outside` says what a value outside the input range gives:',
    '',
    '- `limit` (the default): the nearest end of the output range (3.2 mA → 0 %, 21 mA → 100 %).',
    '- `extend`: the line is extended (3.2 mA → -5 %).',
    '- `drop`: nothing is sent; the status counts the values dropped (`3 dropped outside 4…20`).',
    '- `wrap`: the value is wrapped into the input range first, as a rotation: with 0–10 turns to',
    '  0–360°, 12.5 gives 90 and -12.5 gives 270 (the input range is one turn).',
    '',
    "None of them changes the message's quality. `round: true` rounds the result to a whole number",
    '(with `limit`, within the output range: 100.5 at most gives 100).',
    '',
    'The value is read from `property` (default `payload`) and written back there. With',
    '`acceptText: true` a text holding a number (`"12.5"`) is read as that number.',
    '',
    'Flows saved with version 1 (`clamp: true`/`false`) are migrated at deploy to `limit`/`extend`.',
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
    '## Differences from Node-RED',
    '',
    "Node-RED's range tests pass here, except these, on purpose:",
    '',
    '- A message without the property is `NOT_A_NUMBER`, not passed on unchanged: a missing value',
    '  upstream shows up here (a failed read with quality `bad` is passed on, see above).',
    '- Numeric text is refused unless `acceptText` is on.',
    '- `round` rounds the result only; Node-RED also narrows the output range to whole numbers',
    '  before mapping, which changes the slope.',
    '- An input range with two equal ends is refused at deploy instead of giving NaN.',
    '',
    '## Example',
    '',
    '4–20 mA to 0–100 %:',
    '',
    '```json',
    '{',
    '  "id": "level-pct",',
    '  "type": "scale",',
    '  "typeVersion": 2,',
    '  "config": { "in": { "min": 4, "max": 20 }, "out": { "min": 0, "max": 100 } }',
    '}',
    '```',
    '',
    '12 mA gives 50, 20 mA gives 100, 22 mA gives 100 (clamped).',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('INVALID_RANGE', 'NOT_A_NUMBER', 'INVALID_PROPERTY'),
  configSchema: {
    type: 'object',
    properties: {
      in: range(
        'input',
        'The range of the incoming values, e.g. 4 to 20 (mA). Its two ends must differ.',
        'Input range',
      ),
      out: range('output', 'The range to map onto, e.g. 0 to 100 (%).', 'Output range'),
      outside: {
        description:
          'A value outside the input range: limit (nearest end of the output range), extend (the line goes on), drop (not sent), wrap (wrapped into the input range, as a rotation).',
        default: 'limit',
        enum: [...OUTSIDE],
        'x-ui': {
          label: 'Outside the input range',
          enumLabels: {
            limit: 'limit to the output range',
            extend: 'extend the line',
            drop: 'drop the message',
            wrap: 'wrap around (rotation)',
          },
        },
      },
      round: {
        type: 'boolean',
        description: 'Round the result to a whole number.',
        default: false,
        'x-ui': { label: 'Round to whole numbers' },
      },
      property: {
        type: 'string',
        description: 'The message property to scale, as a path: payload, payload.raw.',
        default: 'payload',
        'x-ui': { label: 'Property' },
      },
      acceptText: {
        type: 'boolean',
        description: 'Read a text holding a number ("12.5") as that number. Off: text is NOT_A_NUMBER.',
        default: false,
        'x-ui': { label: 'Read numbers sent as text' },
      },
    },
    required: ['in', 'out'],
    additionalProperties: false,
  },
  // Version 2 replaced the clamp switch with `outside`, which also offers drop and wrap.
  migrations: {
    1: ({ clamp, ...rest }) => ({ ...rest, outside: clamp === false ? 'extend' : 'limit' }),
  },

  check: (config) => [...rangeProblems(config.in), ...problemsFrom('/property', () => propertyPath(config.property))],

  create(ctx) {
    const { in: from, out: to, outside, round, acceptText, property } = ctx.config;
    refuseConfig(rangeProblems(from));
    const path = propertyPath(property);
    const factor = (to.max - to.min) / (from.max - from.min);
    const inLow = Math.min(from.min, from.max);
    const inHigh = Math.max(from.min, from.max);
    // Rounded results stay within the output range: its ends are narrowed to whole numbers.
    const low = round ? Math.ceil(Math.min(to.min, to.max)) : Math.min(to.min, to.max);
    const high = round ? Math.floor(Math.max(to.min, to.max)) : Math.max(to.min, to.max);
    let dropped = 0;

    const read = (raw: unknown): number | undefined => {
      if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
      if (acceptText && typeof raw === 'string' && raw.trim() !== '') {
        const n = Number(raw);
        return Number.isFinite(n) ? n : undefined;
      }
      return undefined;
    };

    return {
      onMessage(msg) {
        const raw = getPath(msg, path);
        let value = read(raw);
        // A failed read carries no number: pass it on, so the bad quality is not lost here.
        if (value === undefined && msg.quality === 'bad') return void ctx.send(msg);
        if (value === undefined) value = readNumberAt(raw, property, msg);
        if (outside === 'drop' && (value < inLow || value > inHigh)) {
          dropped++;
          ctx.status({ state: 'ok', text: `${dropped} dropped outside ${inLow}…${inHigh}` });
          return;
        }
        if (outside === 'wrap') {
          const turn = inHigh - inLow;
          value = ((((value - inLow) % turn) + turn) % turn) + inLow;
        }
        let scaled = to.min + (value - from.min) * factor;
        if (round) scaled = Math.round(scaled);
        if (outside === 'limit') scaled = Math.min(high, Math.max(low, scaled));
        ctx.send(setPath(msg, path, scaled));
      },
    };
  },
});

function propertyPath(property: string): PathSegment[] {
  try {
    return parsePath(property);
  } catch (err) {
    if (err instanceof PathError)
      throw new NodeError(coreErrors.code.INVALID_PROPERTY, `Property: ${err.message}`, { property });
    throw err;
  }
}

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
