import { numberedOutputCount, outputPorts } from '@tagflow/flow-model';
import type { FlowNode, OverflowPolicy } from '@tagflow/flow-model';
import type {
  AnyNodeDefinition,
  Clock,
  FlowState,
  HandledOutcome,
  Message,
  NodeContext,
  NodeInstance,
  NodeStatus,
  Outbox,
  OutboxOptions,
  ResourceHandle,
  SendOptions,
} from '@tagflow/node-sdk';
import type { Activity, TrackedNode } from './activity';
import type { FilesFolder } from './files-folder';
import { HandledTracker } from './handled-tracker';
import type { HandledFailure } from './handled-tracker';
import { MessageQueue } from './message-queue';
import { NodeClock } from './node-clock';
import { closeWithin, taggedLogger } from './close-within';
import type { EngineLogger, NodeCounters, TapListener } from './types';

/** What a runner needs from the engine that owns it. */
export interface RunnerHost {
  readonly flowId: string;
  readonly logger: EngineLogger;
  readonly clock: Clock;
  routeError(runner: NodeRunner, err: unknown, msg: Message | undefined): void;
  debug(runner: NodeRunner, data: unknown, topic?: string): void;
  status(runner: NodeRunner, status: NodeStatus): void;
  resource(runner: NodeRunner, id: string): ResourceHandle<unknown>;
  outbox(runner: NodeRunner, options: OutboxOptions | undefined): Promise<Outbox<unknown>>;
  readonly dataDir: string;
  /** The files folder; each node gets its own view (`NodeContext.files`). */
  readonly files: FilesFolder;
  /** Which node's code runs now (shared by every runner of the engine). */
  readonly activity: Activity;
  /** The error of a message dropped at `runner` for making more hops than the flow allows. */
  hopLimitError(runner: NodeRunner): Error;
  /** The context scopes `runner` sees. */
  context(runner: NodeRunner): FlowState;
  /** The runtime's value of a variable, or undefined. */
  variable(name: string): string | undefined;
}

/** An input port of a node that an output port is wired to. */
export interface Target {
  runner: NodeRunner;
  port: string;
}

interface Pending {
  msg: Message;
  port: string;
  /** Hops the message made to get here (see `HOPS`). */
  hops: number;
  /** Set when the message is followed for its source's `onHandled`. */
  tracker: HandledTracker | undefined;
}

/** Sends a source may make before `send` returns false and asks it to yield to the event loop. */
export const BURST_LIMIT = 1024;
/** Synchronous hops before delivery continues on a later turn (bounds the stack in looping flows). */
export const MAX_SYNC_DEPTH = 64;
export const DEFAULT_QUEUE_SIZE = 1000;
/**
 * Where a message carries its hop count across event-loop turns: an enumerable symbol key, so
 * that spread and `Object.assign` copies keep it and JSON never shows it.
 */
export const HOPS: unique symbol = Symbol('tagflow.hops');
/**
 * Hops from which a send writes `HOPS` on the message. Shorter trips never carry it: a write per
 * hop costs on the hot path, and a message of an ordinary flow then looks exactly as the node
 * built it (test assertions compare messages with `toEqual`, which sees symbol keys).
 */
export const STAMP_FROM_HOPS = 16;

// Delivery is synchronous along edges while nodes answer synchronously: one function call per hop,
// no promise and no clone. `Activity.depth` counts the nesting of those calls across the engine's
// runners. The hot path (send -> receive -> invoke -> the next node) is inlined by V8 as a whole
// within a bytecode budget: rare branches are method calls, so that more hops fit in it.

/**
 * Runs one node of a deployed flow: its context, its input queue, its counters. The engine wires
 * runners together and replaces them on redeploy; a runner lives as long as its node is unchanged.
 */
