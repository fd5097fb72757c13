import { crc32 } from 'node:zlib';
import {
  crc32Of,
  decodeRecords,
  encodeRecord,
  encodeRecords,
  recordJson,
  RECORD_OVERHEAD,
} from '../src/store-forward/record-codec';

describe('outbox record format', () => {
  it('writes each record as 8 lowercase hex digits of CRC-32 over the JSON text, the text, a newline', () => {
    // Checksums with leading zeros and with every hex digit, and a record with multibyte UTF-8.
    const items = [
      { topic: 'a', body: '41.7' },
      'é€😀',
      0,
      { n: 123456789 },
      ...Array.from({ length: 40 }, (_, i) => i * 7919),
      // Long ones, of every length modulo 4: the checksum goes four bytes at a time, then the rest.
      ...Array.from({ length: 8 }, (_, i) => ({ text: 'pump 3 flow é '.repeat(40 + i), n: i })),
    ];
    const jsons = items.map(recordJson);
    const bytes = jsons.reduce((sum, j) => sum + RECORD_OVERHEAD + Buffer.byteLength(j, 'utf8'), 0);
    const batch = encodeRecords(jsons, bytes);
    const lines = batch.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    lines.forEach((line, i) => {
      expect(line.slice(8)).toBe(jsons[i]);
      expect(line.slice(0, 8)).toBe(crc32(Buffer.from(jsons[i], 'utf8')).toString(16).padStart(8, '0'));
    });
    expect(batch).toEqual(Buffer.concat(items.map(encodeRecord)));
    expect(decodeRecords(batch, 0).records.map((r) => r.item)).toEqual(items);
  });

  it("computes zlib's CRC-32 over any part of a buffer", () => {
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    for (let start = 0; start < 9; start++)
      for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 63, 64, 65, 1000, 4000])
        expect(crc32Of(data, start, start + length)).toBe(crc32(data.subarray(start, start + length)));
  });
});
