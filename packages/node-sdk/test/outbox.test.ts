import { ackSent } from '../src/outbox';
import type { Outbox } from '../src/outbox';

/** A drop-oldest buffer in memory, enough to watch what `ackSent` removes. */
function memoryOutbox(items: number[]) {
  const box = {
    items: [...items],
    dropped: 0,
    dropOldest(count: number) {
      box.items.splice(0, count);
      box.dropped += count;
    },
    peek: (max: number) => box.items.slice(0, max),
    ack: (count: number) => {
      box.items.splice(0, count);
      return Promise.resolve();
    },
  };
  return box;
}

describe('ackSent', () => {
  it('removes what was sent when nothing was dropped meanwhile', async () => {
    const box = memoryOutbox([1, 2, 3, 4, 5]);
    const before = box.dropped;
    const sent = box.peek(3);
    await ackSent(box as unknown as Outbox<number>, sent.length, before);
    expect(box.items).toEqual([4, 5]);
  });

  it('keeps the items never sent when a full buffer dropped some of the sent ones meanwhile', async () => {
    const box = memoryOutbox([1, 2, 3, 4, 5]);
    const before = box.dropped;
    const sent = box.peek(3); // 1, 2, 3 under way
    box.dropOldest(2); // 1 and 2 dropped while under way
    await ackSent(box as unknown as Outbox<number>, sent.length, before);
    expect(box.items).toEqual([4, 5]);
  });

  it('removes nothing when more than was sent was dropped', async () => {
    const box = memoryOutbox([1, 2, 3, 4, 5]);
    const before = box.dropped;
    const sent = box.peek(2);
    box.dropOldest(3);
    await ackSent(box as unknown as Outbox<number>, sent.length, before);
    expect(box.items).toEqual([4, 5]);
  });
});
