import type { EngineEnd } from './engine-contract';

/** When the engine process is ended. */
export interface WatchdogOptions {
  /** No heartbeat from the engine's thread for this long: it is stuck (default 5000 ms). */
  timeoutMs: number;
  /** Resident memory of the engine process above this: it is ended before it takes the box down (MB). */
  memoryMb: number;
  /** How often the supervisor calls `check` (default 250 ms); a longer gap means it was stalled itself. */
  checkEveryMs?: number;
}

/** Why the watchdog ends an engine. */
export interface WatchdogVerdict {
  kind: Extract<EngineEnd['kind'], 'watchdog' | 'memory'>;
  reason: string;
}

const MB = 1024 * 1024;
/** A gap between checks this much longer than their period is a stall of the supervisor's own loop. */
const OWN_STALL_MS = 1000;

/**
 * Decides when an engine process must be ended: its thread stopped sending heartbeats (a loop, a
 * blocking call), or its memory passed the cap. The memory figure also comes from the engine's
 * monitor thread, which keeps reporting while the engine's own thread is stuck allocating.
 */
export class Watchdog {
  private lastBeat: number;
  private lastCheck: number;
  private rss = 0;

  constructor(
    readonly options: WatchdogOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.lastBeat = now();
    this.lastCheck = this.lastBeat;
  }

  /** A heartbeat from the engine's thread. */
  beat(rss: number): void {
    this.lastBeat = this.now();
    this.rss = rss;
  }

  /** Memory as the monitor thread measured it. */
  memory(rss: number): void {
    this.rss = rss;
  }

  /** Milliseconds since the last heartbeat. */
  silentForMs(): number {
    return this.now() - this.lastBeat;
  }

  /**
   * Undefined while the engine is fine. The supervisor's own stalls (a heap snapshot, a slow disk)
   * do not count as the engine's silence: the heartbeats sent meanwhile wait, unread, behind the
   * stall, and judging before reading them would end a healthy engine.
   */
  check(): WatchdogVerdict | undefined {
    const now = this.now();
    const stalled = now - this.lastCheck - (this.options.checkEveryMs ?? 250);
    this.lastCheck = now;
    if (stalled > OWN_STALL_MS) this.lastBeat = Math.min(now, this.lastBeat + stalled);
    if (this.rss > this.options.memoryMb * MB)
      return {
        kind: 'memory',
        reason: `the engine used ${Math.round(this.rss / MB)} MB of memory, over its cap of ${this.options.memoryMb} MB (--engine-memory-mb)`,
      };
    const silent = this.silentForMs();
    if (silent >= this.options.timeoutMs)
      return {
        kind: 'watchdog',
        reason: `the engine sent no heartbeat for ${silent} ms (limit ${this.options.timeoutMs} ms, --watchdog-ms): it was stuck`,
      };
    return undefined;
  }
}