export class NodeRunner implements TrackedNode {
  readonly id: string;
  readonly type: string;
  activityIndex = -1;
  enteredAtMs = 0;
  readonly counters: NodeCounters = { in: 0, out: 0, errors: 0, dropped: 0, queued: 0 };
  /** Output port name -> wired input ports. Replaced whole on rewiring. */
  routes = new Map<string, Target[]>();
  /** Nodes upstream of this one, paused while this node's queue is full (policy `block`). */
  private upstream: NodeRunner[] = [];
  /** Error handlers (catch nodes) whose scope includes this node. */
  catchers: NodeRunner[] = [];
  /** Status watchers (status nodes) whose scope includes this node. */
  statusWatchers: NodeRunner[] = [];
  lastStatus: NodeStatus | undefined;
  instance: NodeInstance | undefined;
  /** Routes what the node sends on a port without fixed targets (a link-out's returns); true when handled. */
  fallbackRoute: ((port: string, msg: Message, hops: number) => boolean) | undefined;

  private outTargets: Target[] | undefined;
  private handler: ((msg: Message, port: string) => void | Promise<void>) | undefined;
  private readonly queue = new MessageQueue<Pending>();
  private readonly queueSize: number;
  private readonly overflow: OverflowPolicy;
  private busy = false;
  /** Set while a redeploy replaces this node: input is queued, not processed. */
  private holding = false;
  /** Hops of the last message this node began to handle; its sends from timers count from it. */
  private lastHops = 0;
  /** The tracker of the message this node handles now, while it handles one sent with `onHandled`. */
  private tracker: HandledTracker | undefined = undefined;
  private busyWaiters: Array<() => void> = [];
  private drainScheduled = false;
  private saturated = false;
  private pausedBy = 0;
  private burst = 0;
  private wakeWaiters: Array<() => void> = [];
  private settleWaiters: Array<() => void> = [];
  private taps: Map<string, TapListener[]> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private lastDropWarning = 0;
  private readonly abort = new AbortController();
  /** Resolves once the node is wired and started: resource listeners wait for it. */
  private readonly started: Promise<void>;
  private markStarted!: () => void;
  /** Removes this node's resource listeners when it closes (the connection outlives the node). */
  private readonly detachers: Array<() => void> = [];
  private readonly nodeClock: NodeClock;
  private readonly activity: Activity;
  /** The ports this node may send on: its type's, with those its config numbers (`out1` … `outN`). */
  private readonly outputs: readonly string[];
  readonly context: NodeContext;

  constructor(
    readonly node: FlowNode,
    readonly definition: AnyNodeDefinition,
    private readonly host: RunnerHost,
  ) {
    this.id = node.id;
    this.type = node.type;
    this.queueSize = node.queue?.size ?? DEFAULT_QUEUE_SIZE;
    this.overflow = node.queue?.overflow ?? 'block';
    this.activity = host.activity;
    this.outputs = outputPorts(definition, node.config);
    this.nodeClock = new NodeClock(host.clock, (callback) => this.activity.run(this, callback));
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.context = this.makeContext();
  }

  /** Runs the definition's `create`; throws what it throws (the deploy then fails as a whole). */
  async create(): Promise<void> {
    const instance = await this.definition.create(this.context);
    this.instance = instance ?? {};
    this.handler = this.instance.onMessage?.bind(this.instance);
  }

  /** Lets a source begin emitting; its failure is reported as the node's error. */
  async start(): Promise<void> {
    this.markStarted();
    const instance = this.instance;
    if (this.closed || !instance?.start) return;
    try {
      await this.activity.run(this, () => instance.start?.());
    } catch (err) {
      this.host.routeError(this, err, undefined);
    }
  }

  /**
   * Runs the instance's `onTrigger` (a person pressed the node's inject button) once the node has
   * started; false when the instance has none. Its failure is reported as the node's error.
   */
  async trigger(): Promise<boolean> {
    const instance = this.instance;
    if (this.closed || !instance?.onTrigger) return false;
    await this.started;
    if (this.closed) return false;
    try {
      await this.activity.run(this, () => instance.onTrigger?.());
    } catch (err) {
      this.host.routeError(this, err, undefined);
    }
    return true;
  }

  setRoutes(routes: Map<string, Target[]>): void {
    this.routes = routes;
    this.outTargets = routes.get('out');
  }

