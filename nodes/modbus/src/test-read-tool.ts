import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import type { ModbusConnection } from './modbus-connection';
import { decodeRegisters, registerCount, WORD_ORDERS } from './register-codec';
import type { DataType, WordOrder } from './register-codec';
import { isBitTable } from './read-plan';
import type { ModbusTable } from './read-plan';

/** Most registers (or bits) one test read asks for: what fits a table a person can look over. */
export const MAX_TEST_READ = 64;

/** The numeric types a test read decodes at every address, narrowest first. */
export const TEST_READ_TYPES = [
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'float64',
] as const satisfies readonly DataType[];

/** A decoded value: a number, or `NaN` / `Infinity` / `-Infinity` as text (JSON has no such numbers). */
export type DecodedValue = number | string;

/** The values that start at one address, by type and byte order (`float32` -> `CDAB` -> 22.5). */
export interface TestReadRow {
  address: number;
  /** The raw register (undefined for bit tables). */
  word?: number;
  /** Coils and discrete inputs: the bit. */
  bit?: boolean;
  /** Types that fit from this address on, each in the four byte orders. */
  values?: Partial<Record<(typeof TEST_READ_TYPES)[number], Record<WordOrder, DecodedValue>>>;
}

/** What the `test-read` tool answers. */
export interface TestReadAnswer {
  function: ModbusTable;
  address: number;
  count: number;
  rows: TestReadRow[];
}

const TABLES: readonly ModbusTable[] = ['coil', 'discrete-input', 'holding-register', 'input-register'];

/**
 * The `test-read` tool of modbus-device: reads `count` registers (or bits) from `address` of a table
 * and decodes the registers from each address in every numeric type and byte order, so that a person
 * picks the interpretation that shows the value the device displays. Reads only.
 */
export async function testReadTool(connection: ModbusConnection, input: unknown): Promise<TestReadAnswer> {
  const { table, address, count } = checkInput(input);
  if (isBitTable(table)) {
    const bits = await connection.readBits(table, address, count);
    return { function: table, address, count, rows: bits.map((bit, i) => ({ address: address + i, bit })) };
  }
  const words = await connection.readRegisters(table, address, count);
  const rows = words.map((word, i): TestReadRow => {
    const values: TestReadRow['values'] = {};
    for (const type of TEST_READ_TYPES) {
      const n = registerCount({ type, order: 'ABCD' });
      if (i + n > words.length) continue;
      const slice = words.slice(i, i + n);
      values[type] = Object.fromEntries(
        WORD_ORDERS.map((order) => [order, jsonNumber(decodeRegisters(slice, { type, order }) as number)]),
      ) as Record<WordOrder, DecodedValue>;
    }
    return { address: address + i, word, values };
  });
  return { function: table, address, count, rows };
}

function jsonNumber(value: number): DecodedValue {
  return Number.isFinite(value) ? value : String(value);
}

function checkInput(input: unknown): { table: ModbusTable; address: number; count: number } {
  const given = (input ?? {}) as { function?: unknown; address?: unknown; count?: unknown };
  const refuse = (message: string) => new NodeError(modbusErrors.code.MODBUS_CONFIG, message);
  if (typeof input !== 'object' || input === null) throw refuse('the test read needs {function, address, count}');
  const table = given.function ?? 'holding-register';
  if (!TABLES.includes(table as ModbusTable))
    throw refuse(`the table must be one of ${TABLES.join(', ')}, not ${JSON.stringify(table)}`);
  const address = given.address ?? 0;
  if (typeof address !== 'number' || !Number.isInteger(address) || address < 0 || address > 65535)
    throw refuse('the address must be a whole number from 0 to 65535 (0-based: holding register 40001 is 0)');
  const count = given.count ?? 10;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_TEST_READ)
    throw refuse(`the count must be a whole number from 1 to ${MAX_TEST_READ}`);
  if (address + count > 65536) throw refuse(`${count} from address ${address} runs past the last address, 65535`);
  return { table: table as ModbusTable, address, count };
}
