// Issue 16: tagflow comes with its MQTT, Modbus and OPC UA nodes, loaded lazily; the pump-monitor
// example must start no slower and idle in no more memory than with the distribution before them
// (core + historian). Both are the real `tagflow run examples/pump-monitor/flow.json`, in turn, in
// one run: "full" is the CLI as built; "core + historian" is a copy of the CLI whose package.json
// lists only those two node packages (same code and node_modules, so discovery finds only those).
// Cold start is spawn -> the first value on stdout (its debug node prints one JSON line per value);
// idle RSS is the process tree's, 3 s after it. Every child has a deadline (BENCH_DEADLINE_MS).
// Alone: node --no-node-snapshot packages/bench/dist/distribution.bench.js (BENCH_RUNS, default 5).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { attempt } from './failures';
import type { Failure } from './failures';
import { readTree } from './process-tree';
import { Child, deadline, LAUNCHER_FLAGS } from './run-child';
import { series } from './stats';
import type { Series } from './stats';

type Variant = 'full' | 'core + historian';
const VARIANTS: Variant[] = ['full', 'core + historian'];
const IDLE_AFTER_MS = 3000;
const TODAY = ['@tagflow/nodes-core', '@tagflow/nodes-historian'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A copy of the CLI (its own files; node_modules linked) that depends on core + historian only. */
function todaysCli(work: string): string {
  const cli = dirname(require.resolve('tagflow/package.json'));
  const copy = join(work, 'tagflow-core-historian');
  mkdirSync(copy);
  for (const part of ['dist', 'bin']) cpSync(join(cli, part), join(copy, part), { recursive: true });
  symlinkSync(join(cli, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const manifest = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  manifest.dependencies = Object.fromEntries(
    Object.entries(manifest.dependencies).filter(
      ([name]) => !name.startsWith('@tagflow/nodes-') || TODAY.includes(name),
    ),
  );
  writeFileSync(join(copy, 'package.json'), JSON.stringify(manifest, null, 2));
  return join(copy, 'bin', 'tagflow.js');
}

interface Run {
  firstMs: number;
  idleRssMb: number;
}

/** One `tagflow run` of the pump-monitor flow from its own folder and data dir, until idle RSS is read. */
async function runOnce(label: string, launcher: string, flowFile: string, work: string, ms: number): Promise<Run> {
  const data = mkdtempSync(join(work, 'data-'));
  const t0 = performance.now();
  const cp = spawn(process.execPath, [...LAUNCHER_FLAGS, launcher, 'run', flowFile, '--data-dir', data], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = new Child(label, cp, ms);
  try {
    await new Promise<void>((ok, fail) => {
      cp.stdout.once('data', () => ok());
      void child.exited.then(() => fail(child.endError('before the first value')));
    });
    const firstMs = performance.now() - t0;
    await sleep(IDLE_AFTER_MS);
    return { firstMs, idleRssMb: readTree(cp.pid!).rssMb };
  } finally {
    await child.kill();
    rmSync(data, { recursive: true, force: true });
  }
}

export interface DistributionFigure {
  idleAfterMs: number;
  variants: Record<Variant, { firstMessageMs: Series; idleRssMb: Series }>;
  /** full / core + historian, of the medians: at most 1 means no worse. */
  ratio: { firstMessage: number; idleRss: number };
  failures: Failure[];
}

/** `runs` rounds, the two variants in turn (the order swapping each round), each a fresh process. */
export async function distributionFigure(runs: number, log: (line: string) => void): Promise<DistributionFigure> {
  const work = mkdtempSync(join(tmpdir(), 'tagflow-bench-distribution-'));
  const flowFile = resolve(__dirname, '..', '..', '..', 'examples', 'pump-monitor', 'flow.json');
  const launchers: Record<Variant, string> = {
    full: join(dirname(require.resolve('tagflow/package.json')), 'bin', 'tagflow.js'),
    'core + historian': todaysCli(work),
  };
  const raw = { full: [] as Run[], 'core + historian': [] as Run[] };
  const failures: Failure[] = [];
  const ms = deadline(30_000 + IDLE_AFTER_MS);
  try {
    for (let run = 0; run < runs; run++) {
      for (const variant of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        const label = `pump-monitor ${variant} run ${run + 1}`;
        const result = await attempt(label, variant, failures, log, () =>
          runOnce(label, launchers[variant], flowFile, work, ms),
        );
        if (!result) continue;
        raw[variant].push(result);
        log(
          `  ${label.padEnd(36)}: first value ${result.firstMs.toFixed(0)} ms, idle RSS ${result.idleRssMb.toFixed(0)} MB`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const of = (v: Variant) => ({
    firstMessageMs: series(raw[v].map((r) => r.firstMs)),
    idleRssMb: series(raw[v].map((r) => r.idleRssMb)),
  });
  const variants = { full: of('full'), 'core + historian': of('core + historian') };
  return {
    idleAfterMs: IDLE_AFTER_MS,
    variants,
    ratio: {
      firstMessage: variants.full.firstMessageMs.median / variants['core + historian'].firstMessageMs.median,
      idleRss: variants.full.idleRssMb.median / variants['core + historian'].idleRssMb.median,
    },
    failures,
  };
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  console.log(`pump-monitor with the full distribution (lazy) vs core + historian, ${runs} runs each, in turn`);
  const figure = await distributionFigure(runs, (line) => console.log(line));
  const row = (v: Variant) => {
    const { firstMessageMs: f, idleRssMb: r } = figure.variants[v];
    return `| ${v.padEnd(16)} | ${f.median.toFixed(0)} ms (${f.min.toFixed(0)}-${f.max.toFixed(0)}) | ${r.median.toFixed(0)} MB (${r.min.toFixed(0)}-${r.max.toFixed(0)}) |`;
  };
  console.log(`\n| distribution     | cold start, spawn -> first value | idle RSS ${IDLE_AFTER_MS / 1000} s after |`);
  console.log('| ---------------- | -------------------------------- | ----------------- |');
  console.log(row('full'));
  console.log(row('core + historian'));
  console.log(
    `full / core + historian: cold start ${figure.ratio.firstMessage.toFixed(2)}, idle RSS ${figure.ratio.idleRss.toFixed(2)}`,
  );
  const file = process.env.BENCH_RESULTS ?? join(__dirname, '..', 'results', 'distribution.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), runs, ...figure }, null, 2)}\n`);
  console.log(`results: ${file}`);
  if (figure.failures.length > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
