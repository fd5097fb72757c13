import { defineNode, deriveMessage, NodeError, refuseConfig } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { nodeErrors } from './error-codes';

const UNIT_NAMES = ['degC', 'degF', 'K', 'bar', 'kPa', 'psi', 'm3/h', 'l/min'] as const;
type Unit = (typeof UNIT_NAMES)[number];

/** How to reach each unit from its quantity's base unit (K, Pa, m³/s): `base = value * factor + offset`. */
const UNITS: Record<Unit, { quantity: string; factor: number; offset: number }> = {
  degC: { quantity: 'temperature', factor: 1, offset: 273.15 },
  degF: { quantity: 'temperature', factor: 5 / 9, offset: 273.15 - (32 * 5) / 9 },
  K: { quantity: 'temperature', factor: 1, offset: 0 },
  bar: { quantity: 'pressure', factor: 100_000, offset: 0 },
  kPa: { quantity: 'pressure', factor: 1_000, offset: 0 },
  psi: { quantity: 'pressure', factor: 6_894.757293168, offset: 0 },
  'm3/h': { quantity: 'flow', factor: 1 / 3_600, offset: 0 },
  'l/min': { quantity: 'flow', factor: 1 / 60_000, offset: 0 },
};

/** A unit field: the units it may hold, with its description and label. */
const unit = (what: string, label: string) =>
  ({ type: 'string', description: `The unit of the ${what} values.`, enum: UNIT_NAMES, 'x-ui': { label } }) as const;

export default defineNode({
  type: '__NODE_TYPE__',
  version: 1,
  category: 'processor',
  description: 'Converts a number between units of temperature, pressure or flow, e.g. degF to degC.',
  docs: [
    'Converts a number between units of the same quantity: temperatures (°C, °F, K), pressures',
    '(bar, kPa, psi) or volume flows (m³/h, l/min).',
    '',
    'Units of different quantities cannot be converted: the deploy is refused with',
    '`INCOMPATIBLE_UNITS` ("cannot convert degC (a temperature) to bar (a pressure)").',
    '',
    '## What it sends, and when',
    '',
    'For every number received, the same message with the converted value as `payload` and the unit',
    'it is now in as `unit`; `topic`, `timestamp`, `quality` and other fields are kept:',
    '',
    '```json',
    '{ "payload": 37, "unit": "degC", "topic": "line1/oven/temp", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    'A payload that is not a finite number is an error `NOT_A_NUMBER`; nothing is sent for it.',
    "The node's status counts the values converted and shows the last one: `12 converted, last 37 degC`.",
    '',
    '## Example',
    '',
    'Fahrenheit to Celsius, one decimal:',
    '',
    '```json',
    '{ "id": "oven-c", "type": "__NODE_TYPE__", "typeVersion": 1, "config": { "from": "degF", "to": "degC", "decimals": 1 } }',
    '```',
    '',
    '98.6 gives 37, 212 gives 100.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: nodeErrors.pick('INCOMPATIBLE_UNITS', 'NOT_A_NUMBER'),
  configSchema: {
    type: 'object',
    properties: {
      from: unit('incoming', 'From unit'),
      to: unit('outgoing', 'To unit'),
      decimals: {
        type: 'integer',
        description: 'Round the result to this many decimals; leave empty to keep full precision.',
        minimum: 0,
        maximum: 12,
        'x-ui': { label: 'Decimals' },
      },
    },
    required: ['from', 'to'],
    additionalProperties: false,
  },

  // What the schema cannot say; `tagflow validate`, the editor and every deploy run it.
  check: (config) => unitProblems(config.from, config.to),

  create(ctx) {
    const { from, to, decimals } = ctx.config;
    const source = UNITS[from];
    const target = UNITS[to];
    refuseConfig(unitProblems(from, to));
    const round = decimals === undefined ? (v: number) => v : (v: number) => Number(v.toFixed(decimals));
    let converted = 0;

    return {
      onMessage(msg) {
        const value = msg.payload;
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new NodeError(
            nodeErrors.code.NOT_A_NUMBER,
            `msg.payload must be a number in ${from}, but it is ${JSON.stringify(value) ?? 'undefined'}`,
            {
              topic: msg.topic,
            },
          );
        }
        const result = round((value * source.factor + source.offset - target.offset) / target.factor);
        // deriveMessage, not a spread: it adds a field (`unit`) the message may not have.
        ctx.send(deriveMessage(msg, { payload: result, unit: to }));
        converted += 1;
        ctx.status({ state: 'ok', text: `${converted} converted, last ${result} ${to}` });
      },
    };
  },
});

/** Units of different quantities cannot be converted: the deploy is refused, naming both. */
function unitProblems(from: Unit, to: Unit): ConfigProblem[] {
  const source = UNITS[from];
  const target = UNITS[to];
  if (source.quantity === target.quantity) return [];
  return [
    {
      path: '/to',
      message: `cannot convert ${from} (a ${source.quantity}) to ${to} (a ${target.quantity})`,
      code: nodeErrors.code.INCOMPATIBLE_UNITS,
    },
  ];
}
