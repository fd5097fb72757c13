/** What the badge of a node shows: its errors of the last `windowMs`, and the latest one. */
export interface RecentErrors {
  count: number;
  /** The latest error's message. */
  last: string;
  /** When it came, ms since the Unix epoch. */
  lastTime: number;
}

/** Errors counted per node; older ones are forgotten (default 1 minute). */
export const NODE_ERROR_WINDOW_MS = 60_000;
/** Times kept per node: a node failing on every message must not grow the editor's memory. */
const MAX_TIMES = 1000;

/**
 * Counts each node's recent errors (from the runtime's `node-error` frames) for the error badge
 * on the node. Mutable; `revision` is bumped on every change.
 */
export class NodeErrorTally {
  private readonly byNode = new Map<string, { times: number[]; last: string; lastTime: number }>();
  revision = 0;

  constructor(readonly windowMs = NODE_ERROR_WINDOW_MS) {}

  add(nodeId: string, message: string, time: number): void {
    const entry = this.byNode.get(nodeId) ?? { times: [], last: message, lastTime: time };
    entry.times.push(time);
    if (entry.times.length > MAX_TIMES) entry.times.splice(0, entry.times.length - MAX_TIMES);
    if (time >= entry.lastTime) {
      entry.last = message;
      entry.lastTime = time;
    }
    this.byNode.set(nodeId, entry);
    this.revision += 1;
  }

  /** The node's errors within `windowMs` before `now`; undefined when there are none. */
  recent(nodeId: string, now: number): RecentErrors | undefined {
    const entry = this.byNode.get(nodeId);
    if (!entry) return undefined;
    const since = now - this.windowMs;
    const count = entry.times.filter((t) => t > since).length;
    return count === 0 ? undefined : { count, last: entry.last, lastTime: entry.lastTime };
  }

  /** Forgets one node's errors, or all (after a deploy that replaced the flow). */
  clear(nodeId?: string): void {
    if (nodeId === undefined) this.byNode.clear();
    else this.byNode.delete(nodeId);
    this.revision += 1;
  }
}
