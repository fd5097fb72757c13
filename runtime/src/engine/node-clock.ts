import type { Clock, Timer } from '@tagflow/node-sdk';

/** The wall clock and Node.js timers; the engine's default. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(handle) };
  },
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    return { cancel: () => clearInterval(handle) };
  },
};

/**
 * A node's view of the engine's clock that remembers the node's live timers, so the engine can
 * cancel them all when the node closes: a node that forgets to clear an interval cannot keep
 * emitting after a redeploy.
 */
export class NodeClock implements Clock {
  private readonly live = new Set<Timer>();
  private closed = false;

  /** `around` runs each timer callback (the engine marks the node as running while it does). */
  constructor(
    private readonly base: Clock,
    private readonly around: (callback: () => void) => void = (callback) => callback(),
  ) {}

  now(): number {
    return this.base.now();
  }

  setTimeout(callback: () => void, ms: number): Timer {
    if (this.closed) return { cancel: () => undefined };
    const timer: Timer = {
      cancel: () => {
        this.live.delete(timer);
        inner.cancel();
      },
    };
    const inner = this.base.setTimeout(() => {
      this.live.delete(timer);
      this.around(callback);
    }, ms);
    this.live.add(timer);
    return timer;
  }

  setInterval(callback: () => void, ms: number): Timer {
    if (this.closed) return { cancel: () => undefined };
    const inner = this.base.setInterval(() => this.around(callback), ms);
    const timer: Timer = {
      cancel: () => {
        this.live.delete(timer);
        inner.cancel();
      },
    };
    this.live.add(timer);
    return timer;
  }

  /** Cancels every live timer; later requests make no timers. */
  close(): void {
    this.closed = true;
    for (const timer of [...this.live]) timer.cancel();
  }
}
