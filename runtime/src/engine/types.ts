import type { ErrorInfo, Message, NodeStatus } from '@tagflow/node-sdk';

/** Per-node counters, readable at any time through `Engine.stats()`. */
export interface NodeCounters {
  /** Messages delivered to the node (including those still queued). */
  in: number;
  /** Messages the node sent, per send call (fan-out to several edges counts once). */
  out: number;
  /** Errors the node raised. */
  errors: number;
  /**
   * Messages discarded at or by the node, whatever the reason (the sum of `drops`): shown in its
   * status and in /metrics, never only in the log.
   */
  dropped: number;
  /**
   * `dropped` by reason: `queue-full` (the input queue's overflow policy, or a source that ignored
   * `block`), `buffer-full` (the store-and-forward buffer's `drop-oldest`), `loop` (too many hops),
   * `closed` (arrived after the node stopped), or what the node counted itself (`ctx.dropped`).
   */
  drops: Record<string, number>;
  /** Ticks or polls a source skipped because it could not send (`ctx.skipped`), the sum of `skips`. */
  skipped: number;
  /** `skipped` by reason (`held`: the flow was full; or the node's own, e.g. `busy`). */
  skips: Record<string, number>;
  /** Messages waiting in the node's input queue now. */
  queued: number;
}

/** A value shown by a debug node (`ctx.debug`). */
export interface DebugEvent {
  /** The flow of the node (absent from an engine that was never deployed). */
  flowId?: string;
  nodeId: string;
  nodeType: string;
  name?: string;
  data: unknown;
  /** The topic of the message the value came from, when the node gave it. */
  topic?: string;
  /** Milliseconds since the Unix epoch. */
  time: number;
}

export interface StatusEvent {
  flowId?: string;
  nodeId: string;
  status: NodeStatus;
}

/** Every error a node raised; `handled` is false when no error port or catch node took it. */
export interface NodeErrorEvent extends ErrorInfo {
  flowId?: string;
  handled: boolean;
}

/** The structured logger the engine writes to (pino satisfies it). */
export interface EngineLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** Whether a record at `level` would be written; lets wrappers skip work (pino has it). */
  isLevelEnabled?(level: string): boolean;
}

/** Receives what a node sends on a port, for trend charts and tests. */
export type TapListener = (msg: Message) => void;
