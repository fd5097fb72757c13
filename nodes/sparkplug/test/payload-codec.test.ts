import { DataType, decodePayload, encodePayload } from '../src';
import type { SparkplugMetric } from '../src';
import { num } from './sparkplug-peer';

const tahu = (
  require('sparkplug-payload') as {
    get(ns: string): {
      decodePayload(bytes: Uint8Array): { metrics: Array<{ name: string; type: string; value: unknown }> };
      encodePayload(payload: unknown): Uint8Array;
    };
  }
).get('spBv1.0');

const cases: Array<[string, number, unknown]> = [
  ['i8', DataType.Int8, -5],
  ['i16', DataType.Int16, -300],
  ['i32', DataType.Int32, -70_000],
  ['u8', DataType.UInt8, 250],
  ['u32', DataType.UInt32, 3_000_000],
  ['i64', DataType.Int64, 9_000_000_000],
  ['f', DataType.Float, 1.5],
  ['d', DataType.Double, 41.7],
  ['b', DataType.Boolean, true],
  ['s', DataType.String, 'auto'],
];

describe('the payload codec', () => {
  it("writes values Eclipse Tahu's decoder reads back, by data type", () => {
    const metrics: SparkplugMetric[] = cases.map(([name, datatype, value]) => ({ name, datatype, value }));
    const decoded = tahu.decodePayload(encodePayload({ timestamp: 1, seq: 7, metrics }));
    expect(decoded.metrics.map((m) => [m.name, m.type, typeof m.value === 'object' ? num(m.value) : m.value])).toEqual(
      cases.map(([name, datatype, value]) => [name, Object.keys(DataType)[datatype], value]),
    );
  });

  it("reads values Eclipse Tahu's encoder wrote, signed ones included", () => {
    const bytes = tahu.encodePayload({
      timestamp: 1,
      metrics: cases.map(([name, datatype, value]) => ({ name, type: Object.keys(DataType)[datatype], value })),
    });
    expect(decodePayload(bytes).metrics.map((m) => [m.name, m.datatype, m.value])).toEqual(cases);
  });

  it('keeps 64-bit integers beyond 2^53 exact, as decimal text, and marks nulls', () => {
    const payload = decodePayload(
      encodePayload({
        seq: 255,
        metrics: [
          { name: 'big', datatype: DataType.UInt64, value: '18446744073709551615' },
          { name: 'neg', datatype: DataType.Int64, value: -42 },
          { name: 'u32', datatype: DataType.UInt32, value: 4_000_000_000 },
          { name: 'none', datatype: DataType.Double, value: null },
          { name: 'q', datatype: DataType.Double, value: 1, properties: { Quality: 64, engUnit: 'bar' } },
        ],
      }),
    );
    expect(payload.seq).toBe(255);
    expect(payload.metrics.map((m) => m.value)).toEqual(['18446744073709551615', -42, 4_000_000_000, null, 1]);
    expect(payload.metrics[4].properties).toEqual({ Quality: 64, engUnit: 'bar' });
  });

  it('refuses bytes that are not a payload', () => {
    expect(() => decodePayload(Buffer.from([0xff, 0xff, 0xff]))).toThrow();
  });
});
