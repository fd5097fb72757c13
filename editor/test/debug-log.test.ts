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

  it('filters by text, case-insensitively, in the data, the node id and the name', () => {
    const log = new DebugLog();
    log.add({ nodeId: 'a', data: { alarm: 'HIGH', value: 43 }, time: 1 });
    log.add({ nodeId: 'b', name: 'Pump flow', data: 41.2, time: 2 });
    log.add({ nodeId: 'c', data: 'door open', time: 3 });
    expect(log.entries({ text: 'high' }).map((e) => e.nodeId)).toStrictEqual(['a']);
    expect(log.entries({ text: 'pump' }).map((e) => e.nodeId)).toStrictEqual(['b']);
    expect(log.entries({ text: 'DOOR', nodeId: 'c' }).map((e) => e.nodeId)).toStrictEqual(['c']);
    expect(log.entries({ text: 'door', nodeId: 'a' })).toStrictEqual([]);
    expect(log.entries({ text: '  ' })).toHaveLength(3);
  });

  it('keeps pinned entries through clear() and overflow, until unpinned', () => {
    const log = new DebugLog(2);
    const keep = event(1);
    log.add(keep);
    log.pin(keep);
    log.pin(keep); // pinning twice keeps one
    for (let i = 2; i <= 5; i += 1) log.add(event(i));
    expect(log.entries().map((e) => e.data)).toStrictEqual([4, 5]);
    expect(log.pinned()).toStrictEqual([keep]);
    expect(log.isPinned(keep)).toBe(true);
    log.clear();
    expect(log.entries()).toStrictEqual([]);
    expect(log.pinned()).toStrictEqual([keep]);
    expect(log.pinned({ text: 'nothing like it' })).toStrictEqual([]);
    log.unpin(keep);
    expect(log.pinned()).toStrictEqual([]);
  });
});
