/** Slots of `EngineOptions.activity`, the array another thread reads to see what the engine does. */
export const ACTIVITY_PROGRESS = 0;
export const ACTIVITY_NODE = 1;
/** `activity[ACTIVITY_NODE]` when no node code is running. */
export const NO_NODE = -1;

/** A node as the tracker sees it: its position in `Engine.nodeIds()` and what to report. */
export interface TrackedNode {
  readonly id: string;
  readonly type: string;
  /** Index into `Engine.nodeIds()`, set on each deploy's wiring. */
  activityIndex: number;
}

/** Node entries between two reads of the clock within one event-loop turn. */
export const CLOCK_EVERY_ENTRIES = 64;

/**
 * Which node's code the engine is running synchronously now, one per engine, shared by its runners.
 * Delivery is nested (a node's `send` runs the next node inside it), so entering saves the outer
 * node and leaving restores it. A thread blocked in a node cannot answer anyone, so when the
 * engine is given a shared array it also writes there what a watchdog on another thread needs: a
 * progress counter that freezes when the engine is stuck, and the node it is in.
 *
 * This runs at every delivery, so it reads no clock and uses no barrier per entry: `Date.now()`
 * costs 230 ns on some virtual machines (a hop costs about 150 ns) and `Atomics.store` is a full
 * barrier (about 40 ns). The clock is read once per event-loop turn and every
 * `CLOCK_EVERY_ENTRIES` entries, so `sinceMs` may be early by what 64 entries take. The shared
 * slots get plain stores: a watchdog samples them seconds apart and needs them eventually, not
 * in order, and a plain store to shared memory reaches other threads within microseconds.
 */
export class Activity {
  node: TrackedNode | undefined = undefined;
  sinceMs = 0;
  /** The engine's coarse clock (ms since the Unix epoch), see above. */
  nowMs = 0;
  private entries = 0;
  private turnOpen = false;

  constructor(readonly shared: Int32Array | undefined) {
    if (shared !== undefined) {
      if (shared.length < 2) throw new RangeError('the engine activity array needs at least 2 slots');
      Atomics.store(shared, ACTIVITY_PROGRESS, 0);
      Atomics.store(shared, ACTIVITY_NODE, NO_NODE);
    }
  }

  /** Marks `node` as running; returns the node it interrupts, which `leave` restores. */
  enter(node: TrackedNode): TrackedNode | undefined {
    const outer = this.node;
    this.node = node;
    // Wraps at 2^31: a reader compares for change, not size.
    const entries = (this.entries = (this.entries + 1) | 0);
    if (!this.turnOpen || (entries & (CLOCK_EVERY_ENTRIES - 1)) === 0) this.tick();
    this.sinceMs = this.nowMs;
    const shared = this.shared;
    if (shared !== undefined) {
      shared[ACTIVITY_PROGRESS] = entries;
      shared[ACTIVITY_NODE] = node.activityIndex;
    }
    return outer;
  }

  leave(outer: TrackedNode | undefined, outerSinceMs: number): void {
    this.node = outer;
    this.sinceMs = outerSinceMs;
    const shared = this.shared;
    if (shared !== undefined) shared[ACTIVITY_NODE] = outer === undefined ? NO_NODE : outer.activityIndex;
  }

  /** Runs `fn` as code of `node` (a start, a resource listener, a timer callback). */
  run<T>(node: TrackedNode, fn: () => T): T {
    const outerSinceMs = this.sinceMs;
    const outer = this.enter(node);
    try {
      return fn();
    } finally {
      this.leave(outer, outerSinceMs);
    }
  }

  private tick(): void {
    if (!this.turnOpen) {
      this.turnOpen = true;
      setImmediate(this.endTurn);
    }
    this.nowMs = Date.now();
  }

  private readonly endTurn = (): void => {
    this.turnOpen = false;
  };
}
