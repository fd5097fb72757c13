import { DEFAULT_MAX_HOPS } from '@tagflow/flow-model';

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
  /** When the engine last entered the node (its coarse clock, ms since the Unix epoch). */
  enteredAtMs: number;
}

/** Node entries between two reads of the clock within one event-loop turn. */
export const CLOCK_EVERY_ENTRIES = 64;
/**
 * Synchronous work the engine does in one event-loop turn before it yields: past it, deliveries
 * queue and continue on a later turn, so timers, I/O and heartbeats run under a flood or a loop.
 */
export const QUANTUM_MS = 5;
/** Added to `Activity.depth` while yielding: more than any real nesting. */
const YIELD_DEPTH = 1 << 20;

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
 * `CLOCK_EVERY_ENTRIES` entries, so `enteredAtMs` may be early by what 64 entries take. The shared
 * slots get plain stores: a watchdog samples them seconds apart and needs them eventually, not
 * in order, and a plain store to shared memory reaches other threads within microseconds.
 */
export class Activity {
  node: TrackedNode | undefined = undefined;
  /** The running flow's `settings.maxHops`. */
  maxHops = DEFAULT_MAX_HOPS;
  /** Set once this turn's quantum is spent: deliveries queue until the next turn. */
  yielding = false;
  /**
   * Nesting of synchronous deliveries (a node's `send` runs the next node inside it), plus
   * `YIELD_DEPTH` while yielding: one comparison in `receive` then covers both reasons to queue.
   */
  depth = 0;
  /** The engine's coarse clock (ms since the Unix epoch), see above. */
  nowMs = 0;
  private entries = 0;
  /** Entries left before the next clock read; 0 when no turn is open, so the next entry reads it. */
  private untilTick = 0;
  private turnOpen = false;
  private turnStartMs = 0;

  constructor(readonly shared: Int32Array | undefined) {
    if (shared !== undefined) {
      if (shared.length < 2) throw new RangeError('the engine activity array needs at least 2 slots');
      Atomics.store(shared, ACTIVITY_PROGRESS, 0);
      Atomics.store(shared, ACTIVITY_NODE, NO_NODE);
    }
  }

  // enter and leave run at every delivery, inlined into the node code that sends: every byte
  // here is taken from V8's inlining budget of the whole chain, so the rare paths are calls.

  /** Marks `node` as running; returns the node it interrupts, which `leave` restores. */
  enter(node: TrackedNode): TrackedNode | undefined {
    const outer = this.node;
    this.node = node;
    if (--this.untilTick <= 0) this.tick();
    node.enteredAtMs = this.nowMs;
    if (this.shared !== undefined) this.publish(node, true);
    return outer;
  }

  leave(outer: TrackedNode | undefined): void {
    this.node = outer;
    if (this.shared !== undefined) this.publish(outer, false);
  }

  /** Runs `fn` as code of `node` (a start, a resource listener, a timer callback). */
  run<T>(node: TrackedNode, fn: () => T): T {
    const outer = this.enter(node);
    try {
      return fn();
    } finally {
      this.leave(outer);
    }
  }

  private publish(node: TrackedNode | undefined, entering: boolean): void {
    const shared = this.shared as Int32Array;
    // Wraps at 2^31: a reader compares for change, not size.
    if (entering) shared[ACTIVITY_PROGRESS] = this.entries = (this.entries + 1) | 0;
    shared[ACTIVITY_NODE] = node === undefined ? NO_NODE : node.activityIndex;
  }

  // A turn ends with the setImmediate scheduled when it began: work queued for "later" by a
  // yielding engine is scheduled after it, so it runs on a new turn, after timers and I/O.
  private tick(): void {
    const now = Date.now();
    this.nowMs = now;
    this.untilTick = CLOCK_EVERY_ENTRIES;
    if (!this.turnOpen) {
      this.turnOpen = true;
      this.turnStartMs = now;
      setImmediate(this.endTurn);
    } else if (!this.yielding && now - this.turnStartMs >= QUANTUM_MS) {
      this.yielding = true;
      this.depth += YIELD_DEPTH;
    }
  }

  private readonly endTurn = (): void => {
    this.turnOpen = false;
    this.untilTick = 0;
    if (this.yielding) {
      this.yielding = false;
      this.depth -= YIELD_DEPTH;
    }
  };
}
