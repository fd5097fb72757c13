// `pnpm bench`: every part of the benchmark in turn, each in a process of its own with a deadline,
// then the summary table of the issue's figures (summary.ts). A part that crashes, fails or passes
// its deadline (SIGTERM, then SIGKILL of its whole process tree 10 s later: one that ignores SIGTERM
// ends too, and so do the children it started) is reported as such, and the run goes on to the next
// part and prints the summary; it exits 1 when a part failed. Ctrl-C ends the part running, skips
// the others and still prints the summary.
//   BENCH_PARTS       the parts to run, by name (e.g. `nodered,scale-out`), default all
//   BENCH_PART_DEADLINE_MS  every part's deadline instead of its own
//   BENCH_PART_GRACE_MS     how long a part has between SIGTERM and SIGKILL (default 10 s)
//   BENCH_SUMMARY_FILE      where the parts' figures are gathered (default results/summary.jsonl)
// A new part: a script in dist/ that reports its figures with reportFigure() (summary.ts), listed
// in PARTS below.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Child } from './run-child';
import { readReports, summaryRows, summaryTable } from './summary';
import type { PartOutcome } from './summary';

export interface Part {
  name: string;
  /** A script in dist/ (or an absolute path). */
  script: string;
  deadlineMs: number;
}

const MINUTE = 60_000;

/** The parts of `pnpm bench`, in the order they run. */
export const PARTS: Part[] = [
  { name: 'engine', script: 'engine.bench.js', deadlineMs: 20 * MINUTE },
  { name: 'historian', script: 'historian.bench.js', deadlineMs: 30 * MINUTE },
  { name: 'nodered', script: 'nodered.bench.js', deadlineMs: 90 * MINUTE },
  { name: 'distribution', script: 'distribution.bench.js', deadlineMs: 15 * MINUTE },
  { name: 'scale-out', script: 'scale-out.figure.js', deadlineMs: 20 * MINUTE },
];

/**
 * How long a part has after SIGTERM (to report what it has and remove its files) before SIGKILL:
 * 10 s, or BENCH_PART_GRACE_MS.
 */
const graceMs = () => Number(process.env.BENCH_PART_GRACE_MS) || 10_000;

/**
 * The parts to run: PARTS, those BENCH_PARTS names, or (for the tests) BENCH_PARTS as a JSON list
 * of parts.
 */
function chosenParts(): Part[] {
  const env = process.env.BENCH_PARTS?.trim();
  if (!env) return PARTS;
  if (env.startsWith('[')) return JSON.parse(env) as Part[];
  const names = env.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !PARTS.some((p) => p.name === n));
  if (unknown.length)
    throw new Error(`BENCH_PARTS: no part ${unknown.join(', ')} (parts: ${PARTS.map((p) => p.name).join(', ')})`);
  return PARTS.filter((p) => names.includes(p.name));
}

/** Runs one part to its end and says how it ended. */
async function runPart(part: Part, summaryFile: string, onChild: (c: Child | undefined) => void): Promise<PartOutcome> {
  const override = Number(process.env.BENCH_PART_DEADLINE_MS);
  const deadlineMs = override > 0 ? override : part.deadlineMs;
  const script = isAbsolute(part.script) ? part.script : join(__dirname, part.script);
  const cp = spawn(process.execPath, ['--no-node-snapshot', script], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, BENCH_SUMMARY_FILE: summaryFile, BENCH_PART: part.name },
  });
  const child = new Child(`part ${part.name}`, cp, deadlineMs, graceMs());
  onChild(child);
  const code = await child.exited;
  onChild(undefined);
  if (code === 0) return { name: part.name, outcome: 'ok', failed: false };
  const err = child.endError('');
  const outcome = err.name === 'DeadlineError' ? `FAILED: ${err.message.split(',')[0].replace(/^part \S+ /, '')}` : '';
  if (outcome) return { name: part.name, outcome, failed: true };
  // Exit code 1 is also a part that ran to its end with a measurement missing (it said which, and
  // reported the figures it has): the figures it did not report show this.
  return {
    name: part.name,
    outcome: `FAILED: ${cp.signalCode ? `killed by ${cp.signalCode}` : `exited with code ${code}`}`,
    failed: true,
  };
}

async function main(): Promise<void> {
  const parts = chosenParts();
  const summaryFile = process.env.BENCH_SUMMARY_FILE || join(__dirname, '..', 'results', 'summary.jsonl');
  mkdirSync(dirname(summaryFile), { recursive: true });
  rmSync(summaryFile, { force: true });
  writeFileSync(summaryFile, '');

  let running: Child | undefined;
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.log('\nCtrl-C: ending this part, skipping the rest; Ctrl-C again to quit at once');
    void running?.kill();
  });

  const outcomes: PartOutcome[] = [];
  for (const part of parts) {
    if (interrupted) {
      outcomes.push({ name: part.name, outcome: 'skipped (Ctrl-C)', failed: true });
      continue;
    }
    console.log(`\n=== ${part.name} (${part.script}) ===`);
    const t0 = performance.now();
    const outcome = await runPart(part, summaryFile, (c) => (running = c));
    outcomes.push(outcome);
    console.log(`=== ${part.name}: ${outcome.outcome} (${((performance.now() - t0) / 1000).toFixed(0)} s) ===`);
  }

  console.log(`\nSummary (issue 19 targets; ${new Date().toISOString()}, Node ${process.version})`);
  for (const o of outcomes) console.log(`  part ${o.name}: ${o.outcome}`);
  console.log('');
  for (const line of summaryTable(summaryRows(readReports(summaryFile), outcomes))) console.log(line);
  if (outcomes.some((o) => o.outcome !== 'ok')) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
