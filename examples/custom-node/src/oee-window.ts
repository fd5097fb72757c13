/** What a machine is doing. `idle` is planned downtime (no order, a break): it is not held against availability. */
export type MachineState = 'running' | 'stopped' | 'idle';

export const MACHINE_STATES: readonly MachineState[] = ['running', 'stopped', 'idle'];

/** OEE over one window; every ratio is 0 when its denominator is 0 (nothing planned, nothing counted). */
export interface OeeFigures {
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  /** Seconds in `running` within the window. */
  runSeconds: number;
  /** Seconds in `running` or `stopped` within the window (planned production time). */
  plannedSeconds: number;
  good: number;
  total: number;
}

interface StateChange {
  state: MachineState;
  at: number;
}

interface Count {
  at: number;
  good: number;
  total: number;
}

/**
 * The state history and part counts of a sliding time window, kept small: events older than the
 * window are evicted as the window moves. Times are ms since the epoch and never go backwards.
 */
export class OeeWindow {
  private changes: StateChange[] = [];
  private counts: Count[] = [];
  /** When the first state arrived: before it, time is unaccounted for. */
  firstStateAt: number | undefined;

  constructor(private readonly windowMs: number) {}

  setState(state: MachineState, at: number): void {
    const last = this.changes[this.changes.length - 1];
    if (last?.state === state) return;
    this.changes.push({ state, at });
    this.firstStateAt ??= at;
  }

  addCount(good: number, total: number, at: number): void {
    if (total > 0 || good > 0) this.counts.push({ at, good, total });
  }

  /** True once state is known for the whole window ending at `now`. */
  isFull(now: number): boolean {
    return this.firstStateAt !== undefined && this.firstStateAt <= now - this.windowMs;
  }

  /** The figures of the window `[now - windowMs, now)`, given the ideal time per part. */
  figures(now: number, idealCycleMs: number): OeeFigures {
    const from = now - this.windowMs;
    this.evictBefore(from);
    let runMs = 0;
    let plannedMs = 0;
    for (let i = 0; i < this.changes.length; i++) {
      const change = this.changes[i];
      const next = this.changes[i + 1];
      const span = Math.max(0, Math.min(next?.at ?? now, now) - Math.max(change.at, from));
      if (change.state === 'running') runMs += span;
      if (change.state !== 'idle') plannedMs += span;
    }
    let good = 0;
    let total = 0;
    for (const c of this.counts) {
      if (c.at < from || c.at >= now) continue;
      good += c.good;
      total += c.total;
    }
    const availability = ratio(runMs, plannedMs);
    // Above 1 means the ideal cycle time is set longer than the machine really needs: capped, and
    // reported by the node, rather than showing an OEE above 100 %.
    const performance = Math.min(1, ratio(total * idealCycleMs, runMs));
    const quality = ratio(good, total);
    return {
      availability,
      performance,
      quality,
      oee: availability * performance * quality,
      runSeconds: runMs / 1000,
      plannedSeconds: plannedMs / 1000,
      good,
      total,
    };
  }

  private evictBefore(from: number): void {
    // Keep the last change at or before `from`: the state it set runs into the window.
    let keepFrom = 0;
    for (let i = 0; i < this.changes.length; i++) if (this.changes[i].at <= from) keepFrom = i;
    if (keepFrom > 0) this.changes = this.changes.slice(keepFrom);
    if (this.counts.length > 0 && this.counts[0].at < from) this.counts = this.counts.filter((c) => c.at >= from);
  }
}

function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : 0;
}
