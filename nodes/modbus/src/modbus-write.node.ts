import { defineNode, NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import type { ModbusConnection } from './modbus-connection';
import { describe, encodeRegisters } from './register-codec';
import { layoutProblems, layoutSchema, resolveLayout } from './tag-config';
import { removeScaling } from './tag-scaling';

export default defineNode({
  type: 'modbus-write',
  version: 1,
  category: 'publisher',
  description: 'Writes msg.payload to a coil or holding register(s) of a Modbus device.',
  docs: [
    "Writes each message's `msg.payload` to a coil or to holding register(s) of a `modbus-device`. The",
    'address, data type, byte order and scaling work as in `modbus-read`, scaling the other way: raw =',
    '(payload - `offset`) / `scale`. A 32/64-bit value or a string is written with one request (FC 16),',
    'so a value is never half-written; a string shorter than `length` registers is padded with NULs.',
    '',
    '## What it sends',
    '',
    "Nothing on a port: each message becomes one write to the device. The node's Promise settles only",
    'when the device confirmed the write, so messages are written one at a time, in order. The status',
    'shows the last value written.',
    '',
    '## Values it refuses',
    '',
    'Values are checked before anything is sent, and a value that does not fit is refused with an',
    'error naming it and the limit: `70000 does not fit in int16: it takes whole numbers from -32768 to',
    '32767` (`VALUE_OUT_OF_RANGE`), a fraction into an integer type, a float32 beyond ±3.4e38, a text',
    'longer than `length` registers hold or with characters beyond Latin-1; NaN, text or other',
    'non-numbers into a number (`NOT_A_NUMBER`); anything but `true`/`false` into a coil',
    '(`NOT_A_BOOLEAN`; `1` and `"on"` are refused, so a wrong upstream type shows up instead of',
    'switching something). With a scale, a value between two steps is refused rather than rounded',
    '(21.55 with scale 0.1 into an int16 would need raw 215.5). A message of bad quality (a failed read',
    'upstream) is never written (`MODBUS_WRITE_BAD_QUALITY`).',
    '',
    '## When the device is away',
    '',
    'Writes are not buffered while the device is disconnected: a setpoint applied minutes later can do',
    'harm, so such a message fails with `MODBUS_DISCONNECTED`. A write the device refuses fails with',
    '`MODBUS_EXCEPTION`, one that gets no answer with `MODBUS_TIMEOUT`.',
    '',
    '## Example',
    '',
    'A temperature setpoint in °C written to holding register 40101 as tenths of a degree above -40:',
    '',
    '```json',
    '{',
    '  "id": "setpoint",',
    '  "type": "modbus-write",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "device": "plc",',
    '    "function": "holding-register",',
    '    "address": 100,',
    '    "type": "int16",',
    '    "scale": 0.1,',
    '    "offset": -40',
    '  }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  resources: { device: 'modbus-device' },
  errors: modbusErrors.pick(
    'MODBUS_CONFIG',
    'MODBUS_WRITE_BAD_QUALITY',
    'NOT_A_NUMBER',
    'NOT_A_BOOLEAN',
    'NOT_A_STRING',
    'VALUE_OUT_OF_RANGE',
    'MODBUS_DISCONNECTED',
    'MODBUS_TIMEOUT',
    'MODBUS_EXCEPTION',
    'MODBUS_ERROR',
  ),
  configSchema: {
    type: 'object',
    properties: {
      device: {
        type: 'string',
        description: 'Id of the modbus-device resource to write to.',
        minLength: 1,
        'x-ui': { label: 'Device', widget: 'resource', resourceType: 'modbus-device' },
      },
      function: {
        description:
          'coil: FC 5 (payload true/false); holding-register: FC 6 for one register, FC 16 for multi-register types and strings.',
        enum: ['coil', 'holding-register'],
        'x-ui': { label: 'Table' },
      },
      ...layoutSchema,
    },
    required: ['device', 'function', 'address'],
    additionalProperties: false,
  },

  check: (c) => layoutProblems(`${c.function} ${c.address}`, c),

  create(ctx) {
    const c = ctx.config;
    const device = ctx.resource<ModbusConnection>(c.device);
    const layout = resolveLayout(`${c.function} ${c.address}`, c);
    const target = `${c.function} ${c.address}`;

    return {
      async onMessage(msg) {
        // A value of bad quality (a failed read upstream) must never become a setpoint.
        if (msg.quality === 'bad')
          throw new NodeError(
            modbusErrors.code.MODBUS_WRITE_BAD_QUALITY,
            `not writing a value of bad quality to ${target}`,
          );
        let words: number[] | undefined;
        if (layout.type === 'bool') {
          if (typeof msg.payload !== 'boolean') {
            throw new NodeError(
              modbusErrors.code.NOT_A_BOOLEAN,
              `${target} takes true or false, but msg.payload is ${describe(msg.payload)}`,
              { payload: String(msg.payload) },
            );
          }
        } else {
          // Checked before any request: a value that does not fit never reaches the device.
          words = encodeRegisters(removeScaling(msg.payload, layout, layout.type), layout);
        }
        // Writes are not queued while disconnected: a setpoint applied minutes late can do harm.
        const connection = device.current;
        if (!connection)
          throw new NodeError(
            modbusErrors.code.MODBUS_DISCONNECTED,
            `cannot write ${describe(msg.payload)} to ${target}: not connected to the Modbus device "${c.device}"`,
          );
        if (words === undefined) await connection.writeCoil(c.address, msg.payload as boolean);
        else await connection.writeRegisters(c.address, words);
        ctx.status({ state: 'ok', text: `wrote ${describe(msg.payload)} to ${target}` });
      },
    };
  },
});
