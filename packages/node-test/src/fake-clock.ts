import type { Clock, Timer } from '@tagflow/node-sdk';

/** 2026-01-01T00:00:00.000Z: where fake time starts, so test expectations read as dates. */
export const FAKE_EPOCH = Date.UTC(2026, 0, 1);

interface Scheduled {
  due: number;
  seq: number;
  callback: () => void;
  every?: number;
  cancelled: boolean;
}

/**
 * A clock that only moves when the test says so. Timers fire in due order during `advance`, with
 * the event loop given a turn after each, so async work a timer starts completes before the next.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Scheduled[] = [];

  constructor(start = FAKE_EPOCH) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    return this.schedule(callback, Math.max(0, ms));
  }

  setInterval(callback: () => void, ms: number): Timer {
    return this.schedule(callback, Math.max(1, ms), Math.max(1, ms));
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.time = next.due;
      if (next.every !== undefined) {
        next.due += next.every;
        next.seq = this.seq++;
      } else {
        next.cancelled = true;
        this.timers = this.timers.filter((t) => t !== next);
      }
      next.callback();
      await flushEventLoop();
    }
    this.time = target;
    await flushEventLoop();
  }

  /** Number of live timers (a closed node should leave none). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  private nextDue(limit: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private schedule(callback: () => void, ms: number, every?: number): Timer {
    const entry: Scheduled = { due: this.time + ms, seq: this.seq++, callback, every, cancelled: false };
    this.timers.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
        this.timers = this.timers.filter((t) => t !== entry);
      },
    };
  }
}

/** Lets pending promise callbacks and immediates run. */
export function flushEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
