// `pnpm bench`, issue 8 and 13: tagflow beside Node-RED 4.1.15 and the current Node-RED 5.x on the
// reference flow, in turn, in one run. Every measurement is a fresh child process, for every system:
// Node-RED embedded as a library (nodered/nr-child.cjs, one script for every release; systems.ts
// lists them) and a tagflow engine (tagflow-child.ts), all driven and timed by the same harness
// (child-harness.ts), every sink count checked against plain JS (nodered-reference.ts).
//   figure 1: throughput  source -> mean of 10 -> switch (> 100) -> counting sink
//   figure 2: the same with fan-out (the average wired to two switches, both to the sink)
//   figure 3: latency source -> sink at a steady 1,000 and 10,000 msg/s (p50 / p99 / max)
//   figure 4: cold start (spawn -> first message at the sink) and idle RSS (cold-start.figure.ts)
//   figure 5: end to end over MQTT beside plain mqtt.js, QoS 0 and 1 (mqtt.figure.ts)
//   figure 6: a function node doing a small computation per message -> counting sink
// Each system gets its fastest source setting: Node-RED one send per event-loop turn (its switch
// takes one queued message per setImmediate; bursts collapse it), tagflow 1,000 per turn (delivery
// is synchronous). Every child has a deadline: one that fails or times out is reported as such (in
// the summary and the JSON) and the run goes on. BENCH_QUICK=1: one short run; BENCH_RUNS (default
// 3), BENCH_NR_N, BENCH_TF_N, BENCH_DEADLINE_MS (every child's deadline instead of its own),
// BENCH_RESULTS (the JSON's path instead of results/nodered.json or nodered-quick.json),
// BENCH_FIGURES (only these figures, e.g. `4` or `1,4`; the others show as not measured, and the
// JSON goes to results/nodered-figures-4.json unless BENCH_RESULTS says otherwise).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { coldStartFigure, coldStartReports } from './cold-start.figure';
import { attempt } from './failures';
import type { Failure } from './failures';
import { latencyFigure } from './latency.figure';
import { mqttFigure } from './mqtt.figure';
import type { MqttFigure } from './mqtt.figure';
import { p99RatiosAt10k, printSummary, targetsOf } from './nodered-report';
import type { NodeRedReport } from './nodered-report';
import type { Series } from './stats';
import { isNodeRed, SYSTEMS, systemName, systemVersion, TARGET_BASELINE } from './systems';
import type { System } from './systems';
import { reportFigure } from './summary';
import { throughputFigure } from './throughput.figure';

const quick = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3));
const NR_N = Number(process.env.BENCH_NR_N ?? (quick ? 30_000 : 1_000_000));
const TF_N = Number(process.env.BENCH_TF_N ?? (quick ? 200_000 : 3_000_000));
const NR_CHUNK = Number(process.env.BENCH_NR_CHUNK ?? 1);
const TF_CHUNK = Number(process.env.BENCH_TF_CHUNK ?? 1000);
const LAT_SECONDS = quick ? 0.6 : 6;
const LAT_WARMUP = quick ? 0.2 : 1;
// The quick run (a test that keeps the benchmark working) measures the latency at one rate: the
// code is the same at the other.
const RATES = quick ? [1_000] : [1_000, 10_000];
const IDLE_AFTER_MS = quick ? [1_000] : [3_000, 10_000];
const MQTT_N = Number(process.env.BENCH_MQTT_N ?? (quick ? 10_000 : 200_000));
/** The figures to run (`1`..`6`), or undefined for all. */
const ONLY = process.env.BENCH_FIGURES?.split(',').map((f) => f.trim());
/** Each Node-RED release gets the Node-RED setting, tagflow its own. */
const perSystem = (nodeRed: number, tagflow: number) =>
  Object.fromEntries(SYSTEMS.map((s) => [s, isNodeRed(s) ? nodeRed : tagflow])) as Record<System, number>;
