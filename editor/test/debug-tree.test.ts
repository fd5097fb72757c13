import { childPath, NodeErrorTally, previewValue, treeChildren } from '../src/state';

describe('debug value tree', () => {
  it('makes Node-RED style paths', () => {
    expect(childPath('payload', 'values')).toBe('payload.values');
    expect(childPath('payload.values', 2)).toBe('payload.values[2]');
    expect(childPath('', 'payload')).toBe('payload');
    expect(childPath('payload', 'flow rate')).toBe('payload["flow rate"]');
    expect(childPath('payload', '2nd')).toBe('payload["2nd"]');
  });

  it('lists the children of objects and arrays with their paths, none of scalars', () => {
    expect(treeChildren({ a: 1, b: [true] }, 'payload')).toStrictEqual([
      { key: 'a', value: 1, path: 'payload.a' },
      { key: 'b', value: [true], path: 'payload.b' },
    ]);
    expect(treeChildren([10, 20], 'payload.values')).toStrictEqual([
      { key: 0, value: 10, path: 'payload.values[0]' },
      { key: 1, value: 20, path: 'payload.values[1]' },
    ]);
    expect(treeChildren(3, 'payload')).toStrictEqual([]);
    expect(treeChildren(null, 'payload')).toStrictEqual([]);
  });

  it('previews values on one line', () => {
    expect(previewValue([1, 2, 3])).toBe('array[3]');
    expect(previewValue({ alarm: 'high', state: 'raised' })).toBe('{ alarm, state }');
    expect(previewValue({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })).toBe('{ a, b, c, d, e, … }');
    expect(previewValue({})).toBe('{}');
    expect(previewValue('pump')).toBe('"pump"');
    expect(previewValue(undefined)).toBe('undefined');
    expect(previewValue('x'.repeat(100), 10)).toBe(`"${'x'.repeat(8)}…`);
  });
});

describe('NodeErrorTally', () => {
  it('counts the errors of the last minute per node, with the latest message', () => {
    const tally = new NodeErrorTally(60_000);
    tally.add('fn', 'boom 1', 1_000);
    tally.add('fn', 'boom 2', 30_000);
    tally.add('other', 'x', 30_000);
    expect(tally.recent('fn', 40_000)).toStrictEqual({ count: 2, last: 'boom 2', lastTime: 30_000 });
    expect(tally.recent('fn', 61_500)).toStrictEqual({ count: 1, last: 'boom 2', lastTime: 30_000 });
    expect(tally.recent('fn', 100_000)).toBeUndefined();
    expect(tally.recent('nobody', 1)).toBeUndefined();
    tally.clear('fn');
    expect(tally.recent('fn', 40_000)).toBeUndefined();
    expect(tally.recent('other', 40_000)?.count).toBe(1);
  });
});
