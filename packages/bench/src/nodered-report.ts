// The Node-RED comparison's report: what the JSON holds, the targets (stated against the release
// issue 8 measured, TARGET_BASELINE), and the summary table. A figure or a measurement that failed or
// timed out shows as such; the table is printed whatever is missing.
import type { ColdStartFigure, ColdSubject } from './cold-start.figure';
import { missing } from './failures';
import type { Failure } from './failures';
import type { LatencyFigure } from './latency.figure';
import type { MqttFigure, MqttSubject } from './mqtt.figure';
import { formatRate, series } from './stats';
import type { Series } from './stats';
import { NODE_RED_SYSTEMS, SYSTEMS, TARGET_BASELINE } from './systems';
import type { NodeRedSystem, System } from './systems';
import type { ThroughputFigure } from './throughput.figure';

/** results/nodered.json. A figure is absent when it failed as a whole (see `failures`). */
export interface NodeRedReport {
  date: string;
  node: string;
  /** Each system's version, as installed. */
  versions: Record<System, string>;
  targetBaseline: NodeRedSystem;
  quick: boolean;
  runs: number;
  method: string;
  figure1?: ThroughputFigure;
  figure2?: ThroughputFigure;
  figure3: LatencyFigure[];
  figure4?: ColdStartFigure;
  figure5?: MqttFigure;
  figure6?: ThroughputFigure;
  /** Every measurement or figure that produced no result, and why. */
  failures: Failure[];
  /** Runs whose sink count differs from plain JS. */
  mismatches: string[];
}

/** A target's verdict, or null when what it needs was not measured. */
type Verdict = boolean | null;

const meets = (x: number | undefined, ok: (x: number) => boolean): Verdict =>
  x !== undefined && Number.isFinite(x) ? ok(x) : null;

/** No message lost in any run, or null when no run finished. */
const noLoss = (lost: number[] | undefined): Verdict => (lost?.length ? lost.every((l) => l === 0) : null);

const p99At10k = (r: NodeRedReport) => r.figure3.find((l) => l.rate === 10_000);
const coldOver = (
  r: NodeRedReport,
  of: ColdSubject,
  over: ColdSubject,
  pick: (s: ColdStartFigure['subjects'][ColdSubject]) => Series,
) => (r.figure4 ? pick(r.figure4.subjects[of]).median / pick(r.figure4.subjects[over]).median : Number.NaN);

/** tagflow's p99 at 10,000 msg/s over each Node-RED release's. */
export function p99RatiosAt10k(r: NodeRedReport): Record<NodeRedSystem, number> {
  const l = p99At10k(r);
  return Object.fromEntries(
    NODE_RED_SYSTEMS.map((s) => [s, l ? l.systems.tagflow.p99.median / l.systems[s].p99.median : Number.NaN]),
  ) as Record<NodeRedSystem, number>;
}

/** The README's targets, against TARGET_BASELINE. */
export function targetsOf(r: NodeRedReport) {
  const base = TARGET_BASELINE;
  return {
    fig1Ratio20x: meets(r.figure1?.tagflowOver[base], (x) => x >= 20),
    fig2Ratio20x: meets(r.figure2?.tagflowOver[base], (x) => x >= 20),
    p99At10kFifthOfNodeRed: meets(p99RatiosAt10k(r)[base], (x) => x <= 0.2),
    p99At10kUnder1ms: meets(p99At10k(r)?.systems.tagflow.p99.median, (x) => x < 1),
    coldStartThirdOfNodeRed: meets(
      coldOver(r, 'tagflow run', base, (s) => s.firstMessageMs),
      (x) => x <= 1 / 3,
    ),
    idleRssSixtyPercentOfNodeRed: (r.figure4?.idleAfterMs ?? []).map((_, k) =>
      meets(
        coldOver(r, 'tagflow run', base, (s) => s.idleRssMb[k]),
        (x) => x <= 0.6,
      ),
    ),
    mqttNinetyPercentOfRaw: (r.figure5?.byQos ?? []).map((q) => meets(q.tagflowOfRaw, (x) => x >= 0.9)),
    mqttQos1NoLoss: noLoss(r.figure5?.byQos.find((q) => q.qos === 1)?.subjects.tagflow.lost),
    functionAtLeastNodeRed: meets(r.figure6?.tagflowOver[base], (x) => x >= 1),
  };
}