  /** Replaces the set of upstream nodes, moving any pause this node holds on them. */
  setUpstream(upstream: NodeRunner[]): void {
    if (this.saturated) for (const u of this.upstream) u.resume();
    this.upstream = upstream;
    if (this.saturated) for (const u of this.upstream) u.pause();
  }

  /**
   * Delivers a message to one of this node's input ports, after `hops` hops (upstream `send`
   * knows them; a message from outside the flow counts from what it carries).
   */
  receive(msg: Message, port: string, hops: number): void {
    if (this.closed) {
      this.counters.dropped++;
      return;
    }
    this.counters.in++;
    // Past MAX_SYNC_DEPTH, or once the turn's quantum is spent (`Activity.depth`), carry on later.
    if (this.busy || this.holding || this.queue.length !== 0 || this.activity.depth >= MAX_SYNC_DEPTH) {
      this.enqueue(msg, port, hops);
      return;
    }
    this.invoke(msg, port, hops);
  }

  /** `receive` for a message followed by `tracker`: kept apart so that `receive` stays lean. */
  receiveTracked(msg: Message, port: string, hops: number, tracker: HandledTracker): void {
    if (this.closed) {
      this.counters.dropped++;
      tracker.fail(this.failure('closed', 'the node was stopped before it received the message'));
      return;
    }
    this.counters.in++;
    tracker.hold();
    if (this.busy || this.holding || this.queue.length !== 0 || this.activity.depth >= MAX_SYNC_DEPTH) {
      this.enqueue(msg, port, hops, tracker);
      return;
    }
    this.invokeTracked(msg, port, hops, tracker);
  }

  /** Tells the sources of messages queued here, dropped by a redeploy that removed this node, why. */
  discardPending(pending: Pending[]): void {
    const outcome = this.failure('closed', 'a redeploy removed the node with the message still queued');
    for (const item of pending) item.tracker?.fail(outcome);
  }

