/**
 * One scope of a flow's state (Node-RED's context): named values that outlive a message. Values
 * are plain JSON data (objects, arrays, strings, finite numbers, booleans, null): `set` stores a
 * copy and `get` returns a copy, so a caller can never change what is stored behind its back.
 * The runtime keeps the scopes in the data dir: they survive redeploys and restarts.
 */
export interface ContextStore {
  /** The value stored under `key`, or undefined. */
  get(key: string): unknown;
  /**
   * Stores a copy of `value` under `key`; `undefined` deletes the key. Throws a NodeError when the
   * value is not JSON data or the scope would pass its size limit; nothing is stored then.
   */
  set(key: string, value: unknown): void;
  /** The keys stored, in insertion order. */
  keys(): string[];
}

/** The three scopes a node can read and write, as Node-RED users know them. */
export interface FlowState {
  /** This node's own state: no other node sees it. */
  readonly node: ContextStore;
  /** Shared by every node of the flow. */
  readonly flow: ContextStore;
  /** Shared by every flow of the runtime. */
  readonly global: ContextStore;
}
