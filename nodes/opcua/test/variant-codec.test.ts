import { coerceInt64, DataType, LocalizedText, Variant, VariantArrayType } from 'node-opcua';
import { NodeError } from '@tagflow/node-sdk';
import { fromVariant, toVariant } from '../src';
import type { WritableType } from '../src';

const scalar = (dataType: DataType, value: unknown) =>
  new Variant({ dataType, arrayType: VariantArrayType.Scalar, value });

describe('fromVariant', () => {
  it('gives plain JavaScript values', () => {
    expect(fromVariant(scalar(DataType.Double, 1.5))).toBe(1.5);
    expect(fromVariant(scalar(DataType.Int32, -7))).toBe(-7);
    expect(fromVariant(scalar(DataType.Boolean, true))).toBe(true);
    expect(fromVariant(scalar(DataType.String, 'x'))).toBe('x');
    expect(fromVariant(scalar(DataType.DateTime, new Date('2026-01-02T03:04:05.678Z')))).toBe(
      '2026-01-02T03:04:05.678Z',
    );
    expect(fromVariant(scalar(DataType.LocalizedText, new LocalizedText({ text: 'Pumpe', locale: 'de' })))).toBe(
      'Pumpe',
    );
    expect(fromVariant(scalar(DataType.ByteString, Buffer.from([1, 2, 3])))).toBe('AQID');
    expect(fromVariant(new Variant({ dataType: DataType.Null }))).toBeNull();
    expect(fromVariant(undefined)).toBeNull();
  });

  it('turns typed arrays into plain arrays', () => {
    const value = fromVariant(
      new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1, 2.5] }),
    );
    expect(value).toEqual([1, 2.5]);
    expect(Array.isArray(value)).toBe(true);
  });

  it('gives 64-bit integers as numbers when exact, else as decimal text', () => {
    expect(fromVariant(scalar(DataType.Int64, coerceInt64(-5)))).toBe(-5);
    expect(fromVariant(scalar(DataType.UInt64, [0xffffffff, 0xffffffff]))).toBe('18446744073709551615');
    expect(fromVariant(scalar(DataType.Int64, [0x80000000, 0]))).toBe('-9223372036854775808');
  });
});

describe('toVariant', () => {
  it('builds typed variants from matching values', () => {
    expect(toVariant(3.25, 'Double', 'x')).toMatchObject({ dataType: DataType.Double, value: 3.25 });
    expect(toVariant(-128, 'SByte', 'x')).toMatchObject({ dataType: DataType.SByte, value: -128 });
    expect(toVariant(65535, 'UInt16', 'x')).toMatchObject({ dataType: DataType.UInt16, value: 65535 });
    expect(toVariant(true, 'Boolean', 'x')).toMatchObject({ dataType: DataType.Boolean, value: true });
    expect(toVariant('on', 'String', 'x')).toMatchObject({ dataType: DataType.String, value: 'on' });
    expect(toVariant('2026-01-02T03:04:05.678Z', 'DateTime', 'x').value).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    expect(toVariant(0, 'DateTime', 'x').value).toEqual(new Date(0));
    expect(toVariant(-5, 'Int64', 'x').value).toEqual(coerceInt64(-5));
    const array = toVariant([1, 2], 'Int16', 'x');
    expect(array.arrayType).toBe(VariantArrayType.Array);
    expect(Array.from(array.value as Int16Array)).toEqual([1, 2]);
  });

  const refused: Array<[unknown, WritableType, RegExp]> = [
    [256, 'Byte', /expected Byte in the range 0\.\.255/],
    [-1, 'UInt32', /expected UInt32 in the range 0\.\.4294967295/],
    [2147483648, 'Int32', /expected Int32 in the range/],
    [1.5, 'Int16', /expected an integer \(Int16\)/],
    ['12', 'Int32', /expected an integer \(Int32\)/],
    [1, 'Boolean', /expected true or false/],
    ['true', 'Boolean', /expected true or false/],
    [Number.NaN, 'Double', /expected a finite number \(Double\)/],
    ['1.5', 'Double', /expected a finite number \(Double\)/],
    [1e39, 'Float', /expected Float in the range/],
    [5, 'String', /expected a text \(String\)/],
    ['yesterday', 'DateTime', /expected an ISO 8601 date-time/],
    [true, 'DateTime', /expected an ISO 8601 date-time/],
    [2 ** 60, 'Int64', /expected Int64 in the range/],
    [[1, 'two'], 'Double', /cannot write "two" to x\[1\]/],
  ];
  it.each(refused)('refuses %j as %s with a NodeError naming what was expected', (value, type, message) => {
    let thrown: unknown;
    try {
      toVariant(value, type, 'x');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(NodeError);
    expect(thrown).toMatchObject({ code: 'OPCUA_WRITE_VALUE', message: expect.stringMatching(message) });
  });

  it('requires an array for an array variable', () => {
    expect(() => toVariant(1, 'Double', 'x', true)).toThrow('expected an array of Double');
  });
});
