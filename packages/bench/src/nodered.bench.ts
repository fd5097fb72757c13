// `pnpm bench`, issue 8: tagflow beside Node-RED 4.1.15 on the reference flow, alternately, in one run.
// Every measurement is a fresh child process, for both systems: Node-RED embedded as a library
// (nodered/nr-child.cjs) and a tagflow engine (tagflow-child.ts), both driven and timed by the same
// harness (child-harness.ts), both sink counts checked against plain JS (nodered-reference.ts).
//   figure 1: throughput  source -> mean of 10 -> switch (> 100) -> counting sink
//   figure 2: the same with fan-out (the average wired to two switches, both to the sink)
//   figure 3: latency source -> sink at a steady 1,000 and 10,000 msg/s (p50 / p99 / max)
// Each system gets its fastest source setting: Node-RED one send per event-loop turn (its switch
// takes one queued message per setImmediate; bursts collapse it), tagflow 1,000 per turn (delivery
// is synchronous). BENCH_QUICK=1: one short run; BENCH_RUNS (default 3), BENCH_NR_N, BENCH_TF_N.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildConfig, ChildResult } from './nodered-reference';
import { median, formatRate } from './stats';

const quick = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3));
const NR_N = Number(process.env.BENCH_NR_N ?? (quick ? 30_000 : 1_000_000));
const TF_N = Number(process.env.BENCH_TF_N ?? (quick ? 200_000 : 3_000_000));
const NR_CHUNK = Number(process.env.BENCH_NR_CHUNK ?? 1);
const TF_CHUNK = Number(process.env.BENCH_TF_CHUNK ?? 1000);
const LAT_SECONDS = quick ? 1.5 : 6;
const LAT_WARMUP = quick ? 0.5 : 1;
const RATES = [1_000, 10_000];

type System = ChildResult['system'];
const CHILD: Record<System, string> = {
  'node-red': join(__dirname, '..', 'nodered', 'nr-child.cjs'),
  tagflow: join(__dirname, 'tagflow-child.js'),
};

function runChild(system: System, cfg: ChildConfig): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const cp = fork(CHILD[system], [JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: ['--no-node-snapshot'] });
    let output = '';
    cp.stdout?.on('data', (d) => (output += d));
    cp.stderr?.on('data', (d) => (output += d));
    let result: ChildResult | undefined;
    let error: string | undefined;
    cp.on('message', (m: ChildResult | { type: 'error'; error: string }) => {
      if (m.type === 'result') result = m;
      else error = m.error;
    });
    cp.on('exit', (code) => {
      if (result) return resolve(result);
      reject(new Error(`${system} child failed (exit ${code}): ${error ?? ''}\n${output.slice(-2000)}`));
    });
  });
}

interface Series {
  values: number[];
  median: number;
  min: number;
  max: number;
}
const series = (values: number[]): Series => ({ values, median: median(values), min: Math.min(...values), max: Math.max(...values) });

const mismatches: string[] = [];
function check(label: string, r: ChildResult): ChildResult {
  if (!r.ok) mismatches.push(`${label}: sink counted ${r.count}, plain JS expects ${r.expected}`);
  return r;
}