const N = perSystem(NR_N, TF_N);
const CHUNK = perSystem(NR_CHUNK, TF_CHUNK);
const FN_N = perSystem(quick ? 20_000 : 500_000, quick ? 50_000 : 1_000_000);
/** A burst child reports what its sink counted after this long. */
const BURST_TIMEOUT_MS = 240_000;

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const versions = Object.fromEntries(SYSTEMS.map((s) => [s, systemVersion(s)])) as Record<System, string>;
  log(
    `tagflow vs ${SYSTEMS.filter(isNodeRed).map(systemName).join(' and ')}: ${RUNS} run(s) each, fresh process per measurement, Node ${process.version}${quick ? ' (quick)' : ''}`,
  );
  log(
    `  Node-RED N=${NR_N.toLocaleString('en')} (${NR_CHUNK}/turn), tagflow N=${TF_N.toLocaleString('en')} (${TF_CHUNK}/turn)`,
  );

  const failures: Failure[] = [];
  // A figure that fails as a whole (its broker does not start, say) is recorded and the run goes on.
  const figure = <T>(label: string, run: () => Promise<T>) =>
    ONLY && !ONLY.includes(label.split(' ')[1])
      ? Promise.resolve(undefined)
      : attempt(label, 'figure', failures, log, run);
  const burst = { runs: RUNS, chunk: CHUNK, timeoutMs: BURST_TIMEOUT_MS };
  const figure1 = await figure('figure 1', () => throughputFigure('fan-out 1', { fanout: 1 }, { ...burst, n: N }, log));
  const figure2 = await figure('figure 2', () => throughputFigure('fan-out 2', { fanout: 2 }, { ...burst, n: N }, log));
  const figure3 = [];
  for (const rate of RATES) {
    const l = await figure(`figure 3 @ ${rate.toLocaleString('en')} msg/s`, () =>
      latencyFigure({ runs: RUNS, rate, seconds: LAT_SECONDS, warmupSeconds: LAT_WARMUP }, log),
    );
    if (l) figure3.push(l);
  }
  const figure4 = await figure('figure 4', () => coldStartFigure(RUNS, IDLE_AFTER_MS, log));
  if (!ONLY || ONLY.includes('4')) coldStartReports(figure4).forEach(reportFigure);
  const figure5 = await figure('figure 5', () =>
    mqttFigure({ runs: RUNS, n: MQTT_N, chunk: CHUNK, rawChunk: 100, maxMs: quick ? 60_000 : 300_000 }, log),
  );
  if (!ONLY || ONLY.includes('5')) mqttReports(figure5);
  const figure6 = await figure('figure 6', () =>
    throughputFigure('function', { flow: 'function', fanout: 1 }, { ...burst, n: FN_N }, log),
  );

  const figures = [figure1, figure2, ...figure3, figure4, figure5, figure6];
  const report: NodeRedReport = {
    date: new Date().toISOString(),
    node: process.version,
    versions,
    targetBaseline: TARGET_BASELINE,
    quick,
    runs: RUNS,
    method:
      'fresh child process per measurement for every system, in turn, each with a deadline; same harness; Node-RED embedded (no editor/admin API); custom plain-JS source and sink nodes in all; sink counts checked against plain JS',
    figure1,
    figure2,
    figure3,
    figure4,
    figure5,
    figure6,
    failures: [...failures, ...figures.flatMap((f) => f?.failures ?? [])],
    mismatches: [figure1, figure2, ...figure3, figure6].flatMap((f) => f?.mismatches ?? []),
  };
  printSummary(report, log);
  const targets = targetsOf(report);
  log(`\ntargets (against ${systemName(TARGET_BASELINE)}; null: not measured): ${JSON.stringify(targets)}`);
  if (report.failures.length)
    log(`FAILED OR TIMED OUT:\n  ${report.failures.map((f) => `${f.label}: ${f.status}`).join('\n  ')}`);
  if (report.mismatches.length) log(`COUNT MISMATCHES:\n  ${report.mismatches.join('\n  ')}`);

  const name = ONLY ? `nodered-figures-${ONLY.join('-')}` : 'nodered';
  const file = process.env.BENCH_RESULTS ?? join(__dirname, '..', 'results', `${name}${quick ? '-quick' : ''}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...report, p99RatiosAt10k: p99RatiosAt10k(report), targets }, null, 2)}\n`);
  if (report.mismatches.length || report.failures.length) process.exitCode = 1;
}

/** One QoS of figure 5, one direction: tagflow's and the plain mqtt.js client's rates, and what tagflow lost. */
type MqttCells = { subjects: Record<'tagflow' | 'mqtt.js', { deliveredPerSec: Series; lost: number[] }> } | undefined;

/**
 * Figure 5's rows of the summary table, medians: mqtt-out's delivered rate beside a plain mqtt.js
 * publisher's, and mqtt-in's received rate beside a plain subscriber's, each with what tagflow lost
 * (at QoS 0 mqtt-in drops what a flow slower than the stream cannot take, counted).
 */
function mqttReports(f: MqttFigure | undefined): void {
  const directions = [
    {
      id: 'mqtt-out',
      cells: (qos: 0 | 1): MqttCells => f?.byQos.find((x) => x.qos === qos),
      yardstick: 'mqtt.js',
      lostNote: (lost: number) => `${lost} LOST`,
    },
    {
      id: 'mqtt-in',
      cells: (qos: 0 | 1): MqttCells => f?.inbound.find((x) => x.qos === qos),
      yardstick: 'mqtt.js subscriber',
      lostNote: (lost: number, qos: 0 | 1) =>
        `${lost} not received (${qos === 0 ? 'QoS 0: dropped and counted' : 'LOST'})`,
    },
  ];
  const med = (s: Series | undefined) => (s?.values.length ? s.median : null);
  for (const d of directions) {
    // The measurements of mqtt-in are labelled `mqtt-in ...`, those of mqtt-out `mqtt QoS...`.
    const failed = (subject: string) =>
      f?.failures
        .find((x) => x.subject === subject && x.label.startsWith('mqtt-in') === (d.id === 'mqtt-in'))
        ?.error.split('\n')[0] ?? (f ? 'no run' : 'figure 5 failed');
    for (const qos of [0, 1] as const) {
      const q = d.cells(qos);
      const value = med(q?.subjects.tagflow.deliveredPerSec);
      const baseline = med(q?.subjects['mqtt.js'].deliveredPerSec);
      const lost = q?.subjects.tagflow.lost.reduce((a, b) => a + b, 0);
      reportFigure({
        id: `${d.id}-qos${qos}`,
        value,
        baseline,
        missing:
          value === null ? failed('tagflow') : baseline === null ? `${d.yardstick}: ${failed('mqtt.js')}` : undefined,
        note: lost === undefined || value === null ? undefined : lost === 0 ? 'none lost' : d.lostNote(lost, qos),
      });
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
