import type { NodeContext, NodeStatus, Timer } from '@tagflow/node-sdk';

/** The status is refreshed at most this often, so a busy node does not also flood the editor. */
export const STATUS_EVERY_MS = 1000;

/**
 * A status setter for counts that change with every message: the first change shows at once,
 * later ones at most once per STATUS_EVERY_MS, always ending on the latest value.
 */
export function throttledStatus(ctx: NodeContext<unknown>, current: () => NodeStatus): () => void {
  let shownAt = -Infinity;
  let timer: Timer | undefined;
  const show = (): void => {
    shownAt = ctx.clock.now();
    ctx.status(current());
  };
  return () => {
    const wait = shownAt + STATUS_EVERY_MS - ctx.clock.now();
    if (wait <= 0) show();
    else
      timer ??= ctx.clock.setTimeout(() => {
        timer = undefined;
        show();
      }, wait);
  };
}
