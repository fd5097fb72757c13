// `pnpm bench`: the reference flow (simulate -> moving-average(10) -> threshold -> counting sink)
// in-process, beside hand-written loops doing the same arithmetic, alternately, in one run.
// BENCH_QUICK=1 runs a seconds-long smoke version.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, NodeRegistry } from '@tagflow/runtime';
import type { EngineLogger } from '@tagflow/runtime';
import { movingAverage, simulate, threshold } from '@tagflow/nodes-core';
import { countingSink, latencySink, pacedSource } from './bench-nodes';
import { runLoop } from './reference-loop';
import { percentile, median, formatRate } from './stats';

const quick = process.env.BENCH_QUICK === '1';
const N = Number(process.env.BENCH_N ?? (quick ? 200_000 : 3_000_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 5));
const LATENCY_SECONDS = quick ? 0.5 : 3;
const ABOVE = 42.5;
const HYSTERESIS = 1;

const quiet: EngineLogger = {
  debug() {},
  info() {},
  warn: (o, m) => console.error(m, o),
  error: (o, m) => console.error(m, o),
};

function referenceFlow(count: number) {
  return {
    schemaVersion: 1,
    id: 'bench-reference',
    nodes: [
      {
        id: 'sensor',
        type: 'simulate',
        typeVersion: 1,
        config: {
          tag: 'pump3/flow',
          intervalMs: 0,
          count,
          seed: 42,
          signal: { kind: 'sine', amplitude: 5, offset: 40, periodSeconds: 0.05, noise: 0.5 },
        },
      },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 10 } } },
      { id: 'high', type: 'threshold', typeVersion: 1, config: { above: ABOVE, hysteresis: HYSTERESIS } },
      { id: 'sink', type: 'bench-sink', typeVersion: 1 },
    ],
    // The sink counts the alarm events (raised and cleared), as a historian or MQTT publisher would.
    edges: [
      { source: 'sensor', target: 'avg' },
      { source: 'avg', target: 'high' },
      { source: 'high', target: 'sink' },
    ],
  };
}

/** `sampled`: with a `samples` listener, as while an editor is connected (every port of every node sampled). */
async function engineThroughput(
  count: number,
  sampled = false,
): Promise<{ seconds: number; cpuSeconds: number; peakRssMb: number; alarms: number }> {
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const registry = new NodeRegistry();
  let alarms = 0;
  for (const def of [simulate, movingAverage, threshold, countingSink(() => ++alarms)]) registry.registerNode(def);
  const engine = new Engine({ registry, logger: quiet });
  let windows = 0;
  const countWindow = () => void windows++;
  if (sampled) engine.on('samples', countWindow);
  // The simulator reports its last sample sent; what the engine queued to yield (it does after a few
  // ms of synchronous work) is done at `engine.idle()`.
  engine.on('status', ({ nodeId, status }) => {
    if (nodeId === 'sensor' && status.state === 'idle') resolveDone();
  });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = await engine.deploy(referenceFlow(count));
  if (!result.ok) throw new Error(`benchmark flow refused: ${JSON.stringify(result.errors)}`);
  await done;
  await engine.idle();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // CPU time of this process (user + system): less moved than wall time by other work on the machine.
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  const stats = engine.stats();
  if (stats.avg.in !== count || stats.high.in !== count || stats.sink.in !== alarms) {
    throw new Error(`lost messages: ${JSON.stringify(stats)}`);
  }
  await engine.stop();
  engine.off('samples', countWindow);
  if (sampled && windows === 0 && seconds > 1.5) throw new Error('the sampled run emitted no samples');
  return { seconds, cpuSeconds, peakRssMb: peak / 2 ** 20, alarms };
}

async function engineLatency(
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; max: number; count: number }> {
  const samples: number[] = [];
  const total = Math.round(rate * seconds);
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const registry = new NodeRegistry();
  const sink = latencySink((ms) => {
    samples.push(ms);
    if (samples.length === total) resolveDone();
  });
  for (const def of [pacedSource, movingAverage, threshold, sink]) registry.registerNode(def);
  const engine = new Engine({ registry, logger: quiet });
  const result = await engine.deploy({
    schemaVersion: 1,
    id: 'bench-latency',
    nodes: [
      { id: 'src', type: 'bench-paced', typeVersion: 1, config: { rate, seconds } },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 10 } } },
      {
        id: 'high',
        type: 'threshold',
        typeVersion: 1,
        config: { above: ABOVE, hysteresis: HYSTERESIS, passThrough: true },
      },
      { id: 'sink', type: 'bench-latency-sink', typeVersion: 1 },
    ],
    edges: [
      { source: 'src', target: 'avg' },
      { source: 'avg', target: 'high' },
      { source: 'high', sourcePort: 'samples', target: 'sink' },
    ],
  });
  if (!result.ok) throw new Error(`latency flow refused: ${JSON.stringify(result.errors)}`);
  await done;
  await engine.stop();
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples[samples.length - 1],
    count: samples.length,
  };
}

