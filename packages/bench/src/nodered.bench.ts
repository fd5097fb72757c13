// `pnpm bench`, issue 8: tagflow beside Node-RED 4.1.15 on the reference flow, alternately, in one run.
// Every measurement is a fresh child process, for both systems: Node-RED embedded as a library
// (nodered/nr-child.cjs) and a tagflow engine (tagflow-child.ts), both driven and timed by the same
// harness (child-harness.ts), both sink counts checked against plain JS (nodered-reference.ts).
//   figure 1: throughput  source -> mean of 10 -> switch (> 100) -> counting sink
//   figure 2: the same with fan-out (the average wired to two switches, both to the sink)
//   figure 3: latency source -> sink at a steady 1,000 and 10,000 msg/s (p50 / p99 / max)
//   figure 4: cold start (spawn -> first message at the sink) and idle RSS (cold-start.figure.ts)
//   figure 5: end to end over MQTT beside plain mqtt.js, QoS 0 and 1 (mqtt.figure.ts)
//   figure 6: a function node doing a small computation per message -> counting sink
// Each system gets its fastest source setting: Node-RED one send per event-loop turn (its switch
// takes one queued message per setImmediate; bursts collapse it), tagflow 1,000 per turn (delivery
// is synchronous). BENCH_QUICK=1: one short run; BENCH_RUNS (default 3), BENCH_NR_N, BENCH_TF_N.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coldStartFigure, COLD_SUBJECTS } from './cold-start.figure';
import { mqttFigure } from './mqtt.figure';
import type { ChildConfig, ChildResult } from './nodered-reference';
import { runSystem } from './run-child';
import type { System } from './run-child';
import { formatRate, series } from './stats';
import type { Series } from './stats';

const quick = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3));
const NR_N = Number(process.env.BENCH_NR_N ?? (quick ? 30_000 : 1_000_000));
const TF_N = Number(process.env.BENCH_TF_N ?? (quick ? 200_000 : 3_000_000));
const NR_CHUNK = Number(process.env.BENCH_NR_CHUNK ?? 1);
const TF_CHUNK = Number(process.env.BENCH_TF_CHUNK ?? 1000);
const LAT_SECONDS = quick ? 1.5 : 6;
const LAT_WARMUP = quick ? 0.5 : 1;
const RATES = [1_000, 10_000];
const IDLE_AFTER_MS = quick ? [1_000] : [3_000, 10_000];
const MQTT_N = Number(process.env.BENCH_MQTT_N ?? (quick ? 10_000 : 200_000));
const FN_N: Record<System, number> = { 'node-red': quick ? 20_000 : 500_000, tagflow: quick ? 50_000 : 1_000_000 };

const mismatches: string[] = [];
function check(label: string, r: ChildResult): ChildResult {
  if (!r.ok) mismatches.push(`${label}: sink counted ${r.count}, plain JS expects ${r.expected}`);
  return r;
}

