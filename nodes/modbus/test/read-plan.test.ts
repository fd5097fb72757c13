import { planReads } from '../src/read-plan';
import type { ModbusTable, PlannedTag } from '../src/read-plan';

const limits = { maxGap: 10, maxRegisters: 125, maxBits: 2000 };
const tag = (table: ModbusTable, address: number, count = 1): PlannedTag => ({ table, address, count });
const shape = (tags: PlannedTag[], l = limits) =>
  planReads(tags, l).map((r) => [r.table, r.address, r.count, r.tags.map((t) => t.offset)]);

describe('read-plan', () => {
  it('merges neighbours of one table across small gaps, never across tables', () => {
    const tags = [
      tag('holding-register', 1010, 2),
      tag('holding-register', 1000),
      tag('holding-register', 1002, 2),
      tag('input-register', 1001),
      tag('holding-register', 1050),
    ];
    expect(shape(tags)).toEqual([
      ['holding-register', 1000, 12, [0, 2, 10]],
      ['holding-register', 1050, 1, [0]],
      ['input-register', 1001, 1, [0]],
    ]);
  });

  it('bridges a gap of exactly maxGap, not one more', () => {
    expect(shape([tag('holding-register', 0), tag('holding-register', 11)])).toHaveLength(1); // 10 unused between
    expect(shape([tag('holding-register', 0), tag('holding-register', 12)])).toHaveLength(2);
    expect(shape([tag('holding-register', 0), tag('holding-register', 1)], { ...limits, maxGap: 0 })).toHaveLength(1);
    expect(shape([tag('holding-register', 0), tag('holding-register', 2)], { ...limits, maxGap: 0 })).toHaveLength(2);
  });

  it('splits at the protocol limits: 125 registers, 2000 bits', () => {
    const regs = Array.from({ length: 130 }, (_, i) => tag('holding-register', i));
    expect(shape(regs).map((r) => [r[1], r[2]])).toEqual([
      [0, 125],
      [125, 5],
    ]);
    const bits = Array.from({ length: 2001 }, (_, i) => tag('coil', i));
    expect(shape(bits).map((r) => [r[1], r[2]])).toEqual([
      [0, 2000],
      [2000, 1],
    ]);
    // A 2-register value is never cut in half: it starts a new request.
    const straddle = [
      ...Array.from({ length: 124 }, (_, i) => tag('holding-register', i)),
      tag('holding-register', 124, 2),
    ];
    expect(shape(straddle).map((r) => [r[1], r[2]])).toEqual([
      [0, 124],
      [124, 2],
    ]);
  });

  it('lets overlapping tags share registers', () => {
    expect(shape([tag('holding-register', 5, 2), tag('holding-register', 5), tag('holding-register', 6)])).toEqual([
      ['holding-register', 5, 2, [0, 0, 1]],
    ]);
  });

  it('refuses a tag larger than one request allows', () => {
    expect(() => planReads([tag('holding-register', 0, 100)], { ...limits, maxRegisters: 50 })).toThrow(
      'exceeds the limit of 50',
    );
  });
});
