import type { FlowState } from './flow-state';
import type { FilesRoot } from './files-root';
import type { Message } from './message';
import type { Outbox, OutboxOptions } from './outbox';
import type { ResourceHandle } from './resource-handle';

/** What a node shows under itself in the editor and in `tagflow status`. */
export interface NodeStatus {
  state: 'ok' | 'idle' | 'connecting' | 'reconnecting' | 'disconnected' | 'error';
  /** Short text, e.g. `12 values`, `alarm HIGH`, `connected to 10.0.0.5:502`. */
  text?: string;
  /** Messages waiting in an outbound buffer (store-and-forward publishers). */
  backlog?: number;
}

/** Structured log lines, tagged with the node's id and type by the runtime. */
export interface NodeLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

/**
 * Time, as the node must see it. Use it instead of `Date.now` and global timers: the engine clears
 * a node's timers when the node closes (no stray intervals after a redeploy), and the test harness
 * can fake it to test time windows without waiting.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): Timer;
  setInterval(callback: () => void, ms: number): Timer;
}

/**
 * What became of a message sent with `onHandled`. `handled: true`: every node it reached, and every
 * message those nodes sent while handling it, finished `onMessage` without error. Otherwise the
 * first reason found: `error` (a node on the way threw, rejected, sent on an undeclared port or
 * passed the flow's hop limit), `dropped` (a full queue dropped it), `closed` (a node holding it was
 * stopped before finishing it: the flow stopped, or a redeploy removed the node or timed out).
 */
export type HandledOutcome =
  | { handled: true }
  | {
      handled: false;
      reason: 'error' | 'dropped' | 'closed';
      /** The node where it failed. */
      nodeId: string;
      /** What happened, in words. */
      message: string;
      /** The error thrown, for `error`. */
      error?: unknown;
    };

/**
 * Options of `NodeContext.send`.
 *
 * `onHandled` contract: called exactly once per send, never before `send` returns (from a
 * microtask), as code of the sending node (an exception it throws is reported as the node's
 * error). It is called with `handled: true` once every delivery of the message has finished: each
 * node it reached returned from `onMessage` (or its Promise resolved), and so did, recursively,
 * each node reached by what those nodes sent while handling it (synchronously, or after an await
 * before their Promise settled). A message sent on a port wired to nothing is handled at once. A
 * publisher counts as handled once its `onMessage` resolved, i.e. the item is in its outbox. It is
 * called with `handled: false` as soon as one delivery fails (see `HandledOutcome`); deliveries
 * still running are not cancelled. Not followed: what a node sends after its `onMessage` settled
 * (from a timer, a later message, a resource listener), errors reported with `ctx.error`, and a
 * link-out's return to its link-call. A processor handling a tracked message that sends with its
 * own `onHandled` gets its own report, and the message it handles waits for that one too.
 */
export interface SendOptions {
  /** Told once what became of the message; see the contract above. */
  onHandled?(outcome: HandledOutcome): void;
}

/**
 * Everything a node instance may use, handed to `create`. One context per node per deploy.
 */
export interface NodeContext<Config = Record<string, unknown>> {
  /** The node's id in the flow. */
  readonly id: string;
  /** The node's type name. */
  readonly type: string;
  /** The node's label, if the author gave one. */
  readonly name?: string;
  /** The id of the running flow. */
  readonly flowId: string;
  /** The validated config, with the schema's defaults filled in. Do not mutate. */
  readonly config: Config;
  /**
   * Sends a message on an output port (default `out`) to every node wired to it, in order.
   * Returns false when the source should pause: a downstream queue is full (policy `block`) or this
   * source has sent a large burst without yielding. A source then awaits `drain()` before sending
   * more; processors may ignore the result (their sources are paused for them).
   *
   * With `options.onHandled`, the engine follows the message through the flow and reports once
   * what became of it (see `SendOptions`); without it, sending costs nothing more.
   */
  send(msg: Message, port?: string, options?: SendOptions): boolean;
  /** Resolves when this node may send again (downstream queues have room, the event loop had a turn). */
  drain(): Promise<void>;
  /** Sets the node's status; the latest one wins. */
  status(status: NodeStatus): void;
  /**
   * Reports an error that did not come from `onMessage` (a failed poll, a lost connection). It is
   * routed like a thrown error: error port, else catch nodes, else the log. `msg` is the message
   * concerned, if any.
   */
  error(err: unknown, msg?: Message): void;
  /**
   * Shows a value to the user: a JSON line from `tagflow run`, the editor's debug sidebar. `source`
   * is the message it came from, if any: its topic goes with the value (the editor's trend charts
   * find a tag's history by it).
   */
  debug(data: unknown, source?: { topic?: string }): void;
  readonly log: NodeLogger;
  readonly clock: Clock;
  /** Aborted when the node is being stopped: pass it to fetch, sockets, waits. */
  readonly signal: AbortSignal;
  /**
   * The shared connection a resource of the flow provides, by resource id (the value of the config
   * field declared in the node's `resources`), as a handle that survives reconnects. Throws a
   * NodeError if the flow has no such resource.
   */
  resource<R = unknown>(id: string): ResourceHandle<R>;
  /**
   * Opens this node's store-and-forward buffer (one per node; calling it again returns the same).
   * Items left from an earlier run of the same flow and node id are still in it.
   */
  outbox<T = unknown>(options?: OutboxOptions): Promise<Outbox<T>>;
  /**
   * The runtime's data folder (absolute path): for state a node package must keep, such as
   * certificates. Never for a file the flow's config names: that goes through `files`.
   */
  readonly dataDir: string;
  /**
   * The files folder, the only place a flow's own files are (file-out's `path`, a replay's
   * `file`): resolve and open every path from the config through it, so that a path outside it
   * (absolute, `..`, a symbolic link out) is refused with an error naming this node and the path.
   */
  readonly files: FilesRoot;
  /** The node's, the flow's and the runtime's state (Node-RED's `context`, `flow`, `global`). */
  readonly context: FlowState;
  /**
   * The runtime's value of a variable (`tagflow var set NAME VALUE`), or undefined when it has
   * none. Configs get theirs as `${NAME}` before `create`; this is for values read at run time.
   */
  variable(name: string): string | undefined;
}

/** What `create` returns: the node's behaviour for this deploy. */
export interface NodeInstance {
  /**
   * Called for each message arriving on an input port, one at a time per node, in arrival order.
   * Return nothing (or a resolved Promise) when done; throw (or reject) to report an error for this
   * message, which the engine routes. The next message is not delivered until the returned Promise
   * settles, so async work applies backpressure naturally.
   */
  onMessage?(msg: Message, port: string): void | Promise<void>;
  /**
   * Called once after every node of the deploy is created and wired; sources begin emitting here,
   * never in `create`, so a deploy that fails half-way emits nothing.
   */
  start?(): void | Promise<void>;
  /**
   * Called when a person asks the node to send now (the editor's inject button), only for types
   * declaring `manualTrigger: true`, only after `start`, one call per press. Send what a scheduled
   * run would (one message); throw (or reject) to report an error, which the engine routes.
   */
  onTrigger?(): void | Promise<void>;
  /**
   * Releases everything the node holds. Called once when the node is removed or changed by a
   * redeploy and on shutdown; must be idempotent, should finish promptly (the engine time-boxes it)
   * and honour `ctx.signal`. Timers made with `ctx.clock` are cleared by the engine.
   */
  close?(): void | Promise<void>;
}
