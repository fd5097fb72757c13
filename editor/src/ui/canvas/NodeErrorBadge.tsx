import { useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { NODE_ERROR_WINDOW_MS } from '../../state';
import { LiveContext } from '../live/use-live';
import '../../styles/node-error-badge.css';

const noop = () => () => {};
/** How often a shown badge recounts, so that errors older than the window fall off. */
const RECOUNT_MS = 5000;

/**
 * A red badge on a node with the number of errors it raised in the last minute; the last error's
 * message on hover. Nothing when the node raised none.
 */
export function NodeErrorBadge({ id }: { id: string }) {
  const store = useContext(LiveContext);
  // Re-renders when any node's errors change (a cheap number), then counts this node's.
  useSyncExternalStore(store?.subscribe ?? noop, () => store?.errors.revision ?? 0);
  const recent = store?.errors.recent(id, Date.now());
  const [, recount] = useState(0);
  const showing = recent !== undefined;
  useEffect(() => {
    if (!showing) return;
    const timer = setInterval(() => recount((n) => n + 1), RECOUNT_MS);
    return () => clearInterval(timer);
  }, [showing]);
  if (!recent) return null;
  const text = `${recent.count} error${recent.count === 1 ? '' : 's'} in the last ${NODE_ERROR_WINDOW_MS / 1000} s. Last, at ${new Date(recent.lastTime).toLocaleTimeString()}: ${recent.last}`;
  return (
    <span
      className="tf-error-badge"
      data-testid={`error-badge-${id}`}
      data-count={recent.count}
      title={text}
      aria-label={text}
      role="status"
    >
      ! {recent.count > 999 ? '999+' : recent.count}
    </span>
  );
}
