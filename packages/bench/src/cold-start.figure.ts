// Figure 4: cold start (process spawn -> first message at the sink) and the resident memory of an
// idle process with the reference flow deployed, for Node-RED embedded as a library, tagflow's
// engine embedded the same way, and the `tagflow run` command a user types (launcher, command line,
// node discovery, flow validation included).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Child, CHILD_SCRIPT, forkChild, NODE_FLAGS } from './run-child';
import type { System } from './run-child';
import { series } from './stats';
import type { Series } from './stats';
import { THRESHOLD, WINDOW } from './nodered-reference';

export type ColdSubject = System | 'tagflow run';
export const COLD_SUBJECTS: ColdSubject[] = ['node-red', 'tagflow', 'tagflow run'];

export interface ColdStartFigure {
  idleAfterMs: number[];
  subjects: Record<ColdSubject, { firstMessageMs: Series; idleRssMb: Series[] }>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resident memory of a live process, from the kernel (the same reading for every subject). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) / 1024;
}

/** The reference flow as a user writes it: simulate (first sample at start) -> mean of 10 -> switch -> debug. */
function referenceFlowFile(dir: string): string {
  const file = join(dir, 'cold-start.json');
  const flow = {
    schemaVersion: 1,
    id: 'cold-start',
    nodes: [
      {
        id: 'src',
        type: 'simulate',
        typeVersion: 1,
        config: { tag: 'bench', intervalMs: 1000, signal: { kind: 'sine', amplitude: 0, offset: THRESHOLD + 50 } },
      },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: WINDOW } } },
      {
        id: 'sw',
        type: 'switch',
        typeVersion: 1,
        config: { property: 'payload', rules: [{ op: 'gt', value: THRESHOLD }] },
      },
      { id: 'out', type: 'debug', typeVersion: 1, config: { property: 'payload' } },
    ],
    edges: [
      { source: 'src', target: 'avg' },
      { source: 'avg', target: 'sw' },
      { source: 'sw', sourcePort: 'out1', target: 'out' },
    ],
  };
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

interface Started {
  pid: number;
  first: Promise<void>;
  stop(): Promise<void>;
}

function startSubject(subject: ColdSubject, work: string): Started {
  if (subject === 'tagflow run') {
    const launcher = join(dirname(require.resolve('tagflow/package.json')), 'bin', 'tagflow.js');
    const cp = spawn(
      process.execPath,
      [...NODE_FLAGS.tagflow, launcher, 'run', referenceFlowFile(work), '--data-dir', join(work, 'data')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    cp.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    // The debug node prints one JSON line per value on stdout.
    const first = new Promise<void>((resolve, reject) => {
      cp.stdout.once('data', () => resolve());
      cp.once('exit', (code) => reject(new Error(`tagflow run exited (code ${code}) before the first value: ${err}`)));
    });
    const exited = new Promise((r) => cp.once('exit', r));
    return { pid: cp.pid!, first, stop: async () => void (cp.kill('SIGKILL'), await exited) };
  }
  const child: Child = forkChild(subject, CHILD_SCRIPT[subject], { mode: 'cold', fanout: 1 }, NODE_FLAGS[subject]);
  return { pid: child.process.pid!, first: child.waitFor('first').then(() => undefined), stop: () => child.kill() };
}

/** `runs` rounds, the subjects in turn (the order rotating each round), each a fresh process. */
export async function coldStartFigure(
  runs: number,
  idleAfterMs: number[],
  log: (line: string) => void,
): Promise<ColdStartFigure> {
  const raw = Object.fromEntries(
    COLD_SUBJECTS.map((s) => [s, { first: [] as number[], idle: idleAfterMs.map(() => [] as number[]) }]),
  ) as Record<ColdSubject, { first: number[]; idle: number[][] }>;
  const work = mkdtempSync(join(tmpdir(), 'tagflow-bench-cold-'));
  try {
    for (let run = 0; run < runs; run++) {
      const order = COLD_SUBJECTS.map((_, k) => COLD_SUBJECTS[(k + run) % COLD_SUBJECTS.length]);
      for (const subject of order) {
        const t0 = performance.now();
        const started = startSubject(subject, work);
        try {
          await started.first;
          const firstMs = performance.now() - t0;
          const tFirst = performance.now();
          const idle: number[] = [];
          for (const at of idleAfterMs) {
            await sleep(Math.max(0, at - (performance.now() - tFirst)));
            idle.push(rssMb(started.pid));
          }
          raw[subject].first.push(firstMs);
          idle.forEach((mb, k) => raw[subject].idle[k].push(mb));
          log(
            `  cold ${subject.padEnd(11)} run ${run + 1}: first message ${firstMs.toFixed(0)} ms, idle RSS ${idle.map((mb, k) => `${mb.toFixed(0)} MB @${idleAfterMs[k] / 1000}s`).join(', ')}`,
          );
        } finally {
          await started.stop();
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const subjects = Object.fromEntries(
    COLD_SUBJECTS.map((s) => [
      s,
      { firstMessageMs: series(raw[s].first), idleRssMb: raw[s].idle.map((values) => series(values)) },
    ]),
  ) as ColdStartFigure['subjects'];
  return { idleAfterMs, subjects };
}
