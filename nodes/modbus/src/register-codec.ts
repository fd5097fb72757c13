import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';

/** How a value is laid out in Modbus registers (or a single bit for `bool`). */
export type DataType = 'bool' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'string';

/**
 * Byte order of a multi-register value, naming the bytes of its big-endian form A B C D as they
 * travel on the wire: ABCD big-endian (the Modbus default), CDAB word-swapped, BADC byte-swapped
 * within each register, DCBA both. For 64-bit values the same two swaps apply to all four registers.
 * For 16-bit values and strings only the byte swap is meaningful (BADC and DCBA swap the two bytes
 * of every register; CDAB reads like ABCD).
 */
export type WordOrder = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

export const DATA_TYPES: readonly DataType[] = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'float64',
  'string',
];
export const WORD_ORDERS: readonly WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

/** A decoded tag value. */
export type TagValue = boolean | number | string;

/** What the codec needs to know about a tag. */
export interface Layout {
  type: DataType;
  order: WordOrder;
  /** Registers a string occupies (two characters each); ignored by the other types. */
  length?: number;
}

const FLOAT32_MAX = 3.4028234663852886e38;

const INTEGER_RANGES: Partial<Record<DataType, [number, number]>> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** Number of 16-bit registers the value takes (1 for a bool, which is one coil or input bit). */
export function registerCount(layout: Layout): number {
  switch (layout.type) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'float64':
      return 4;
    case 'string':
      return layout.length ?? 1;
  }
}

/** True for the types that hold whole numbers (a write must fit exactly). */
export function isIntegerType(type: DataType): boolean {
  return INTEGER_RANGES[type] !== undefined;
}

/** Puts register words (as read from the device) into big-endian byte order A B C D... */
function wordsToBytes(words: readonly number[], order: WordOrder, wordSwapApplies: boolean): Buffer {
  const byteSwap = order === 'BADC' || order === 'DCBA';
  const wordSwap = wordSwapApplies && (order === 'CDAB' || order === 'DCBA');
  const buf = Buffer.alloc(words.length * 2);
  words.forEach((_, i) => {
    const word = words[wordSwap ? words.length - 1 - i : i] & 0xffff;
    if (byteSwap) buf.writeUInt16LE(word, i * 2);
    else buf.writeUInt16BE(word, i * 2);
  });
  return buf;
}

/** The inverse of wordsToBytes: big-endian bytes into the register words the device expects. */
function bytesToWords(buf: Buffer, order: WordOrder, wordSwapApplies: boolean): number[] {
  const byteSwap = order === 'BADC' || order === 'DCBA';
  const wordSwap = wordSwapApplies && (order === 'CDAB' || order === 'DCBA');
  const n = buf.length / 2;
  const words = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const word = byteSwap ? buf.readUInt16LE(i * 2) : buf.readUInt16BE(i * 2);
    words[wordSwap ? n - 1 - i : i] = word;
  }
  return words;
}

/** Decodes the registers of one tag (exactly `registerCount` of them). */
export function decodeRegisters(words: readonly number[], layout: Layout): number | string {
  const expected = registerCount(layout);
  if (words.length !== expected) throw new Error(`${layout.type} needs ${expected} registers, got ${words.length}`);
  switch (layout.type) {
    case 'int16':
      return wordsToBytes(words, layout.order, false).readInt16BE(0);
    case 'uint16':
      return wordsToBytes(words, layout.order, false).readUInt16BE(0);
    case 'int32':
      return wordsToBytes(words, layout.order, true).readInt32BE(0);
    case 'uint32':
      return wordsToBytes(words, layout.order, true).readUInt32BE(0);
    case 'float32':
      return wordsToBytes(words, layout.order, true).readFloatBE(0);
    case 'float64':
      return wordsToBytes(words, layout.order, true).readDoubleBE(0);
    case 'string':
      // Devices pad fixed-length strings with NULs; what follows the first NUL is not text.
      return wordsToBytes(words, layout.order, false).toString('latin1').replace(/\0.*$/s, '');
    case 'bool':
      throw new Error('bool is read from coils and discrete inputs, not from registers');
  }
}

/**
 * Encodes a raw (already unscaled) value into register words. Throws a NodeError naming the value
 * and the limit when it does not fit: a wrapped or rounded setpoint would reach the machine silently.
 */
export function encodeRegisters(value: unknown, layout: Layout): number[] {
  const { type } = layout;
  if (type === 'bool') throw new Error('bool is written to coils, not to registers');
  if (type === 'string') return encodeString(value, layout);
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new NodeError(
      modbusErrors.code.NOT_A_NUMBER,
      `a ${type} register needs a number, but the value is ${describe(value)}`,
      {
        value: String(value),
      },
    );
  }
  const range = INTEGER_RANGES[type];
  if (range) {
    if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw new NodeError(
        modbusErrors.code.VALUE_OUT_OF_RANGE,
        `${value} does not fit in ${type}: it takes whole numbers from ${range[0]} to ${range[1]}`,
        {
          value,
          min: range[0],
          max: range[1],
        },
      );
    }
  } else if (!Number.isFinite(value) || (type === 'float32' && Math.abs(value) > FLOAT32_MAX)) {
    const limit = type === 'float32' ? `finite numbers up to ±${FLOAT32_MAX}` : 'finite numbers';
    throw new NodeError(modbusErrors.code.VALUE_OUT_OF_RANGE, `${value} does not fit in ${type}: it takes ${limit}`, {
      value: String(value),
    });
  }
  const buf = Buffer.alloc(registerCount(layout) * 2);
  switch (type) {
    case 'int16':
      buf.writeInt16BE(value, 0);
      return bytesToWords(buf, layout.order, false);
    case 'uint16':
      buf.writeUInt16BE(value, 0);
      return bytesToWords(buf, layout.order, false);
    case 'int32':
      buf.writeInt32BE(value, 0);
      break;
    case 'uint32':
      buf.writeUInt32BE(value, 0);
      break;
    case 'float32':
      buf.writeFloatBE(value, 0);
      break;
    case 'float64':
      buf.writeDoubleBE(value, 0);
      break;
  }
  return bytesToWords(buf, layout.order, true);
}

function encodeString(value: unknown, layout: Layout): number[] {
  if (typeof value !== 'string')
    throw new NodeError(modbusErrors.code.NOT_A_STRING, `a string tag needs text, but the value is ${describe(value)}`);
  const registers = registerCount(layout);
  if (value.length > registers * 2) {
    throw new NodeError(
      modbusErrors.code.VALUE_OUT_OF_RANGE,
      `the text "${value.slice(0, 40)}" has ${value.length} characters; ${registers} registers hold at most ${registers * 2}`,
      {
        length: value.length,
        max: registers * 2,
      },
    );
  }
  // One byte per character: Latin-1 (ASCII and more), as Modbus devices store text.
  const wide = [...value].find((ch) => ch.charCodeAt(0) > 0xff);
  if (wide !== undefined)
    throw new NodeError(
      modbusErrors.code.VALUE_OUT_OF_RANGE,
      `the character "${wide}" cannot be stored in one byte (Latin-1 only)`,
    );
  const buf = Buffer.alloc(registers * 2); // NUL-padded
  buf.write(value, 'latin1');
  return bytesToWords(buf, layout.order, false);
}

/** A short plain-words rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'missing (undefined)';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  return `a ${typeof value}`;
}
