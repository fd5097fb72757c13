import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { registerCount } from './register-codec';
import type { DataType, WordOrder } from './register-codec';
import { isBitTable } from './read-plan';
import type { ModbusTable } from './read-plan';

/** JSON Schema pieces shared by modbus-read's tags and modbus-write (spread into their schemas). */
export const layoutSchema = {
  address: {
    type: 'integer',
    description:
      '0-based protocol address as sent on the wire. Holding register 40001 (or 400001) is address 0, input register 30001 is 0, coil 00001 is 0.',
    minimum: 0,
    maximum: 65535,
    'x-ui': { label: 'Address (0-based)' },
  },
  type: {
    description:
      'Data type: bool for coils and discrete inputs (the default there); for registers uint16 by default, 32-bit types take 2 registers, float64 4, string `length`.',
    enum: ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'],
    'x-ui': { label: 'Data type' },
  },
  order: {
    description:
      'Byte order on the wire: ABCD big-endian (Modbus default), CDAB word-swapped, BADC byte-swapped, DCBA both. 16-bit values and strings: BADC/DCBA swap the bytes of each register.',
    default: 'ABCD',
    enum: ['ABCD', 'CDAB', 'BADC', 'DCBA'],
    'x-ui': { label: 'Byte/word order' },
  },
  length: {
    type: 'integer',
    description: 'string: number of registers (two characters each).',
    minimum: 1,
    maximum: 123,
    'x-ui': { label: 'Length (registers)' },
  },
  scale: {
    type: 'number',
    description: 'Numbers only: value = raw * scale + offset (a write applies the inverse).',
    default: 1,
    'x-ui': { label: 'Scale' },
  },
  offset: {
    type: 'number',
    description: 'Numbers only: added after scaling.',
    default: 0,
    'x-ui': { label: 'Offset' },
  },
} as const;

/** A tag's location and layout, after defaults and checks. */
export interface ResolvedLayout {
  table: ModbusTable;
  address: number;
  type: DataType;
  order: WordOrder;
  length?: number;
  /** Registers (or bits) it spans. */
  count: number;
  scale: number;
  offset: number;
}

/**
 * Fills in the type from the table and checks what JSON Schema cannot: bool only in coils and
 * discrete inputs, a length for strings, the value within the 65536 addresses. `what` names the
 * tag in error messages.
 */
export function resolveLayout(
  what: string,
  c: {
    function: ModbusTable;
    address: number;
    type?: DataType;
    order: WordOrder;
    length?: number;
    scale: number;
    offset: number;
  },
): ResolvedLayout {
  const bits = isBitTable(c.function);
  const type: DataType = c.type ?? (bits ? 'bool' : 'uint16');
  if (bits && type !== 'bool')
    throw new NodeError(
      modbusErrors.code.MODBUS_CONFIG,
      `${what}: a ${c.function} holds one bit, so its type must be bool, not ${type}`,
    );
  if (!bits && type === 'bool')
    throw new NodeError(
      modbusErrors.code.MODBUS_CONFIG,
      `${what}: bool is for coils and discrete inputs; a ${c.function} holds a number (e.g. uint16)`,
    );
  if (type === 'string' && c.length === undefined)
    throw new NodeError(
      modbusErrors.code.MODBUS_CONFIG,
      `${what}: a string needs length, the number of registers it spans`,
    );
  const count = registerCount({ type, order: c.order, length: c.length });
  if (c.address + count > 65536) {
    throw new NodeError(
      modbusErrors.code.MODBUS_CONFIG,
      `${what}: a ${type} at address ${c.address} spans ${count} registers and runs past the last address, 65535`,
    );
  }
  if (c.scale === 0)
    throw new NodeError(modbusErrors.code.MODBUS_CONFIG, `${what}: scale 0 would turn every value into the offset`);
  return {
    table: c.function,
    address: c.address,
    type,
    order: c.order,
    length: c.length,
    count,
    scale: c.scale,
    offset: c.offset,
  };
}
