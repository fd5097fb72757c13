// Figure 3: latency source -> sink at a steady rate, every system in turn (the order rotating each
// run), a fresh child process per measurement.
import { attempt } from './failures';
import type { Failure } from './failures';
import type { ChildConfig, ChildResult } from './nodered-reference';
import { deadlineFor, runSystem } from './run-child';
import { series } from './stats';
import type { Series } from './stats';
import { rotations, SYSTEMS } from './systems';
import type { System } from './systems';

export interface LatencyOptions {
  runs: number;
  /** Messages per second. */
  rate: number;
  seconds: number;
  /** The start left out of the statistics. */
  warmupSeconds: number;
}

/** Medians and ranges over the runs of each statistic, in ms (CPU in % of one core). */
export interface LatencySeries {
  p50: Series;
  p99: Series;
  max: Series;
  cpuPct: Series;
}

export interface LatencyFigure {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  systems: Record<System, LatencySeries>;
  raw: Record<System, ChildResult[]>;
  /** Runs whose sink count differs from plain JS. */
  mismatches: string[];
  failures: Failure[];
}

export async function latencyFigure(o: LatencyOptions, log: (line: string) => void): Promise<LatencyFigure> {
  const raw = Object.fromEntries(SYSTEMS.map((s) => [s, [] as ChildResult[]])) as Record<System, ChildResult[]>;
  const mismatches: string[] = [];
  const failures: Failure[] = [];
  for (const [run, order] of rotations(SYSTEMS, o.runs).entries()) {
    for (const system of order) {
      const name = `latency ${o.rate} ${system} run ${run + 1}`;
      const cfg: ChildConfig = {
        mode: 'rate',
        fanout: 1,
        rate: o.rate,
        seconds: o.seconds,
        warmupSeconds: o.warmupSeconds,
      };
      const r = await attempt(name, system, failures, log, () => runSystem(system, cfg, deadlineFor(cfg)));
      if (!r) continue;
      raw[system].push(r);
      if (!r.ok) mismatches.push(`${name}: sink counted ${r.count}, plain JS expects ${r.expected}`);
      const l = r.latencyMs!;
      log(
        `  @${o.rate}/s ${system.padEnd(10)} run ${run + 1}: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms, max ${l.max.toFixed(3)} ms, CPU ${r.cpuPct.toFixed(0)}%${r.ok ? '' : ' MISMATCH'}`,
      );
    }
  }
  const systems = Object.fromEntries(
    SYSTEMS.map((s) => [
      s,
      {
        p50: series(raw[s].map((r) => r.latencyMs!.p50)),
        p99: series(raw[s].map((r) => r.latencyMs!.p99)),
        max: series(raw[s].map((r) => r.latencyMs!.max)),
        cpuPct: series(raw[s].map((r) => r.cpuPct)),
      },
    ]),
  ) as Record<System, LatencySeries>;
  return { rate: o.rate, seconds: o.seconds, warmupSeconds: o.warmupSeconds, systems, raw, mismatches, failures };
}
