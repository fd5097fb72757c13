import { defineNode, NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import type { ModbusConnection } from './modbus-connection';
import { describe, encodeRegisters } from './register-codec';
import { layoutSchema, resolveLayout } from './tag-config';
import { removeScaling } from './tag-scaling';

export default defineNode({
  type: 'modbus-write',
  version: 1,
  category: 'publisher',
  description: 'Writes msg.payload to a coil or holding register(s) of a Modbus device',
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
        minLength: 1,
        description: 'Id of the modbus-device resource.',
        'x-ui': { widget: 'resource', resourceType: 'modbus-device' },
      },
      function: {
        enum: ['coil', 'holding-register'],
        description:
          'coil: FC 5 (payload true/false); holding-register: FC 6 for one register, FC 16 for multi-register types and strings.',
        'x-ui': { label: 'Table' },
      },
      ...layoutSchema,
    },
    required: ['device', 'function', 'address'],
    additionalProperties: false,
  },

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
