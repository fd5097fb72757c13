import { refuseConfig } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
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
    'x-ui': { label: 'Address (0-based)', widget: 'modbus-register' },
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

/** A tag's layout as the config gives it (schema defaults applied). */
export interface LayoutConfig {
  function: ModbusTable;
  address: number;
  type?: DataType;
  order: WordOrder;
  length?: number;
  scale: number;
  offset: number;
}

/** The type a tag has: the one given, else bool in coils and discrete inputs, uint16 in registers. */
function typeOf(c: LayoutConfig): DataType {
  return c.type ?? (isBitTable(c.function) ? 'bool' : 'uint16');
}

/**
 * What JSON Schema cannot rule out in a tag's layout: bool only in coils and discrete inputs, a
 * length for strings, the value within the 65536 addresses, a scale that is not 0. `what` names
 * the tag in the words, `at` is the tag's pointer inside the node's config ('' for modbus-write).
 */
export function layoutProblems(what: string, c: LayoutConfig, at = ''): ConfigProblem[] {
  const problem = (field: string, message: string): ConfigProblem => ({
    path: `${at}/${field}`,
    message: `${what}: ${message}`,
    code: modbusErrors.code.MODBUS_CONFIG,
  });
  const bits = isBitTable(c.function);
  const type = typeOf(c);
  if (bits && type !== 'bool')
    return [problem('type', `a ${c.function} holds one bit, so its type must be bool, not ${type}`)];
  if (!bits && type === 'bool')
    return [problem('type', `bool is for coils and discrete inputs; a ${c.function} holds a number (e.g. uint16)`)];
  if (type === 'string' && c.length === undefined)
    return [problem('length', 'a string needs length, the number of registers it spans')];
  const problems: ConfigProblem[] = [];
  const count = registerCount({ type, order: c.order, length: c.length });
  if (c.address + count > 65536)
    problems.push(
      problem(
        'address',
        `a ${type} at address ${c.address} spans ${count} registers and runs past the last address, 65535`,
      ),
    );
  if (c.scale === 0) problems.push(problem('scale', 'scale 0 would turn every value into the offset'));
  return problems;
}

/** Fills in the type from the table; refuses (as `layoutProblems` words it) a layout that cannot work. */
export function resolveLayout(what: string, c: LayoutConfig): ResolvedLayout {
  refuseConfig(layoutProblems(what, c));
  const type = typeOf(c);
  return {
    table: c.function,
    address: c.address,
    type,
    order: c.order,
    length: c.length,
    count: registerCount({ type, order: c.order, length: c.length }),
    scale: c.scale,
    offset: c.offset,
  };
}
