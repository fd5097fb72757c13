import type { FlowNode, OverflowPolicy } from '@tagflow/flow-model';
import type {
  AnyNodeDefinition,
  Clock,
  Message,
  NodeContext,
  NodeInstance,
  NodeStatus,
  Outbox,
  OutboxOptions,
  ResourceHandle,
} from '@tagflow/node-sdk';
import type { Activity, TrackedNode } from './activity';
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
  /** Which node's code runs now (shared by every runner of the engine). */
  readonly activity: Activity;
}

/** An input port of a node that an output port is wired to. */
export interface Target {
  runner: NodeRunner;
  port: string;
}

interface Pending {
  msg: Message;
  port: string;
}

/** Sends a source may make before `send` returns false and asks it to yield to the event loop. */
export const BURST_LIMIT = 1024;
/** Synchronous hops before delivery continues on a later turn (bounds the stack in looping flows). */
export const MAX_SYNC_DEPTH = 64;
export const DEFAULT_QUEUE_SIZE = 1000;

// Delivery is synchronous along edges while nodes answer synchronously: one function call per hop,
// no promise and no clone. This counts the nesting of those calls across all runners.
let syncDepth = 0;

/**
 * Runs one node of a deployed flow: its context, its input queue, its counters. The engine wires
 * runners together and replaces them on redeploy; a runner lives as long as its node is unchanged.
 */
export class NodeRunner implements TrackedNode {
  readonly id: string;
  readonly type: string;
  activityIndex = -1;
  readonly counters: NodeCounters = { in: 0, out: 0, errors: 0, dropped: 0, queued: 0 };
  /** Output port name -> wired input ports. Replaced whole on rewiring. */
  routes = new Map<string, Target[]>();
  /** Nodes upstream of this one, paused while this node's queue is full (policy `block`). */
  private upstream: NodeRunner[] = [];
  /** Error handlers (catch nodes) whose scope includes this node. */
  catchers: NodeRunner[] = [];
  lastStatus: NodeStatus | undefined;
  instance: NodeInstance | undefined;

  private outTargets: Target[] | undefined;
  private handler: ((msg: Message, port: string) => void | Promise<void>) | undefined;
  private readonly queue = new MessageQueue<Pending>();
  private readonly queueSize: number;
  private readonly overflow: OverflowPolicy;
  private busy = false;
  /** Set while a redeploy replaces this node: input is queued, not processed. */
  private holding = false;
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

  /** Delivers a message to one of this node's input ports. Called by upstream `send`. */
  receive(msg: Message, port: string): void {
    if (this.closed) {
      this.counters.dropped++;
      return;
    }
    this.counters.in++;
    if (this.busy || this.holding || this.queue.length !== 0 || syncDepth >= MAX_SYNC_DEPTH) {
      this.enqueue(msg, port);
      return;
    }
    this.invoke(msg, port);
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
    for (const item of pending) this.enqueue(item.msg, item.port);
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
    const instance = this.instance;
    if (!instance?.close) return;
    await closeWithin(() => instance.close?.(), timeoutMs, this.host.logger, { node: this.id, type: this.type });
  }

  private invoke(msg: Message, port: string): void {
    const handler = this.handler;
    if (!handler) return;
    let result: void | Promise<void>;
    const activity = this.activity;
    const outerSinceMs = activity.sinceMs;
    const outer = activity.enter(this);
    syncDepth++;
    try {
      result = handler(msg, port);
    } catch (err) {
      syncDepth--;
      activity.leave(outer, outerSinceMs);
      this.counters.errors++;
      this.host.routeError(this, err, msg);
      return;
    }
    syncDepth--;
    activity.leave(outer, outerSinceMs);
    if (result !== undefined && typeof result.then === 'function') {
      this.busy = true;
      result.then(this.onSettled, (err: unknown) => {
        this.counters.errors++;
        this.host.routeError(this, err, msg);
        this.onSettled();
      });
    }
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
    while (!this.busy && !this.closed && !this.holding && this.queue.length !== 0) {
      const next = this.queue.shift() as Pending;
      this.counters.queued = this.queue.length;
      this.updateSaturation();
      this.invoke(next.msg, next.port);
    }
    if (this.idle) this.settle();
  }

  private enqueue(msg: Message, port: string): void {
    const length = this.queue.length;
    if (length >= this.queueSize) {
      if (this.overflow === 'drop-newest' || (this.overflow === 'block' && length >= this.queueSize * 2)) {
        this.drop(msg);
        return;
      }
      if (this.overflow === 'drop-oldest') {
        const oldest = this.queue.shift() as Pending;
        this.drop(oldest.msg);
      }
    }
    this.queue.push({ msg, port });
    this.counters.queued = this.queue.length;
    this.updateSaturation();
    if (!this.busy && !this.holding && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.processQueue();
      });
    }
  }

  private drop(msg: Message): void {
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

  private readonly send = (msg: Message, port = 'out'): boolean => {
    if (this.closed) return false;
    const targets = port === 'out' ? this.outTargets : this.routes.get(port);
    this.counters.out++;
    if (this.taps !== undefined) this.notifyTaps(msg, port);
    if (targets !== undefined) {
      for (let i = 0; i < targets.length; i++) targets[i].runner.receive(msg, targets[i].port);
    } else if (!this.definition.outputs.includes(port)) {
      this.host.routeError(
        this,
        new Error(`sent on port "${port}", which node type ${this.type} does not declare`),
        msg,
      );
    }
    return ++this.burst < BURST_LIMIT && this.pausedBy === 0;
  };

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
      send: this.send,
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