  /**
   * Stops starting new messages and waits (at most `timeoutMs`) for the one in progress, so a
   * redeploy can hand the queue to a replacement without reordering or losing anything.
   */
  async quiesce(timeoutMs: number): Promise<void> {
    this.holding = true;
    if (!this.busy) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.busyWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.host.logger.warn(
            { node: this.id, type: this.type, timeoutMs },
            'node still busy with a message; replacing it anyway',
          );
          resolve();
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Adds messages carried over from the runner this one replaces, ahead of anything new. */
  adoptPending(pending: Pending[]): void {
    for (const item of pending) this.enqueue(item.msg, item.port, item.hops, item.tracker);
  }

  /** Hands over queued, not yet started deliveries (when this runner is replaced). */
  takePending(): Pending[] {
    const pending = this.queue.takeAll();
    this.counters.queued = 0;
    this.updateSaturation();
    return pending;
  }

  tap(port: string, listener: TapListener): () => void {
    this.taps ??= new Map();
    const list = this.taps.get(port) ?? [];
    list.push(listener);
    this.taps.set(port, list);
    return () => {
      const current = this.taps?.get(port);
      if (!current) return;
      const index = current.indexOf(listener);
      if (index >= 0) current.splice(index, 1);
      if (current.length === 0) this.taps?.delete(port);
      if (this.taps?.size === 0) this.taps = undefined;
    };
  }

  /** True when nothing is queued or in progress. */
  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  /** Resolves when the node has finished everything queued so far. */
  settled(): Promise<void> {
    if (this.idle || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** Stops the node: aborts its signal, cancels its timers, calls `close` within `timeoutMs`. */
  close(timeoutMs: number): Promise<void> {
    this.closing ??= this.doClose(timeoutMs);
    return this.closing;
  }

  private async doClose(timeoutMs: number): Promise<void> {
    this.closed = true;
    this.markStarted();
    this.abort.abort();
    this.nodeClock.close();
    if (this.saturated) {
      this.saturated = false;
      for (const u of this.upstream) u.resume();
    }
    for (const detach of this.detachers.splice(0)) detach();
    this.wake();
    this.settle();
    this.failTracked();
    const instance = this.instance;
    if (!instance?.close) return;
    await closeWithin(() => instance.close?.(), timeoutMs, this.host.logger, { node: this.id, type: this.type });
  }

  private invoke(msg: Message, port: string, hops: number): void {
    const handler = this.handler;
    if (!handler) return;
    let result: void | Promise<void>;
    const activity = this.activity;
    const outer = activity.enter(this);
    // What the node sends while it handles this message counts from it; so does what an async
    // handler sends later, as it is the only one in progress until it settles (`busy`).
    this.lastHops = hops;
    activity.depth++;
    try {
      result = handler(msg, port);
    } catch (err) {
      this.threw(err, msg, outer);
      return;
    }
    activity.depth--;
    activity.leave(outer);
    if (result !== undefined) this.awaitResult(result, msg);
  }

  /** `invoke` for a message followed by `tracker` (see `HandledTracker`). */
  private invokeTracked(msg: Message, port: string, hops: number, tracker: HandledTracker): void {
    const handler = this.handler;
    if (!handler) {
      tracker.release();
      return;
    }
    let result: void | Promise<void>;
    const activity = this.activity;
    const outer = activity.enter(this);
    // What the node sends until this message is done joins its tracker (nested calls restore it).
    const outerTracker = this.tracker;
    this.tracker = tracker;
    this.lastHops = hops;
    activity.depth++;
    try {
      result = handler(msg, port);
    } catch (err) {
      this.tracker = outerTracker;
      this.threw(err, msg, outer);
      tracker.fail(this.failure('error', errorText(err), err));
      return;
    }
    activity.depth--;
    activity.leave(outer);
    if (result === undefined || typeof result.then !== 'function') {
      this.tracker = outerTracker;
      tracker.release();
      return;
    }
    // Busy until it settles: nothing else runs in this node meanwhile, so later sends are its own.
    this.busy = true;
    result.then(
      () => {
        this.tracker = undefined;
        tracker.release();
        this.onSettled();
      },
      (err: unknown) => {
        this.tracker = undefined;
        this.counters.errors++;
        this.host.routeError(this, err, msg);
        tracker.fail(this.failure('error', errorText(err), err));
        this.onSettled();
      },
    );
  }

  /** Fails the tracked messages this node holds as it stops: in progress and queued. */
  private failTracked(): void {
    const outcome = this.failure('closed', 'the node was stopped before it finished the message');
    this.tracker?.fail(outcome);
    this.tracker = undefined;
    this.queue.forEach((item) => item.tracker?.fail(outcome));
  }

  private failure(reason: HandledFailure['reason'], message: string, error?: unknown): HandledFailure {
    return {
      handled: false,
      reason,
      nodeId: this.id,
      message,
      ...(error === undefined ? {} : { error }),
    };
  }

  private threw(err: unknown, msg: Message, outer: TrackedNode | undefined): void {
    this.activity.depth--;
    this.activity.leave(outer);
    this.counters.errors++;
    this.host.routeError(this, err, msg);
  }

  private awaitResult(result: Promise<void>, msg: Message): void {
    if (typeof result.then !== 'function') return;
    this.busy = true;
    result.then(this.onSettled, (err: unknown) => {
      this.counters.errors++;
      this.host.routeError(this, err, msg);
      this.onSettled();
    });
  }

  private readonly onSettled = (): void => {
    this.busy = false;
    if (this.busyWaiters.length > 0) {
      const waiters = this.busyWaiters;
      this.busyWaiters = [];
      for (const w of waiters) w();
    }
    this.processQueue();
  };

  private processQueue(): void {
    const activity = this.activity;
    while (!this.busy && !this.closed && !this.holding && this.queue.length !== 0) {
      // A loop refills the queue as fast as it empties: past the turn's quantum, carry on later.
      if (activity.yielding) {
        this.scheduleDrain();
        return;
      }
      const next = this.queue.shift() as Pending;
      this.counters.queued = this.queue.length;
      this.updateSaturation();
      if (next.tracker === undefined) this.invoke(next.msg, next.port, next.hops);
      else this.invokeTracked(next.msg, next.port, next.hops, next.tracker);
    }
    if (this.idle) this.settle();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.processQueue();
    });
  }

  private enqueue(msg: Message, port: string, hops: number, tracker?: HandledTracker): void {
    const length = this.queue.length;
    if (length >= this.queueSize) {
      if (this.overflow === 'drop-newest' || (this.overflow === 'block' && length >= this.queueSize * 2)) {
        this.drop(msg, tracker);
        return;
      }
      if (this.overflow === 'drop-oldest') {
        const oldest = this.queue.shift() as Pending;
        this.drop(oldest.msg, oldest.tracker);
      }
    }
    this.queue.push({ msg, port, hops, tracker });
    this.counters.queued = this.queue.length;
    this.updateSaturation();
    if (!this.busy && !this.holding) this.scheduleDrain();
  }

  private drop(msg: Message, tracker?: HandledTracker): void {
    tracker?.fail(this.failure('dropped', `the node's input queue was full (overflow policy ${this.overflow})`));
    this.counters.dropped++;
    const now = Date.now();
    if (now - this.lastDropWarning >= 5000) {
      this.lastDropWarning = now;
      const reason =
        this.overflow === 'block'
          ? 'its queue is twice full because an upstream node ignores backpressure'
          : `its queue is full (overflow policy ${this.overflow})`;
      this.host.logger.warn(
        { node: this.id, type: this.type, dropped: this.counters.dropped, queueSize: this.queueSize, topic: msg.topic },
        `node drops messages: ${reason}`,
      );
    }
  }

  private updateSaturation(): void {
    if (this.overflow !== 'block') return;
    const length = this.queue.length;
    if (!this.saturated && length >= this.queueSize) {
      this.saturated = true;
      for (const u of this.upstream) u.pause();
    } else if (this.saturated && length <= this.queueSize >> 1) {
      this.saturated = false;
      for (const u of this.upstream) u.resume();
    }
  }

  private pause(): void {
    this.pausedBy++;
  }

  private resume(): void {
    if (this.pausedBy > 0 && --this.pausedBy === 0) this.wake();
  }

  private wake(): void {
    const waiters = this.wakeWaiters;
    this.wakeWaiters = [];
    for (const w of waiters) setImmediate(w);
  }

  private settle(): void {
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * A node's `send`. The hop count of what it sends: while the engine runs the node's code, the
   * hops of the message it handles (or last handled) + 1, known to the engine without touching
   * either message (so a node may build a new message or copy one through an isolate). Later
   * (after an await), the larger of that and what the message carries (`HOPS`, kept by spread
   * copies), + 1. Both err on the high side: a message object shared by the branches of a fan-out
   * carries what the furthest branch wrote, and a node sending from a timer inherits its last
   * input's count; a loop is cut a little early, never late.
   */
  private readonly send = (msg: Message, port = 'out', options?: SendOptions): boolean => {
    if (options !== undefined || this.tracker !== undefined) return this.sendTracked(msg, port, options, false);
    if (this.closed) return false;
    const activity = this.activity;
    const hops = activity.node === this ? this.lastHops + 1 : this.laterHops(msg);
    if (hops > activity.maxHops) return this.dropLooping(msg);
    if (hops >= STAMP_FROM_HOPS) stamp(msg, hops);
    // Delivery inline (not `deliver`): this is the hottest path of the engine.
    const targets = port === 'out' ? this.outTargets : this.routes.get(port);
    this.counters.out++;
    if (this.taps !== undefined) this.notifyTaps(msg, port);
    if (targets !== undefined) {
      for (let i = 0; i < targets.length; i++) targets[i].runner.receive(msg, targets[i].port, hops);
    } else this.unwired(port, msg, hops);
    // A yielding engine queues what is sent: the queues' backpressure then pauses the source.
    return ++this.burst < BURST_LIMIT && this.pausedBy === 0;
  };

  /**
   * A source's `send` (a node with no inputs, not a catch node): it handles no message, so what it
   * sends makes its first hop. No hop arithmetic: a flooding source is the engine's hottest caller.
   */
  private readonly sendFirst = (msg: Message, port = 'out', options?: SendOptions): boolean => {
    if (options !== undefined) return this.sendTracked(msg, port, options, true);
    if (this.closed) return false;
    const targets = port === 'out' ? this.outTargets : this.routes.get(port);
    this.counters.out++;
    if (this.taps !== undefined) this.notifyTaps(msg, port);
    if (targets !== undefined) {
      for (let i = 0; i < targets.length; i++) targets[i].runner.receive(msg, targets[i].port, 1);
    } else this.unwired(port, msg, 1);
    return ++this.burst < BURST_LIMIT && this.pausedBy === 0;
  };

  /**
   * `send` of a message followed for `onHandled`, or sent while handling one (it joins that one's
   * tracker). `first`: sent by a source (see `sendFirst`).
   */
  private sendTracked(msg: Message, port: string, options: SendOptions | undefined, first: boolean): boolean {
    const parent = this.tracker;
    const onHandled = options?.onHandled;
    if (onHandled === undefined && parent === undefined)
      return first ? this.sendFirst(msg, port) : this.send(msg, port);
    const tracker =
      onHandled === undefined ? (parent as HandledTracker) : new HandledTracker(this.reporter(onHandled), parent);
    if (this.closed) {
      tracker.fail(this.failure('closed', 'the node was stopped before it sent the message'));
      return false;
    }
    const activity = this.activity;
    const hops = first ? 1 : activity.node === this ? this.lastHops + 1 : this.laterHops(msg);
    if (hops > activity.maxHops) {
      tracker.fail(this.failure('error', 'the message made more hops than the flow allows'));
      return this.dropLooping(msg);
    }
    if (hops >= STAMP_FROM_HOPS) stamp(msg, hops);
    const targets = port === 'out' ? this.outTargets : this.routes.get(port);
    this.counters.out++;
    if (this.taps !== undefined) this.notifyTaps(msg, port);
    if (targets !== undefined) {
      for (let i = 0; i < targets.length; i++) targets[i].runner.receiveTracked(msg, targets[i].port, hops, tracker);
    } else {
      if (!this.outputs.includes(port) && this.fallbackRoute === undefined)
        tracker.fail(this.failure('error', `sent on port "${port}", which node type ${this.type} does not declare`));
      this.unwired(port, msg, hops);
    }
    // A new tracker's own hold (the send) ends here: all its first deliveries are counted.
    if (onHandled !== undefined) tracker.release();
    return ++this.burst < BURST_LIMIT && this.pausedBy === 0;
  }

  /** Calls a source's `onHandled` on a microtask (never inside `send`), as the node's code. */
  private reporter(onHandled: NonNullable<SendOptions['onHandled']>): (outcome: HandledOutcome) => void {
    return (outcome) =>
      queueMicrotask(() => {
        try {
          this.activity.run(this, () => onHandled(outcome));
        } catch (err) {
          this.counters.errors++;
          this.host.routeError(this, err, undefined);
        }
      });
  }

  /** Passes `msg` to what `port` is wired to, as having made `hops` hops (error routing). */
  deliver(msg: Message, port: string, hops: number): void {
    const targets = port === 'out' ? this.outTargets : this.routes.get(port);
    this.counters.out++;
    if (this.taps !== undefined) this.notifyTaps(msg, port);
    if (targets !== undefined) {
      for (let i = 0; i < targets.length; i++) targets[i].runner.receive(msg, targets[i].port, hops);
    } else this.unwired(port, msg, hops);
  }

  private unwired(port: string, msg: Message, hops: number): void {
    if (this.outputs.includes(port)) return;
    if (this.fallbackRoute?.(port, msg, hops)) return;
    const numbered = this.definition.numberedOutputs;
    const count =
      numbered &&
      ` (config field "${numbered.countField}" gives it ${numberedOutputCount(this.definition, this.node.config)} numbered outputs)`;
    const error = new Error(`sent on port "${port}", which node type ${this.type} does not declare${count ?? ''}`);
    this.host.routeError(this, error, msg);
  }

  /** Hops of a message made for this node now (a status event): as its own sends count them. */
  nextHops(): number {
    return this.lastHops + 1;
  }

  private laterHops(msg: Message): number {
    const carried = carriedHops(msg);
    return (carried > this.lastHops ? carried : this.lastHops) + 1;
  }

  private dropLooping(msg: Message): boolean {
    this.counters.dropped++;
    this.counters.errors++;
    this.host.routeError(this, this.host.hopLimitError(this), msg);
    return this.pausedBy === 0;
  }

  private notifyTaps(msg: Message, port: string): void {
    const listeners = this.taps?.get(port);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(msg);
      } catch (err) {
        this.host.logger.error({ node: this.id, port, err }, 'a tap listener failed');
      }
    }
  }

