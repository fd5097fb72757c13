// Figures 1, 2 and 6: N messages through a flow as fast as each system takes them, every system in
// turn (the order rotating each run), a fresh child process per measurement.
import { attempt } from './failures';
import type { Failure } from './failures';
import type { ChildConfig, ChildResult } from './nodered-reference';
import { deadlineFor, runSystem } from './run-child';
import { formatRate, series } from './stats';
import type { Series } from './stats';
import { NODE_RED_SYSTEMS, rotations, SYSTEMS, systemVersion } from './systems';
import type { NodeRedSystem, System } from './systems';

export interface ThroughputOptions {
  runs: number;
  /** Messages each system's source sends. */
  n: Record<System, number>;
  /** Messages per event-loop turn: each system's fastest setting. */
  chunk: Record<System, number>;
  /** The child's own time-out, after which it reports what its sink counted (its deadline is later). */
  timeoutMs: number;
}

export interface ThroughputFigure {
  systems: Record<System, { n: number; chunk: number; msgsPerSec: Series; peakRssMb: Series }>;
  /** tagflow's median msg/s over each Node-RED release's (NaN where one is missing). */
  tagflowOver: Record<NodeRedSystem, number>;
  raw: Record<System, ChildResult[]>;
  /** Runs whose sink count differs from plain JS. */
  mismatches: string[];
  failures: Failure[];
}

export async function throughputFigure(
  label: string,
  flow: Pick<ChildConfig, 'flow' | 'fanout'>,
  o: ThroughputOptions,
  log: (line: string) => void,
): Promise<ThroughputFigure> {
  const raw = Object.fromEntries(SYSTEMS.map((s) => [s, [] as ChildResult[]])) as Record<System, ChildResult[]>;
  const mismatches: string[] = [];
  const failures: Failure[] = [];
  for (const [run, order] of rotations(SYSTEMS, o.runs).entries()) {
    for (const system of order) {
      const name = `${label} ${system} run ${run + 1}`;
      const cfg: ChildConfig = {
        mode: 'burst',
        ...flow,
        n: o.n[system],
        chunk: o.chunk[system],
        timeoutMs: o.timeoutMs,
      };
      const r = await attempt(name, system, failures, log, () => runSystem(system, cfg, deadlineFor(cfg)));
      if (!r) continue;
      raw[system].push(r);
      if (!r.ok) mismatches.push(`${name}: sink counted ${r.count}, plain JS expects ${r.expected}`);
      // The npm aliases resolve to different Node-RED releases: the one loaded must be the one named.
      if (r.version !== systemVersion(system))
        mismatches.push(`${name}: loaded release ${r.version}, the figure names ${systemVersion(system)}`);
      log(
        `  ${label} ${system.padEnd(10)} run ${run + 1}: ${formatRate(r.msgsPerSec!)} msg/s, sink ${r.count}/${r.expected}${r.ok ? '' : ' MISMATCH'}, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
      );
    }
  }
  const systems = Object.fromEntries(
    SYSTEMS.map((s) => [
      s,
      {
        n: o.n[s],
        chunk: o.chunk[s],
        msgsPerSec: series(raw[s].map((r) => r.msgsPerSec!)),
        peakRssMb: series(raw[s].map((r) => r.peakRssMb)),
      },
    ]),
  ) as ThroughputFigure['systems'];
  const tagflowOver = Object.fromEntries(
    NODE_RED_SYSTEMS.map((s) => [s, systems.tagflow.msgsPerSec.median / systems[s].msgsPerSec.median]),
  ) as Record<NodeRedSystem, number>;
  return { systems, tagflowOver, raw, mismatches, failures };
}
