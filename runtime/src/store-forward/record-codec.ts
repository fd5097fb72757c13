import { crc32 } from 'node:zlib';

/**
 * One item per line: 8 hex digits of CRC-32 over the JSON text, then the JSON text, then `\n`.
 * JSON text never contains a raw newline, so a line is a record; the checksum and the newline tell
 * a whole record from one torn by a crash or a power cut, which is dropped on reopen.
 */
export function encodeRecord(item: unknown): Buffer {
  const json = JSON.stringify(item);
  if (json === undefined) throw new Error('cannot buffer a value JSON cannot hold (undefined, a function)');
  // One buffer per record, the JSON written straight into it: this runs once per buffered message.
  const length = Buffer.byteLength(json, 'utf8');
  const line = Buffer.allocUnsafe(8 + length + 1);
  line.write(json, 8, 'utf8');
  line.write(
    crc32(line.subarray(8, 8 + length))
      .toString(16)
      .padStart(8, '0'),
    0,
    'latin1',
  );
  line[8 + length] = 0x0a;
  return line;
}

/** Bytes a record takes in the file besides its JSON text: the checksum and the newline. */
export const RECORD_OVERHEAD = 9;

/** The JSON text of an item, as a record holds it; throws for a value JSON cannot hold. */
export function recordJson(item: unknown): string {
  const json = JSON.stringify(item);
  if (json === undefined) throw new Error('cannot buffer a value JSON cannot hold (undefined, a function)');
  return json;
}

/**
 * Encodes many records (their JSON texts, `bytes` in all with framing) into one buffer, as
 * `encodeRecord` would each: one allocation and one write for a whole batch.
 */
export function encodeRecords(jsons: string[], bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const json of jsons) {
    const length = out.write(json, offset + 8, 'utf8');
    writeCrcHex(out, offset, crc32Of(out, offset + 8, offset + 8 + length));
    out[offset + 8 + length] = 0x0a;
    offset += length + RECORD_OVERHEAD;
  }
  if (offset !== bytes) throw new Error(`record batch of ${offset} bytes, ${bytes} expected`);
  return out;
}

/** CRC-32 (IEEE, as zlib's) lookup tables for four bytes at a time ("slicing by 4"). */
const CRC_TABLES = (() => {
  const t = new Int32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++)
    for (let k = 1; k < 4; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 255];
  return t;
})();

/**
 * zlib's CRC-32 of `data[start..end)`, in JavaScript: for a record of tens of bytes, zlib's call
 * (and the subarray it needs) cost 2.5 times this loop, and a publisher checksums every record.
 */
export function crc32Of(data: Uint8Array, start: number, end: number): number {
  const t = CRC_TABLES;
  let c = -1;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t[768 + (c & 255)] ^ t[512 + ((c >>> 8) & 255)] ^ t[256 + ((c >>> 16) & 255)] ^ t[c >>> 24];
  }
  for (; i < end; i++) c = t[(c ^ data[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Writes `crc` as 8 lowercase hex digits at `offset`, digit by digit: a string per record (toString,
 * padStart, a latin1 write) cost a third of encoding a batch of small records.
 */
function writeCrcHex(out: Buffer, offset: number, crc: number): void {
  for (let k = 0; k < 8; k++) out[offset + k] = HEX_DIGITS[(crc >>> (28 - 4 * k)) & 15];
}

/** A record read back, with the offset just past it. */
export interface DecodedRecord {
  item: unknown;
  end: number;
}

/**
 * Decodes the records of `data` from `start`; stops at the first incomplete or damaged one and
 * reports where the good data ends, so the caller can cut the torn tail off.
 */
export function decodeRecords(data: Buffer, start: number): { records: DecodedRecord[]; goodEnd: number } {
  const records: DecodedRecord[] = [];
  let offset = start;
  while (offset < data.length) {
    const newline = data.indexOf(0x0a, offset);
    if (newline === -1 || newline - offset < 9) break;
    const body = data.subarray(offset + 8, newline);
    const expected = Number.parseInt(data.toString('latin1', offset, offset + 8), 16);
    if (Number.isNaN(expected) || crc32(body) !== expected) break;
    let item: unknown;
    try {
      item = JSON.parse(body.toString('utf8'));
    } catch {
      // A checksum collision on garbage: treat it as the torn end, like any other damage.
      break;
    }
    offset = newline + 1;
    records.push({ item, end: offset });
  }
  return { records, goodEnd: offset };
}