  private readonly drain = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = () => {
        this.burst = 0;
        resolve();
      };
      if (this.pausedBy > 0 && !this.closed) this.wakeWaiters.push(done);
      else setImmediate(done);
    });

  private makeContext(): NodeContext {
    const host = this.host;
    const log = taggedLogger(host.logger, { node: this.node.id, type: this.node.type });
    return {
      id: this.node.id,
      type: this.node.type,
      name: this.node.name,
      flowId: host.flowId,
      config: deepFreeze(this.node.config ?? {}),
      // Catch and link-in nodes have no input port yet handle messages: their sends count hops.
      send:
        this.definition.inputs.length === 0 &&
        !this.definition.catches &&
        !this.definition.watchesStatus &&
        !this.definition.link
          ? this.sendFirst
          : this.send,
      drain: this.drain,
      status: (status: NodeStatus) => {
        if (this.closed) return;
        this.lastStatus = status;
        host.status(this, status);
      },
      error: (err: unknown, msg?: Message) => {
        if (this.closed) return;
        this.counters.errors++;
        host.routeError(this, err, msg);
      },
      debug: (data: unknown, source?: { topic?: string }) =>
        host.debug(this, data, typeof source?.topic === 'string' ? source.topic : undefined),
      log,
      clock: this.nodeClock,
      signal: this.abort.signal,
      resource: <R>(id: string) => this.resourceHandle(id) as ResourceHandle<R>,
      outbox: <T>(options?: OutboxOptions) => host.outbox(this, options) as Promise<Outbox<T>>,
      dataDir: host.dataDir,
      files: host.files.forNode(this.node.id),
      context: host.context(this),
      variable: (name: string) => host.variable(name),
    };
  }

  /** The node's view of a shared connection: listener failures become this node's errors. */
  private resourceHandle(id: string): ResourceHandle<unknown> {
    const shared = this.host.resource(this, id);
    const guard =
      <A>(listener: (arg: A) => void | Promise<void>) =>
      async (arg: A): Promise<void> => {
        // A node registers listeners in `create`, before it is wired: what it sends must reach the flow.
        await this.started;
        if (this.closed) return;
        try {
          await this.activity.run(this, () => listener(arg));
        } catch (err) {
          this.counters.errors++;
          this.host.routeError(this, err, undefined);
        }
      };
    return {
      get current() {
        return shared.current;
      },
      ready: (signal) => shared.ready(signal ?? this.abort.signal),
      onConnect: (listener) => {
        const detach = shared.onConnect(guard(listener));
        this.detachers.push(detach);
        return detach;
      },
      onDisconnect: (listener) => {
        const detach = shared.onDisconnect((reason) => void guard(listener)(reason));
        this.detachers.push(detach);
        return detach;
      },
    };
  }
}

/** The hop count a message carries (0 when it carries none). */
export function carriedHops(msg: Message): number {
  const hops = (msg as { [HOPS]?: unknown })[HOPS];
  return typeof hops === 'number' ? hops : 0;
}

function stamp(msg: Message, hops: number): void {
  // Reflect.set: a frozen message keeps its old count (no throw); the engine's own count of
  // synchronous hops still cuts a synchronous loop.
  Reflect.set(msg, HOPS, hops);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
