import { PublishWindow } from '../src/publish-window';
import type { WindowOutbox } from '../src/publish-window';

/** An outbox in memory, with drop-oldest by hand. */
class MemoryOutbox implements WindowOutbox<number> {
  items: number[] = [];
  acked: number[] = [];
  dropped = 0;
  peek(max: number, skip = 0): number[] {
    return this.items.slice(skip, skip + max);
  }
  ack(count: number): Promise<void> {
    this.acked.push(...this.items.splice(0, count));
    return Promise.resolve();
  }
  dropOldest(count: number): void {
    this.items.splice(0, count);
    this.dropped += count;
  }
}

/** Lets queued microtasks (the window's refill after confirmations) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function windowOver(
  outbox: MemoryOutbox,
  maxInFlight: number,
  ackEvery: number,
  syncConfirm = false,
  liveMaxInFlight?: number,
) {
  const sent: number[] = [];
  const pending = new Map<number, (err?: Error) => void>();
  const w = new PublishWindow<number>({
    outbox,
    maxInFlight,
    liveMaxInFlight,
    ackEvery,
    now: () => 0,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    send: (item, done) => {
      sent.push(item);
      if (syncConfirm) done();
      else pending.set(item, done);
    },
  });
  const confirm = (...items: number[]) => {
    for (const i of items) pending.get(i)!();
  };
  return { w, sent, confirm, pending };
}

describe('publish window', () => {
  it('keeps at most maxInFlight under way and sends the next as soon as one is confirmed', async () => {
    const outbox = new MemoryOutbox();
    outbox.items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const { w, sent, confirm } = windowOver(outbox, 4, 3);
    w.fill();
    expect(sent).toEqual([0, 1, 2, 3]);
    confirm(0);
    await settle();
    // Sent at once, though not yet acknowledged (fewer than ackEvery confirmed).
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    expect(outbox.acked).toEqual([]);
    confirm(1, 2);
    await settle();
    expect(outbox.acked).toEqual([0, 1, 2]);
    expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(w.inFlight).toBe(4);
  });

  it('replays what the outbox held at maxInFlight, and goes to liveMaxInFlight once caught up', async () => {
    const outbox = new MemoryOutbox();
    outbox.items = [0, 1, 2, 3, 4, 5];
    const { w, sent, confirm } = windowOver(outbox, 2, 1, false, 4);
    w.fill();
    expect(sent).toEqual([0, 1]);
    // Items pushed during the replay queue behind it, at the replay's pace.
    outbox.items.push(6);
    confirm(0, 1);
    await settle();
    expect(sent).toEqual([0, 1, 2, 3]);
    confirm(2, 3);
    await settle();
    expect(sent).toEqual([0, 1, 2, 3, 4, 5]);
    expect(w.inFlight).toBe(2);
    confirm(4, 5);
    await settle();
    // Caught up: 6 went, and the window now has room for four.
    expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6]);
    outbox.items.push(7, 8, 9, 10, 11);
    w.fill();
    expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(w.inFlight).toBe(4);
  });

  it('sends at liveMaxInFlight from the start when the outbox starts empty', () => {
    const outbox = new MemoryOutbox();
    const { w, sent } = windowOver(outbox, 2, 1, false, 5);
    w.fill();
    outbox.items.push(0, 1, 2, 3, 4, 5, 6);
    w.fill();
    expect(sent).toEqual([0, 1, 2, 3, 4]);
  });

  it('acknowledges the outbox in order only: a later confirmation waits for the earlier ones', async () => {
    const outbox = new MemoryOutbox();
    outbox.items = [0, 1, 2, 3];
    const { w, confirm } = windowOver(outbox, 10, 1);
    w.fill();
    confirm(2, 3, 1);
    await settle();
    expect(outbox.acked).toEqual([]);
    expect(w.waitingFor()).toBe(0);
    confirm(0);
    await settle();
    expect(outbox.acked).toEqual([0, 1, 2, 3]);
    expect(w.inFlight).toBe(0);
  });

  it('acknowledges what the socket took at once (QoS 0) in batches, and drains a backlog', () => {
    const outbox = new MemoryOutbox();
    outbox.items = Array.from({ length: 1000 }, (_, i) => i);
    const acks: number[] = [];
    const ack = outbox.ack.bind(outbox);
    outbox.ack = (count) => {
      acks.push(count);
      return ack(count);
    };
    const { w, sent } = windowOver(outbox, 300, 100, true);
    w.fill();
    expect(sent).toEqual(outbox.acked);
    expect(outbox.acked.length).toBe(1000);
    expect(Math.max(...acks)).toBeLessThanOrEqual(300);
    expect(acks.length).toBeLessThan(20);
  });

  it('takes items pushed later when filled again', async () => {
    const outbox = new MemoryOutbox();
    outbox.items = [0, 1];
    const { w, sent, confirm } = windowOver(outbox, 10, 5);
    w.fill();
    outbox.items.push(2, 3);
    w.fill();
    expect(sent).toEqual([0, 1, 2, 3]);
    confirm(0, 1, 2, 3);
    await settle();
    expect(outbox.acked).toEqual([0, 1, 2, 3]);
  });

  it('does not acknowledge again items a full outbox dropped while they were under way', async () => {
    const outbox = new MemoryOutbox();
    outbox.items = [0, 1, 2, 3, 4, 5];
    const { w, sent, confirm } = windowOver(outbox, 4, 1);
    w.fill();
    expect(sent).toEqual([0, 1, 2, 3]);
    outbox.dropOldest(2); // 0 and 1 are gone from the outbox, though sent
    outbox.items.push(6);
    confirm(0, 1, 2);
    await settle();
    // Only 2 was removed by an acknowledgement; 3, 4, 5, 6 stay until confirmed.
    expect(outbox.acked).toEqual([2]);
    expect(outbox.items).toEqual([3, 4, 5, 6]);
    expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('ends on a failed publish or a lost connection, leaving what is unconfirmed in the outbox', async () => {
    const outbox = new MemoryOutbox();
    outbox.items = [0, 1, 2];
    const { w, pending, confirm } = windowOver(outbox, 10, 1);
    w.fill();
    confirm(0);
    await settle();
    pending.get(1)!(new Error('connection closed'));
    await expect(w.ended).rejects.toThrow('connection closed');
    confirm(2); // too late: the window is over
    expect(outbox.items).toEqual([1, 2]);

    const again = windowOver(outbox, 10, 1);
    again.w.fill();
    again.w.fail(new Error('lost'));
    await expect(again.w.ended).rejects.toThrow('lost');
  });

  it('tells how long the oldest publish has waited without news', async () => {
    let now = 1000;
    const outbox = new MemoryOutbox();
    outbox.items = [0, 1];
    const confirms: Array<() => void> = [];
    const w = new PublishWindow<number>({
      outbox,
      maxInFlight: 10,
      ackEvery: 1,
      now: () => now,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      send: (_item, done) => confirms.push(() => done()),
    });
    expect(w.waitingFor()).toBe(0);
    w.fill();
    now = 4000;
    expect(w.waitingFor()).toBe(3000);
    confirms[0]();
    await settle();
    expect(w.waitingFor()).toBe(0);
    now = 15_000;
    expect(w.waitingFor()).toBe(11_000);
  });

  it('replays a backlog at most replayPerSecond, then sends live messages as they come', () => {
    let now = 0;
    const timers: Array<{ at: number; fn: () => void }> = [];
    const advance = (ms: number) => {
      now += ms;
      for (const t of timers.splice(0).sort((a, b) => a.at - b.at)) {
        if (t.at <= now) t.fn();
        else timers.push(t);
      }
    };
    const outbox = new MemoryOutbox();
    outbox.items = Array.from({ length: 100 }, (_, i) => i);
    const sent: number[] = [];
    // The broker confirms every publish at once: only the pace holds the replay back.
    const w = new PublishWindow<number>({
      outbox,
      maxInFlight: 20,
      liveMaxInFlight: 1000,
      replayPerSecond: 1000,
      ackEvery: 1,
      now: () => now,
      setTimeout: (fn, ms) => timers.push({ at: now + ms, fn }),
      send: (item, done) => {
        sent.push(item);
        done();
      },
    });
    w.fill();
    expect(sent).toHaveLength(20); // a burst of maxInFlight
    advance(10);
    expect(sent).toHaveLength(30); // 1000 a second: 10 in 10 ms
    for (let k = 0; k < 7; k++) advance(10);
    expect(sent).toHaveLength(100);
    expect(sent).toEqual(outbox.acked.concat(outbox.items)); // in order
    // Caught up: what the flow sends now goes at once, however much.
    outbox.items.push(...Array.from({ length: 500 }, (_, i) => 100 + i));
    w.fill();
    expect(sent).toHaveLength(600);
    expect(timers).toHaveLength(0);
  });
});
