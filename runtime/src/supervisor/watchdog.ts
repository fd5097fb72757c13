import type { EngineEnd } from './engine-contract';

/** When the engine process is ended. */
export interface WatchdogOptions {
  /** No heartbeat from the engine's thread for this long: it is stuck (default 5000 ms). */
  timeoutMs: number;
  /** Resident memory of the engine process above this: it is ended before it takes the box down (MB). */
  memoryMb: number;
}

/** Why the watchdog ends an engine. */
export interface WatchdogVerdict {
  kind: Extract<EngineEnd['kind'], 'watchdog' | 'memory'>;
  reason: string;
}

const MB = 1024 * 1024;

/**
 * Decides when an engine process must be ended: its thread stopped sending heartbeats (a loop, a
 * blocking call), or its memory passed the cap. The memory figure also comes from the engine's
 * monitor thread, which keeps reporting while the engine's own thread is stuck allocating.
 */
export class Watchdog {
  private lastBeat: number;
  private rss = 0;

  constructor(
    readonly options: WatchdogOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.lastBeat = now();
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

  /** Undefined while the engine is fine. */
  check(): WatchdogVerdict | undefined {
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
