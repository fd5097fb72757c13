import { isNodeError } from '@tagflow/node-sdk';
import { decodeRegisters, encodeRegisters, registerCount, WORD_ORDERS } from '../src/register-codec';
import type { DataType, Layout, WordOrder } from '../src/register-codec';
import { applyScaling, removeScaling } from '../src/tag-scaling';

/** Words written out by hand from the byte names: 0x11 0x22 0x33 0x44 is A B C D. */
const UINT32_WORDS: Record<WordOrder, number[]> = {
  ABCD: [0x1122, 0x3344],
  CDAB: [0x3344, 0x1122],
  BADC: [0x2211, 0x4433],
  DCBA: [0x4433, 0x2211],
};
// 1.0 as an IEEE double is 3F F0 00 00 00 00 00 00.
const FLOAT64_ONE: Record<WordOrder, number[]> = {
  ABCD: [0x3ff0, 0, 0, 0],
  CDAB: [0, 0, 0, 0x3ff0],
  BADC: [0xf03f, 0, 0, 0],
  DCBA: [0, 0, 0, 0xf03f],
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isNodeError(err) ? err.code : `not a NodeError: ${String(err)}`;
  }
  return undefined;
}

describe('register-codec', () => {
  it.each(WORD_ORDERS)('decodes and encodes 32- and 64-bit values in order %s', (order) => {
    expect(decodeRegisters(UINT32_WORDS[order], { type: 'uint32', order })).toBe(0x11223344);
    expect(encodeRegisters(0x11223344, { type: 'uint32', order })).toEqual(UINT32_WORDS[order]);
    expect(decodeRegisters(FLOAT64_ONE[order], { type: 'float64', order })).toBe(1);
    expect(encodeRegisters(1, { type: 'float64', order })).toEqual(FLOAT64_ONE[order]);
  });

  it('decodes signed values and IEEE floats', () => {
    expect(decodeRegisters([0xffff], { type: 'int16', order: 'ABCD' })).toBe(-1);
    expect(decodeRegisters([0xffff], { type: 'uint16', order: 'ABCD' })).toBe(65535);
    expect(decodeRegisters([0x3412], { type: 'uint16', order: 'BADC' })).toBe(0x1234);
    expect(decodeRegisters([0x3412], { type: 'uint16', order: 'CDAB' })).toBe(0x3412); // no word to swap
    expect(decodeRegisters([0xffff, 0xfffe], { type: 'int32', order: 'ABCD' })).toBe(-2);
    expect(decodeRegisters([0x3f80, 0x0000], { type: 'float32', order: 'ABCD' })).toBe(1);
    expect(decodeRegisters([0x5000, 0xc49a], { type: 'float32', order: 'CDAB' })).toBe(-1234.5); // C4 9A 50 00
  });

  it('decodes and encodes strings, NUL-padded, with optional byte swap', () => {
    expect(decodeRegisters([0x4849, 0x2100, 0], { type: 'string', order: 'ABCD', length: 3 })).toBe('HI!');
    expect(decodeRegisters([0x4948, 0x0021, 0], { type: 'string', order: 'BADC', length: 3 })).toBe('HI!');
    expect(encodeRegisters('HI!', { type: 'string', order: 'ABCD', length: 3 })).toEqual([0x4849, 0x2100, 0]);
    expect(encodeRegisters('HI!', { type: 'string', order: 'DCBA', length: 3 })).toEqual([0x4948, 0x0021, 0]);
  });

  it('round-trips edge values of every numeric type in every order', () => {
    const samples: Record<string, number[]> = {
      int16: [-32768, -1, 0, 1, 32767],
      uint16: [0, 1, 0x8000, 65535],
      int32: [-2147483648, -1, 0, 65536, 2147483647],
      uint32: [0, 65535, 65536, 4294967295],
      float32: [0, -0.5, 1234.5, Math.fround(3.3e38), Math.fround(-1e-30)],
      float64: [0, -1e300, Math.PI, Number.MIN_VALUE],
    };
    for (const [type, values] of Object.entries(samples)) {
      for (const order of WORD_ORDERS) {
        const layout: Layout = { type: type as DataType, order };
        for (const v of values) {
          const words = encodeRegisters(v, layout);
          expect(words).toHaveLength(registerCount(layout));
          words.forEach((w) => expect(w >= 0 && w <= 0xffff && Number.isInteger(w)).toBe(true));
          expect(decodeRegisters(words, layout)).toBe(v);
        }
      }
    }
  });

  it('refuses values that do not fit, naming the value and the limit', () => {
    expect(codeOf(() => encodeRegisters(70000, { type: 'int16', order: 'ABCD' }))).toBe('VALUE_OUT_OF_RANGE');
    expect(() => encodeRegisters(70000, { type: 'int16', order: 'ABCD' })).toThrow(
      '70000 does not fit in int16: it takes whole numbers from -32768 to 32767',
    );
    expect(codeOf(() => encodeRegisters(-1, { type: 'uint32', order: 'ABCD' }))).toBe('VALUE_OUT_OF_RANGE');
    expect(codeOf(() => encodeRegisters(1.5, { type: 'int32', order: 'ABCD' }))).toBe('VALUE_OUT_OF_RANGE');
    expect(codeOf(() => encodeRegisters(1e39, { type: 'float32', order: 'ABCD' }))).toBe('VALUE_OUT_OF_RANGE');
    expect(codeOf(() => encodeRegisters(Infinity, { type: 'float64', order: 'ABCD' }))).toBe('VALUE_OUT_OF_RANGE');
    expect(codeOf(() => encodeRegisters(NaN, { type: 'float32', order: 'ABCD' }))).toBe('NOT_A_NUMBER');
    expect(codeOf(() => encodeRegisters('12', { type: 'uint16', order: 'ABCD' }))).toBe('NOT_A_NUMBER');
    expect(codeOf(() => encodeRegisters('toolong', { type: 'string', order: 'ABCD', length: 3 }))).toBe(
      'VALUE_OUT_OF_RANGE',
    );
    expect(codeOf(() => encodeRegisters('€', { type: 'string', order: 'ABCD', length: 3 }))).toBe('VALUE_OUT_OF_RANGE');
    expect(codeOf(() => encodeRegisters(5, { type: 'string', order: 'ABCD', length: 3 }))).toBe('NOT_A_STRING');
  });

  it('scales (raw * scale + offset) and writes the exact inverse, refusing values between steps', () => {
    const s = { scale: 0.1, offset: -40 };
    expect(applyScaling(625, s)).toBeCloseTo(22.5, 12);
    expect(removeScaling(22.5, s, 'int16')).toBe(625);
    expect(codeOf(() => removeScaling(21.55, { scale: 0.1, offset: 0 }, 'int16'))).toBe('VALUE_OUT_OF_RANGE');
    expect(removeScaling(21.55, { scale: 0.1, offset: 0 }, 'float32')).toBeCloseTo(215.5, 9);
    expect(removeScaling(true, s, 'int16')).toBe(true); // not a number: left for the encoder to refuse
  });
});