async function main(): Promise<void> {
  console.log(
    `tagflow engine benchmark: N=${N.toLocaleString('en')} messages, ${RUNS} run(s) each, Node ${process.version}${quick ? ' (quick)' : ''}`,
  );
  // Warm-up, so the first measured variant is not the one paying for JIT compilation.
  runLoop(Math.min(N, 200_000), true, ABOVE, HYSTERESIS);
  await engineThroughput(Math.min(N, 100_000));

  const rates = {
    loopNoAlloc: [] as number[],
    loopAlloc: [] as number[],
    engine: [] as number[],
    engineSampled: [] as number[],
  };
  const cpuPerMessageUs = { engine: [] as number[], engineSampled: [] as number[] };
  let peakRssMb = 0;
  for (let run = 0; run < RUNS; run++) {
    rates.loopNoAlloc.push(N / runLoop(N, false, ABOVE, HYSTERESIS).seconds);
    rates.loopAlloc.push(N / runLoop(N, true, ABOVE, HYSTERESIS).seconds);
    const e = await engineThroughput(N);
    rates.engine.push(N / e.seconds);
    peakRssMb = Math.max(peakRssMb, e.peakRssMb);
    const sampled = await engineThroughput(N, true);
    rates.engineSampled.push(N / sampled.seconds);
    cpuPerMessageUs.engine.push((e.cpuSeconds / N) * 1e6);
    cpuPerMessageUs.engineSampled.push((sampled.cpuSeconds / N) * 1e6);
  }
  const latency = {
    at1k: await engineLatency(1_000, LATENCY_SECONDS),
    at10k: await engineLatency(10_000, LATENCY_SECONDS),
  };

  const row = (name: string, list: number[]) =>
    `${name.padEnd(44)} ${formatRate(median(list)).padStart(12)} ${formatRate(Math.min(...list)).padStart(12)} ${formatRate(Math.max(...list)).padStart(12)}`;
  console.log(
    `\n${'throughput (messages/s)'.padEnd(44)} ${'median'.padStart(12)} ${'min'.padStart(12)} ${'max'.padStart(12)}`,
  );
  console.log(row('plain JS loop, no allocation', rates.loopNoAlloc));
  console.log(row('plain JS loop, one message object per step', rates.loopAlloc));
  console.log(row('tagflow engine, simulate->avg->threshold->sink', rates.engine));
  console.log(row('the same, sampled for an editor (samples on)', rates.engineSampled));
  const ratioAlloc = median(rates.engine) / median(rates.loopAlloc);
  const ratioNoAlloc = median(rates.engine) / median(rates.loopNoAlloc);
  console.log(`\nratio tagflow / allocating loop: ${(ratioAlloc * 100).toFixed(1)}% (target >= 25%)`);
  console.log(`ratio tagflow / non-allocating loop: ${(ratioNoAlloc * 100).toFixed(1)}%`);
  // CPU time per message, run by run (each sampled run follows its unsampled twin): what the
  // sampling adds, least moved by other work on a shared machine.
  const samplingCost = median(cpuPerMessageUs.engine.map((c, i) => cpuPerMessageUs.engineSampled[i] / c - 1));
  const cpuUs = { engine: median(cpuPerMessageUs.engine), engineSampled: median(cpuPerMessageUs.engineSampled) };
  console.log(
    `cost of per-node sampling while an editor watches: ${(samplingCost * 100).toFixed(1)}% of CPU time per message (${cpuUs.engine.toFixed(2)} -> ${cpuUs.engineSampled.toFixed(2)} µs, medians of the runs)`,
  );
  console.log(`peak RSS during engine runs: ${peakRssMb.toFixed(0)} MB`);
  for (const [name, l] of Object.entries(latency)) {
    console.log(
      `latency ${name.replace('at', '@ ')} msg/s: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms, max ${l.max.toFixed(3)} ms (${l.count} messages)`,
    );
  }

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    quick,
    N,
    runs: RUNS,
    rates,
    ratioAlloc,
    ratioNoAlloc,
    samplingCost,
    cpuPerMessageUs,
    peakRssMb,
    latency,
  };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, quick ? 'engine-quick.json' : 'engine.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
