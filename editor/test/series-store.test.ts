import { numericValue, seriesKey, SeriesStore, shapeOfKind } from '../src/state';
import type { PortSample } from '../src/state';

describe('SeriesStore', () => {
  it('keeps only the last windowMs before the newest point', () => {
    const store = new SeriesStore({ windowMs: 1000 });
    for (let t = 0; t <= 3000; t += 500) store.add('avg', t, t / 100);
    expect(store.points('avg').map((p) => p.time)).toStrictEqual([2000, 2500, 3000]);
    expect(store.add('avg', 1500, 1)).toBe(false); // older than the window already
  });

  it('keeps at most maxPoints per key, dropping the oldest, keys apart', () => {
    const store = new SeriesStore({ maxPoints: 3 });
    for (let t = 1; t <= 5; t += 1) store.add('a', t, t);
    store.add('b', 1, 42);
    expect(store.points('a')).toStrictEqual([
      { time: 3, value: 3 },
      { time: 4, value: 4 },
      { time: 5, value: 5 },
    ]);
    expect(store.points('b')).toStrictEqual([{ time: 1, value: 42 }]);
    expect(store.keys()).toStrictEqual(['a', 'b']);
  });

  it('defaults to a 10 minute window and 2000 points', () => {
    const store = new SeriesStore();
    expect(store.windowMs).toBe(600_000);
    for (let i = 0; i < 2500; i += 1) store.add('x', i, i);
    expect(store.points('x')).toHaveLength(2000);
    expect(store.points('x')[0].time).toBe(500);
  });

  it('ignores values without a number and files late points in time order', () => {
    const store = new SeriesStore();
    expect(store.add('k', 1, 'text')).toBe(false);
    expect(store.keys()).toStrictEqual([]);
    store.add('k', 10, { value: 1 });
    store.add('k', 30, true);
    store.add('k', 20, 2);
    expect(store.points('k')).toStrictEqual([
      { time: 10, value: 1 },
      { time: 20, value: 2 },
      { time: 30, value: 1 },
    ]);
  });

  it('numericValue reads numbers, booleans and { value }', () => {
    expect(numericValue(3.5)).toBe(3.5);
    expect(numericValue(true)).toBe(1);
    expect(numericValue(false)).toBe(0);
    expect(numericValue({ value: 7, unit: 'bar' })).toBe(7);
    for (const v of [NaN, Infinity, '3', null, undefined, [1], { value: 'x' }, {}])
      expect(numericValue(v)).toBeUndefined();
  });

  describe('runtime samples', () => {
    const sample = (over: Partial<PortSample>): PortSample => ({
      nodeId: 'avg',
      port: 'out',
      kind: 'number',
      count: 10,
      numeric: 10,
      last: 41.5,
      min: 40,
      max: 43,
      ...over,
    });

    it('keeps the last number of each window with its min, max and count, drawn as a line', () => {
      const store = new SeriesStore();
      const key = seriesKey('avg', 'out');
      expect(store.addSample(key, 1000, sample({}))).toBe(true);
      expect(store.addSample(key, 2000, sample({ last: 42, min: 41, max: 42.5, count: 9, numeric: 9 }))).toBe(true);
      expect(store.points(key)).toStrictEqual([
        { time: 1000, value: 41.5, min: 40, max: 43, count: 10 },
        { time: 2000, value: 42, min: 41, max: 42.5, count: 9 },
      ]);
      expect(store.shape(key)).toBe('line');
      expect(seriesKey('avg', 'out')).not.toBe(seriesKey('avg', 'samples'));
    });

    it('draws booleans as steps and events (objects, texts) as markers, by the latest kind', () => {
      const store = new SeriesStore();
      store.addSample('flag', 1000, sample({ kind: 'boolean', last: 1, min: 0, max: 1 }));
      expect(store.shape('flag')).toBe('steps');
      const alarm = sample({
        kind: 'object',
        count: 1,
        numeric: 1,
        last: 43.1,
        min: 43.1,
        max: 43.1,
        text: '{"alarm":"high","state":"raised","value":43.1}',
      });
      store.addSample('alarm', 1000, alarm);
      expect(store.shape('alarm')).toBe('markers');
      expect(store.points('alarm')[0]).toMatchObject({ value: 43.1, text: alarm.text });
      // A text event has no number: a marker without a value (drawn on the axis), with its text.
      store.addSample('text', 1000, sample({ kind: 'string', numeric: 0, last: undefined, text: 'door open' }));
      expect(store.points('text')).toStrictEqual([{ time: 1000, value: NaN, count: 10, text: 'door open' }]);
      expect(store.shape('unknown')).toBe('line');
      expect([shapeOfKind('number'), shapeOfKind('boolean'), shapeOfKind('object'), shapeOfKind('other')]).toEqual([
        'line',
        'steps',
        'markers',
        'markers',
      ]);
    });

    it('skips a window of a line without a number (only NaN were sent)', () => {
      const store = new SeriesStore();
      expect(store.addSample('k', 1000, sample({ numeric: 0, last: undefined, min: undefined, max: undefined }))).toBe(
        false,
      );
      expect(store.keys()).toStrictEqual([]);
    });
  });
});