const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}x` : 'n/a');
/** `41%`, `5.3%`, `0.011%`: two significant digits at least. */
const percent = (x: number) => {
  if (!Number.isFinite(x)) return 'n/a';
  const p = x * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toPrecision(2)}%`;
};

/** Prints the summary table of whatever `r` holds. */
export function printSummary(r: NodeRedReport, log: (line: string) => void): void {
  const name = (s: System | ColdSubject | MqttSubject): string =>
    s.endsWith(' start')
      ? `${name(s.replace(/ start$/, '') as System)} start`
      : s === 'tagflow' || s === 'tagflow run' || s === 'mqtt.js'
        ? s
        : `Node-RED ${r.versions[s as System]}`;
  const base = TARGET_BASELINE;
  const others = NODE_RED_SYSTEMS.filter((s) => s !== base);
  const figureFailed = (label: string) => {
    const f = r.failures.find((x) => x.subject === 'figure' && x.label === label);
    return f ? `${label}: ${f.status.toUpperCase()} (${f.error.split('\n')[0]})` : `${label}: not measured`;
  };
  // One cell of three columns: median, min and max, or why there is none.
  const rates = (s: Series, gone: string) =>
    s.values.length === 0
      ? gone.padStart(29)
      : `${formatRate(s.median).padStart(9)} ${formatRate(s.min).padStart(9)} ${formatRate(s.max).padStart(9)}${gone ? `  (${gone})` : ''}`;
  /** `tagflow / Node-RED 4.1.15 27.0x (target >= 20x), tagflow / Node-RED 5.0.7 25.3x` */
  const ratios = (over: Record<NodeRedSystem, number>, fmt: (x: number) => string, target: string) =>
    [
      `tagflow / ${name(base)} ${fmt(over[base])}${target ? ` (target ${target})` : ''}`,
      ...others.map((s) => `tagflow / ${name(s)} ${fmt(over[s])}`),
    ].join(', ');

  const throughputRows = (label: string, fig: ThroughputFigure | undefined, target: string) => {
    if (!fig) return log(figureFailed(label));
    for (const s of SYSTEMS)
      log(`${`${label}, ${name(s)}`.padEnd(44)} ${rates(fig.systems[s].msgsPerSec, missing(fig.failures, s, r.runs))}`);
    log(`  ${ratios(fig.tagflowOver, times, target)}`);
  };
  const header = (title: string) =>
    log(`\n${title.padEnd(44)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`);
  header('throughput (msg/s)');
  throughputRows('1 reference flow', r.figure1, '>= 20x');
  throughputRows('2 fan-out to two switches', r.figure2, '>= 20x');

  const ms = (s: Series) => (s.values.length ? s.median.toFixed(3) : '-').padStart(8);
  log(`\n${`3 latency, medians of ${r.runs} run(s) (ms)`.padEnd(44)}      p50      p99      max`);
  for (const l of r.figure3) {
    for (const s of SYSTEMS) {
      const gone = missing(l.failures, s, r.runs);
      const v = l.systems[s];
      log(
        `${`@ ${l.rate.toLocaleString('en')} msg/s ${name(s)}`.padEnd(44)} ${ms(v.p50)} ${ms(v.p99)} ${ms(v.max)}${gone ? `  (${gone})` : ''}`,
      );
    }
  }
  if (!p99At10k(r)) log(figureFailed('figure 3 @ 10,000 msg/s'));
  log(`p99 @ 10k msg/s: ${ratios(p99RatiosAt10k(r), percent, '<= 20%, and < 1 ms')}`);

  const c = r.figure4;
  if (!c) log(`\n${figureFailed('figure 4')}`);
  else {
    const idleAt = (k: number) => `idle RSS @${c.idleAfterMs[k] / 1000}s (MB)`;
    log(
      `\n${`4 cold start (median of ${r.runs})`.padEnd(44)} admin HTTP (ms)  first msg (ms)  ${c.idleAfterMs.map((_, k) => idleAt(k)).join('  ')}`,
    );
    for (const [subject, v] of Object.entries(c.subjects) as Array<[ColdSubject, (typeof c.subjects)[ColdSubject]]>) {
      const gone = missing(c.failures, subject, r.runs);
      const label =
        subject === 'tagflow run'
          ? 'tagflow run flow.json'
          : subject === 'tagflow run pump-monitor'
            ? 'tagflow run pump-monitor/flow.json'
            : subject === 'tagflow start'
              ? 'tagflow start, stored flow, MQTT sink'
              : subject.endsWith(' start')
                ? `${name(subject)} (node-red), MQTT sink`
                : `${name(subject)} (embedded)`;
      const num = (s: Series | undefined, width: number) =>
        (s?.values.length ? s.median.toFixed(0) : '-').padStart(width);
      log(
        `${label.padEnd(44)} ${num(v.adminMs, 15)}  ${num(v.firstMessageMs, 14)}  ${v.idleRssMb.map((s, k) => num(s, idleAt(k).length)).join('  ')}${gone ? `  (${gone})` : ''}`,
      );
    }
    for (const s of NODE_RED_SYSTEMS) {
      const first = coldOver(r, 'tagflow run', s, (v) => v.firstMessageMs);
      const idle = c.idleAfterMs.map((_, k) => percent(coldOver(r, 'tagflow run', s, (v) => v.idleRssMb[k])));
      const target = s === base ? ' (target <= 33%)' : '';
      log(
        `cold start tagflow run / ${name(s)}: ${percent(first)}${target}; idle RSS: ${idle.join(', ')}${s === base ? ' (target <= 60%)' : ''}`,
      );
    }
    for (const s of NODE_RED_SYSTEMS) {
      const over = (pick: (v: ColdStartFigure['subjects'][ColdSubject]) => Series | undefined) =>
        percent(coldOver(r, 'tagflow start', `${s} start`, (v) => pick(v) ?? series([])));
      log(
        `cold start tagflow start / ${name(s)} start: admin HTTP ${over((v) => v.adminMs)}, first message ${over((v) => v.firstMessageMs)}; idle RSS: ${c.idleAfterMs.map((_, k) => over((v) => v.idleRssMb[k])).join(', ')}`,
      );
    }
  }

  const m = r.figure5;
  if (!m) log(`\n${figureFailed('figure 5')}`);
  else {
    log(`\n5 MQTT end to end, delivered msg/s (median of ${r.runs}; ${m.published.toLocaleString('en')} published)`);
    for (const q of m.byQos) {
      const line = (Object.keys(q.subjects) as MqttSubject[])
        .map((s) => {
          const v = q.subjects[s];
          const gone = missing(
            m.failures.filter((f) => f.label.startsWith(`mqtt QoS${q.qos} `)),
            s,
            r.runs,
          );
          const lost = v.lost.length ? ` (lost ${Math.max(...v.lost)})` : '';
          return `${name(s)} ${formatRate(v.deliveredPerSec.median)}${lost}${gone ? ` [${gone}]` : ''}`;
        })
        .join(', ');
      log(`  QoS ${q.qos}: ${line}`);
      log(`    tagflow / mqtt.js ${percent(q.tagflowOfRaw)} (target >= 90%); ${ratios(q.tagflowOver, times, '')}`);
    }
  }

  header('function node, small computation (msg/s)');
  throughputRows('6 function node', r.figure6, '>= 1x');
}
