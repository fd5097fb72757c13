/**
 * What a node gets from `ctx.resource(id)`: a stable handle on a shared connection that the runtime
 * keeps open. The connection object itself changes on every reconnect; the handle does not.
 */
export interface ResourceHandle<R> {
  /** The live connection, or undefined while connecting or reconnecting. */
  readonly current: R | undefined;
  /** Waits for a live connection (first connect or a reconnect); rejects when `signal` aborts. */
  ready(signal?: AbortSignal): Promise<R>;
  /**
   * Calls `listener` with every new connection: at once if connected now, then after each
   * reconnect. Restore subscriptions and monitored items here (each connection is new, so there is
   * nothing to duplicate). Returns a function that removes the listener.
   */
  onConnect(listener: (connection: R) => void | Promise<void>): () => void;
  /** Calls `listener` when the live connection is lost, with the reason. Returns a remover. */
  onDisconnect(listener: (reason: Error) => void): () => void;
}