/** Burst throughput of `flow` in both systems, alternately, a fresh process per run. */
async function throughput(label: string, flow: Pick<ChildConfig, 'flow' | 'fanout'>, n: Record<System, number>) {
  const raw: Record<System, ChildResult[]> = { 'node-red': [], tagflow: [] };
  const chunk: Record<System, number> = { 'node-red': NR_CHUNK, tagflow: TF_CHUNK };
  for (let run = 0; run < RUNS; run++) {
    // Alternate, and swap who goes first each run, so drift on the machine hits both.
    const order: System[] = run % 2 === 0 ? ['node-red', 'tagflow'] : ['tagflow', 'node-red'];
    for (const system of order) {
      const r = check(
        `${label} ${system} run ${run + 1}`,
        await runSystem(system, { mode: 'burst', ...flow, n: n[system], chunk: chunk[system], timeoutMs: 240_000 }),
      );
      raw[system].push(r);
      console.log(
        `  ${label} ${system.padEnd(8)} run ${run + 1}: ${formatRate(r.msgsPerSec!)} msg/s, sink ${r.count}/${r.expected}${r.ok ? '' : ' MISMATCH'}, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
      );
    }
  }
  const nr = series(raw['node-red'].map((r) => r.msgsPerSec!));
  const tf = series(raw.tagflow.map((r) => r.msgsPerSec!));
  return {
    nodeRed: {
      n: n['node-red'],
      chunk: NR_CHUNK,
      msgsPerSec: nr,
      peakRssMb: series(raw['node-red'].map((r) => r.peakRssMb)),
    },
    tagflow: { n: n.tagflow, chunk: TF_CHUNK, msgsPerSec: tf, peakRssMb: series(raw.tagflow.map((r) => r.peakRssMb)) },
    ratio: tf.median / nr.median,
    raw,
  };
}

async function latency(rate: number) {
  const raw: Record<System, ChildResult[]> = { 'node-red': [], tagflow: [] };
  for (let run = 0; run < RUNS; run++) {
    const order: System[] = run % 2 === 0 ? ['node-red', 'tagflow'] : ['tagflow', 'node-red'];
    for (const system of order) {
      const r = check(
        `latency ${rate} ${system} run ${run + 1}`,
        await runSystem(system, { mode: 'rate', fanout: 1, rate, seconds: LAT_SECONDS, warmupSeconds: LAT_WARMUP }),
      );
      raw[system].push(r);
      const l = r.latencyMs!;
      console.log(
        `  @${rate}/s ${system.padEnd(8)} run ${run + 1}: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms, max ${l.max.toFixed(3)} ms, CPU ${r.cpuPct.toFixed(0)}%${r.ok ? '' : ' MISMATCH'}`,
      );
    }
  }
  const pick = (system: System) => ({
    p50: series(raw[system].map((r) => r.latencyMs!.p50)),
    p99: series(raw[system].map((r) => r.latencyMs!.p99)),
    max: series(raw[system].map((r) => r.latencyMs!.max)),
    cpuPct: series(raw[system].map((r) => r.cpuPct)),
  });
  return {
    rate,
    seconds: LAT_SECONDS,
    warmupSeconds: LAT_WARMUP,
    nodeRed: pick('node-red'),
    tagflow: pick('tagflow'),
    raw,
  };
}

async function main(): Promise<void> {
  console.log(
    `tagflow vs Node-RED: ${RUNS} run(s) each, fresh process per measurement, Node ${process.version}${quick ? ' (quick)' : ''}`,
  );
  console.log(
    `  Node-RED N=${NR_N.toLocaleString('en')} (${NR_CHUNK}/turn), tagflow N=${TF_N.toLocaleString('en')} (${TF_CHUNK}/turn)`,
  );
  const referenceN: Record<System, number> = { 'node-red': NR_N, tagflow: TF_N };
  const fig1 = await throughput('fan-out 1', { fanout: 1 }, referenceN);
  const fig2 = await throughput('fan-out 2', { fanout: 2 }, referenceN);
  const fig3 = [];
  for (const rate of RATES) fig3.push(await latency(rate));
  const fig4 = await coldStartFigure(RUNS, IDLE_AFTER_MS, console.log);
  const fig5 = await mqttFigure(
    { runs: RUNS, n: MQTT_N, chunk: { 'node-red': NR_CHUNK, tagflow: TF_CHUNK }, rawChunk: 100 },
    console.log,
  );
  const fig6 = await throughput('function', { flow: 'function', fanout: 1 }, FN_N);
  const nrVersion = fig1.raw['node-red'][0].version;

  const f = (s: Series) =>
    `${formatRate(s.median).padStart(9)} ${formatRate(s.min).padStart(9)} ${formatRate(s.max).padStart(9)}`;
  console.log(
    `\n${'throughput (msg/s)'.padEnd(40)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}  tagflow/Node-RED`,
  );
  for (const [name, fig] of [
    ['1 reference flow', fig1],
    ['2 fan-out to two switches', fig2],
  ] as const) {
    console.log(`${`${name}, Node-RED ${nrVersion}`.padEnd(40)} ${f(fig.nodeRed.msgsPerSec)}`);
    console.log(
      `${`${name}, tagflow`.padEnd(40)} ${f(fig.tagflow.msgsPerSec)}  ${fig.ratio.toFixed(1)}x (target >= 20x)`,
    );
  }
  const ms = (s: Series) => s.median.toFixed(3);
  console.log(`\n3 latency, medians of ${RUNS} run(s) (ms)      p50      p99      max`);
  for (const l of fig3) {
    for (const [name, s] of [
      [`Node-RED ${nrVersion}`, l.nodeRed],
      ['tagflow', l.tagflow],
    ] as const) {
      console.log(
        `${`@ ${l.rate.toLocaleString('en')} msg/s ${name}`.padEnd(40)} ${ms(s.p50).padStart(8)} ${ms(s.p99).padStart(8)} ${ms(s.max).padStart(8)}`,
      );
    }
  }
  const at10k = fig3.find((l) => l.rate === 10_000)!;
  const p99ratio = at10k.tagflow.p99.median / at10k.nodeRed.p99.median;
  console.log(`\np99 @ 10k msg/s tagflow/Node-RED: ${(p99ratio * 100).toFixed(1)}% (target <= 20%, and < 1 ms)`);

  const idleAt = (k: number) => `idle RSS @${IDLE_AFTER_MS[k] / 1000}s (MB)`;
  console.log(
    `\n4 cold start (median of ${RUNS})          first msg (ms)  ${IDLE_AFTER_MS.map((_, k) => idleAt(k)).join('  ')}`,
  );
  for (const subject of COLD_SUBJECTS) {
    const c = fig4.subjects[subject];
    const name =
      subject === 'node-red'
        ? `Node-RED ${nrVersion} (embedded)`
        : subject === 'tagflow'
          ? 'tagflow engine (embedded)'
          : 'tagflow run flow.json';
    console.log(
      `${name.padEnd(40)} ${c.firstMessageMs.median.toFixed(0).padStart(14)}  ${c.idleRssMb.map((s, k) => s.median.toFixed(0).padStart(idleAt(k).length)).join('  ')}`,
    );
  }
  const nrCold = fig4.subjects['node-red'];
  const coldRatio = (subject: 'tagflow' | 'tagflow run') =>
    fig4.subjects[subject].firstMessageMs.median / nrCold.firstMessageMs.median;
  const idleRatio = (subject: 'tagflow' | 'tagflow run', k: number) =>
    fig4.subjects[subject].idleRssMb[k].median / nrCold.idleRssMb[k].median;
  console.log(
    `cold start tagflow run / Node-RED: ${(coldRatio('tagflow run') * 100).toFixed(0)}% (target <= 33%); idle RSS: ${IDLE_AFTER_MS.map((_, k) => `${(idleRatio('tagflow run', k) * 100).toFixed(0)}%`).join(', ')} (target <= 60%)`,
  );

  console.log(
    `\n5 MQTT end to end, delivered msg/s (median of ${RUNS}; ${fig5.published.toLocaleString('en')} published)`,
  );
  for (const q of fig5.byQos) {
    const line = (['node-red', 'mqtt.js', 'tagflow'] as const)
      .map((s) => `${s} ${formatRate(q.subjects[s].deliveredPerSec.median)} (lost ${Math.max(...q.subjects[s].lost)})`)
      .join(', ');
    console.log(
      `  QoS ${q.qos}: ${line}; tagflow/mqtt.js ${(q.tagflowOfRaw * 100).toFixed(0)}% (target >= 90%), tagflow/Node-RED ${q.tagflowOfNodeRed.toFixed(1)}x`,
    );
  }
  console.log(
    `\n6 function node, msg/s: Node-RED ${f(fig6.nodeRed.msgsPerSec)}, tagflow ${f(fig6.tagflow.msgsPerSec)}: ${fig6.ratio.toFixed(1)}x (target >= 1x)`,
  );

  const qos1 = fig5.byQos.find((q) => q.qos === 1)!;
  const targets = {
    fig1Ratio20x: fig1.ratio >= 20,
    fig2Ratio20x: fig2.ratio >= 20,
    p99At10kFifthOfNodeRed: p99ratio <= 0.2,
    p99At10kUnder1ms: at10k.tagflow.p99.median < 1,
    coldStartThirdOfNodeRed: coldRatio('tagflow run') <= 1 / 3,
    idleRssSixtyPercentOfNodeRed: IDLE_AFTER_MS.map((_, k) => idleRatio('tagflow run', k) <= 0.6),
    mqttNinetyPercentOfRaw: fig5.byQos.map((q) => q.tagflowOfRaw >= 0.9),
    mqttQos1NoLoss: qos1.subjects.tagflow.lost.every((lost) => lost === 0),
    functionAtLeastNodeRed: fig6.ratio >= 1,
  };
  console.log(`targets: ${JSON.stringify(targets)}`);
  if (mismatches.length) console.log(`COUNT MISMATCHES:\n  ${mismatches.join('\n  ')}`);

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    nodeRed: nrVersion,
    quick,
    runs: RUNS,
    method:
      'fresh child process per measurement for both systems; same harness; Node-RED embedded (no editor/admin API); custom plain-JS source and sink nodes in both; sink counts checked against plain JS',
    figure1: fig1,
    figure2: fig2,
    figure3: fig3,
    p99RatioAt10k: p99ratio,
    figure4: fig4,
    figure5: fig5,
    figure6: fig6,
    targets,
    mismatches,
  };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, quick ? 'nodered-quick.json' : 'nodered.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (mismatches.length) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