async function throughput(fanout: number) {
  const raw: Record<System, ChildResult[]> = { 'node-red': [], tagflow: [] };
  for (let run = 0; run < RUNS; run++) {
    // Alternate, and swap who goes first each run, so drift on the machine hits both.
    const order: System[] = run % 2 === 0 ? ['node-red', 'tagflow'] : ['tagflow', 'node-red'];
    for (const system of order) {
      const n = system === 'node-red' ? NR_N : TF_N;
      const chunk = system === 'node-red' ? NR_CHUNK : TF_CHUNK;
      const r = check(`fanout ${fanout} ${system} run ${run + 1}`, await runChild(system, { mode: 'burst', fanout, n, chunk, timeoutMs: 240_000 }));
      raw[system].push(r);
      console.log(`  fan-out ${fanout} ${system.padEnd(8)} run ${run + 1}: ${formatRate(r.msgsPerSec!)} msg/s, sink ${r.count}/${r.expected}${r.ok ? '' : ' MISMATCH'}, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
    }
  }
  const nr = series(raw['node-red'].map((r) => r.msgsPerSec!));
  const tf = series(raw.tagflow.map((r) => r.msgsPerSec!));
  return {
    nodeRed: { n: NR_N, chunk: NR_CHUNK, msgsPerSec: nr, peakRssMb: series(raw['node-red'].map((r) => r.peakRssMb)) },
    tagflow: { n: TF_N, chunk: TF_CHUNK, msgsPerSec: tf, peakRssMb: series(raw.tagflow.map((r) => r.peakRssMb)) },
    ratio: tf.median / nr.median,
    raw,
  };
}

async function latency(rate: number) {
  const raw: Record<System, ChildResult[]> = { 'node-red': [], tagflow: [] };
  for (let run = 0; run < RUNS; run++) {
    const order: System[] = run % 2 === 0 ? ['node-red', 'tagflow'] : ['tagflow', 'node-red'];
    for (const system of order) {
      const r = check(`latency ${rate} ${system} run ${run + 1}`, await runChild(system, { mode: 'rate', fanout: 1, rate, seconds: LAT_SECONDS, warmupSeconds: LAT_WARMUP }));
      raw[system].push(r);
      const l = r.latencyMs!;
      console.log(`  @${rate}/s ${system.padEnd(8)} run ${run + 1}: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms, max ${l.max.toFixed(3)} ms, CPU ${r.cpuPct.toFixed(0)}%${r.ok ? '' : ' MISMATCH'}`);
    }
  }
  const pick = (system: System) => ({
    p50: series(raw[system].map((r) => r.latencyMs!.p50)),
    p99: series(raw[system].map((r) => r.latencyMs!.p99)),
    max: series(raw[system].map((r) => r.latencyMs!.max)),
    cpuPct: series(raw[system].map((r) => r.cpuPct)),
  });
  return { rate, seconds: LAT_SECONDS, warmupSeconds: LAT_WARMUP, nodeRed: pick('node-red'), tagflow: pick('tagflow'), raw };
}

async function main(): Promise<void> {
  console.log(`tagflow vs Node-RED: ${RUNS} run(s) each, fresh process per measurement, Node ${process.version}${quick ? ' (quick)' : ''}`);
  console.log(`  Node-RED N=${NR_N.toLocaleString('en')} (${NR_CHUNK}/turn), tagflow N=${TF_N.toLocaleString('en')} (${TF_CHUNK}/turn)`);
  const fig1 = await throughput(1);
  const fig2 = await throughput(2);
  const fig3 = [];
  for (const rate of RATES) fig3.push(await latency(rate));
  const nrVersion = fig1.raw['node-red'][0].version;

  const f = (s: Series) => `${formatRate(s.median).padStart(9)} ${formatRate(s.min).padStart(9)} ${formatRate(s.max).padStart(9)}`;
  console.log(`\n${'throughput (msg/s)'.padEnd(40)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}  tagflow/Node-RED`);
  for (const [name, fig] of [['1 reference flow', fig1], ['2 fan-out to two switches', fig2]] as const) {
    console.log(`${`${name}, Node-RED ${nrVersion}`.padEnd(40)} ${f(fig.nodeRed.msgsPerSec)}`);
    console.log(`${`${name}, tagflow`.padEnd(40)} ${f(fig.tagflow.msgsPerSec)}  ${fig.ratio.toFixed(1)}x (target >= 20x)`);
  }
  const ms = (s: Series) => s.median.toFixed(3);
  console.log(`\n3 latency, medians of ${RUNS} run(s) (ms)      p50      p99      max`);
  for (const l of fig3) {
    for (const [name, s] of [[`Node-RED ${nrVersion}`, l.nodeRed], ['tagflow', l.tagflow]] as const) {
      console.log(`${`@ ${l.rate.toLocaleString('en')} msg/s ${name}`.padEnd(40)} ${ms(s.p50).padStart(8)} ${ms(s.p99).padStart(8)} ${ms(s.max).padStart(8)}`);
    }
  }
  const at10k = fig3.find((l) => l.rate === 10_000)!;
  const p99ratio = at10k.tagflow.p99.median / at10k.nodeRed.p99.median;
  const targets = {
    fig1Ratio20x: fig1.ratio >= 20,
    fig2Ratio20x: fig2.ratio >= 20,
    p99At10kFifthOfNodeRed: p99ratio <= 0.2,
    p99At10kUnder1ms: at10k.tagflow.p99.median < 1,
  };
  console.log(`\np99 @ 10k msg/s tagflow/Node-RED: ${(p99ratio * 100).toFixed(1)}% (target <= 20%, and < 1 ms)`);
  console.log(`targets: ${JSON.stringify(targets)}`);
  if (mismatches.length) console.log(`COUNT MISMATCHES:\n  ${mismatches.join('\n  ')}`);

  const report = {
    date: new Date().toISOString(), node: process.version, nodeRed: nrVersion, quick, runs: RUNS,
    method: 'fresh child process per measurement for both systems; same harness; Node-RED embedded (no editor/admin API); custom plain-JS source and sink nodes in both; sink counts checked against plain JS',
    figure1: fig1, figure2: fig2, figure3: fig3, p99RatioAt10k: p99ratio, targets, mismatches,
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
