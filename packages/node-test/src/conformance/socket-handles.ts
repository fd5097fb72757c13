import { createHook } from 'node:async_hooks';

/** Async resource types of network connections and listeners (child-process pipes are not counted). */
const SOCKET_TYPES = new Set(['TCPWRAP', 'TCPSERVERWRAP', 'TLSWRAP', 'UDPWRAP']);

/**
 * Records the sockets opened while it is enabled and which of them are closed since, with an
 * async hook: precise even when sockets of an earlier test are still closing.
 */
export class SocketTracker {
  private readonly live = new Map<number, string>();
  private readonly hook = createHook({
    init: (asyncId, type) => {
      if (SOCKET_TYPES.has(type)) this.live.set(asyncId, type);
    },
    destroy: (asyncId) => {
      this.live.delete(asyncId);
    },
  });

  start(): this {
    this.hook.enable();
    return this;
  }

  stop(): void {
    this.hook.disable();
  }

  /** Sockets opened since `start` and still open, counted by type (`{ TCPWRAP: 1 }`). */
  open(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const type of this.live.values()) counts[type] = (counts[type] ?? 0) + 1;
    return counts;
  }
}
