import { DebugLog } from '../src/state';
import type { DebugEvent } from '../src/state';

const event = (i: number, nodeId = 'show'): DebugEvent => ({ nodeId, data: i, time: 1000 + i });

describe('DebugLog', () => {
  it('keeps the latest entries up to its capacity, oldest first, counting those dropped', () => {
    const log = new DebugLog(3);
    for (let i = 1; i <= 5; i += 1) log.add(event(i));
    expect(log.entries().map((e) => e.data)).toStrictEqual([3, 4, 5]);
    expect(log.size).toBe(3);
    expect(log.droppedCount).toBe(2);
  });

  it('filters by node', () => {
    const log = new DebugLog();
    log.add(event(1, 'a'));
    log.add(event(2, 'b'));
    log.add(event(3, 'a'));
    expect(log.entries({ nodeId: 'a' }).map((e) => e.data)).toStrictEqual([1, 3]);
    expect(log.entries({ nodeId: 'zzz' })).toStrictEqual([]);
  });

  it('while paused counts new entries without keeping them', () => {
    const log = new DebugLog();
    log.add(event(1));
    log.pause();
    log.add(event(2));
    log.add(event(3));
    expect(log.paused).toBe(true);
    expect(log.entries().map((e) => e.data)).toStrictEqual([1]);
    expect(log.missedWhilePaused).toBe(2);
    expect(log.droppedCount).toBe(2);
    log.resume();
    log.add(event(4));
    expect(log.entries().map((e) => e.data)).toStrictEqual([1, 4]);
  });

  it('clear empties the log and its counters; revision moves on every change', () => {
    const log = new DebugLog(2);
    const r0 = log.revision;
    for (let i = 0; i < 4; i += 1) log.add(event(i));
    expect(log.revision).toBeGreaterThan(r0);
    log.clear();
    expect(log.entries()).toStrictEqual([]);
    expect(log.droppedCount).toBe(0);
    log.add(event(9));
    expect(log.entries().map((e) => e.data)).toStrictEqual([9]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new DebugLog(0)).toThrow(RangeError);
  });
});
