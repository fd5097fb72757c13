import { isNodeError } from '@tagflow/node-sdk';
import type { NodeContext } from '@tagflow/node-sdk';
import { coreErrors } from '../error-codes';

/** The `persist` config field, the same on every node that keeps state over time. */
export const persistProperty = {
  type: 'boolean',
  description:
    "Keep the node's running state (its window, last values, alarms) across restarts and redeploys, in the node's context. Off: every start begins empty.",
  default: false,
  'x-ui': { label: 'Keep state across restarts' },
} as const;

// One key in the node's own context scope; the node's `ctx.context.node` is no one else's.
const KEY = 'state';

/** What a node saves: its state and the config it was built with. */
interface Saved {
  config: string;
  state: unknown;
}

/** Restores and saves a node's running state in its node context. */
export interface PersistedState<S> {
  /** The state saved by an earlier run with the same config, or undefined. */
  readonly restored: S | undefined;
  /** Saves `state` (a JSON copy; the store coalesces disk writes). Does nothing without `persist`. */
  save(state: S): void;
}

/**
 * Opens the saved state of `ctx`'s node. With `persist` off it forgets any state saved before, so
 * turning persist on later never brings back a stale one. State saved under another config is
 * not restored: a window of 10 values means nothing to a window of 5 minutes.
 */
export function persistedState<S>(ctx: NodeContext<{ persist?: boolean }>): PersistedState<S> {
  const store = ctx.context.node;
  if (ctx.config.persist !== true) {
    if (store.get(KEY) !== undefined) store.set(KEY, undefined);
    return { restored: undefined, save: () => undefined };
  }
  const config = JSON.stringify(ctx.config);
  const saved = store.get(KEY) as Saved | undefined;
  const restored = saved !== undefined && saved.config === config ? (saved.state as S) : undefined;
  return {
    restored,
    save(state) {
      try {
        // As JSON would: fields left undefined (no value yet) are dropped, not refused by the store.
        store.set(KEY, { config, state: JSON.parse(JSON.stringify(state) ?? 'null') as unknown } satisfies Saved);
      } catch (err) {
        // A value JSON cannot hold, or a full context: the node goes on, the user is told.
        if (
          isNodeError(err) &&
          (err.code === coreErrors.code.CONTEXT_VALUE || err.code === coreErrors.code.CONTEXT_FULL)
        )
          ctx.error(err);
        else throw err;
      }
    },
  };
}
