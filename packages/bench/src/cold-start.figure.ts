// Figure 4: cold start (process spawn -> first message at the sink) and the resident memory of an
// idle process with the reference flow deployed, for Node-RED embedded as a library, tagflow's
// engine embedded the same way, and the `tagflow run` command a user types (launcher, command line,
// node discovery, flow validation included); and the services as their users start them on a box,
// `tagflow start` with a stored flow and Node-RED's `node-red` (its only mode), each with its admin
// HTTP server and the flow ending in an MQTT publisher (service-start.ts): spawn -> admin HTTP
// answers, spawn -> first message at a subscriber, and the RSS of the whole process tree.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { attempt } from './failures';
import type { Failure } from './failures';
import { readTree } from './process-tree';
import { Child, deadline, forkSystem, LAUNCHER_FLAGS } from './run-child';
import { ServiceBench } from './service-start';
import type { StartSubject } from './service-start';
import { series } from './stats';
import type { Series } from './stats';
import { THRESHOLD, WINDOW } from './nodered-reference';
import type { FigureReport } from './summary';
import { NODE_RED_SYSTEMS, rotations, SYSTEMS, TARGET_BASELINE } from './systems';
import type { System } from './systems';

/** `tagflow run` of the reference flow, and of the pump-monitor example (issue 19's cold start). */
export type RunSubject = 'tagflow run' | 'tagflow run pump-monitor';
export type ColdSubject = System | RunSubject | StartSubject;
/** The services, Node-RED's first, as tables list them. */
export const START_SUBJECTS: StartSubject[] = [...NODE_RED_SYSTEMS.map((s) => `${s} start` as const), 'tagflow start'];
export const COLD_SUBJECTS: ColdSubject[] = [...SYSTEMS, 'tagflow run', 'tagflow run pump-monitor', ...START_SUBJECTS];
const PUMP_MONITOR = join(__dirname, '..', '..', '..', 'examples', 'pump-monitor', 'flow.json');

const isService = (s: ColdSubject): s is StartSubject => s.endsWith(' start');

export interface ColdStartFigure {
  idleAfterMs: number[];
  subjects: Record<
    ColdSubject,
    {
      firstMessageMs: Series;
      /** Services only: spawn -> the admin HTTP server answers (tagflow's /healthz, Node-RED's editor). */
      adminMs?: Series;
      /** Of the whole process tree. */
      idleRssMb: Series[];
    }
  >;
  failures: Failure[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
  /** Resolves when the first message is at the sink: with ms since spawn when the subject times it itself. */
  first: Promise<number | void>;
  admin?: Promise<number>;
  stop(): Promise<void>;
}

async function startSubject(
  subject: ColdSubject,
  work: string,
  deadlineMs: number,
  services: () => ServiceBench,
): Promise<Started> {
  if (isService(subject)) return services().start(subject);
  if (subject === 'tagflow run' || subject === 'tagflow run pump-monitor') {
    const launcher = join(dirname(require.resolve('tagflow/package.json')), 'bin', 'tagflow.js');
    const flowFile = subject === 'tagflow run' ? referenceFlowFile(work) : PUMP_MONITOR;
    // A fresh data dir each time: the pump-monitor flow keeps its history there.
    const data = mkdtempSync(join(work, 'data-'));
    const cp = spawn(process.execPath, [...LAUNCHER_FLAGS, launcher, 'run', flowFile, '--data-dir', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new Child(subject, cp, deadlineMs);
    // The debug node prints one JSON line per value on stdout.
    const first = new Promise<void>((resolve, reject) => {
      cp.stdout.once('data', () => resolve());
      void child.exited.then(() => reject(child.endError('before the first value')));
    });
    return { pid: cp.pid!, first, stop: () => child.kill() };
  }
  const child = forkSystem(subject, { mode: 'cold', fanout: 1 }, deadlineMs);
  return { pid: child.process.pid!, first: child.waitFor('first').then(() => undefined), stop: () => child.kill() };
}

/**
 * `runs` rounds, the subjects in turn (the order rotating each round), each a fresh process with a
 * deadline; a start that fails or times out is recorded and the figure goes on.
 */
export async function coldStartFigure(
  runs: number,
  idleAfterMs: number[],
  log: (line: string) => void,
): Promise<ColdStartFigure> {
  const raw = Object.fromEntries(
    COLD_SUBJECTS.map((s) => [
      s,
      { first: [] as number[], admin: [] as number[], idle: idleAfterMs.map(() => [] as number[]) },
    ]),
  ) as Record<ColdSubject, { first: number[]; admin: number[]; idle: number[][] }>;
  const failures: Failure[] = [];
  // The first message within a minute, then alive until the last reading.
  const deadlineMs = deadline(60_000 + Math.max(...idleAfterMs));
  const work = mkdtempSync(join(tmpdir(), 'tagflow-bench-cold-'));
  // The services' broker and stored flow, made once; when that fails, each service start fails with its reason.
  const opened = await ServiceBench.open(work, deadlineMs).catch((err: unknown) => err as Error);
  const services = () => {
    if (opened instanceof Error) throw opened;
    return opened;
  };
  try {
    for (const [run, order] of rotations(COLD_SUBJECTS, runs).entries()) {
      for (const subject of order) {
        await attempt(`cold ${subject} run ${run + 1}`, subject, failures, log, async () => {
          const t0 = performance.now();
          const started = await startSubject(subject, work, deadlineMs, services);
          try {
            // A service times itself from its spawn (copying its data dir beforehand is not its start).
            const firstMs = (await started.first) ?? performance.now() - t0;
            const tFirst = performance.now();
            const adminMs = await started.admin;
            const idle: number[] = [];
            for (const at of idleAfterMs) {
              await sleep(Math.max(0, at - (performance.now() - tFirst)));
              idle.push(readTree(started.pid).rssMb);
            }
            raw[subject].first.push(firstMs);
            if (adminMs !== undefined) raw[subject].admin.push(adminMs);
            idle.forEach((mb, k) => raw[subject].idle[k].push(mb));
            log(
              `  cold ${subject.padEnd(16)} run ${run + 1}: ${adminMs === undefined ? '' : `admin HTTP ${adminMs.toFixed(0)} ms, `}first message ${firstMs.toFixed(0)} ms, idle RSS ${idle.map((mb, k) => `${mb.toFixed(0)} MB @${idleAfterMs[k] / 1000}s`).join(', ')}`,
            );
          } finally {
            await started.stop();
          }
        });
      }
    }
  } finally {
    if (!(opened instanceof Error)) await opened.close();
    rmSync(work, { recursive: true, force: true });
  }
  const subjects = Object.fromEntries(
    COLD_SUBJECTS.map((s) => [
      s,
      {
        firstMessageMs: series(raw[s].first),
        ...(isService(s) ? { adminMs: series(raw[s].admin) } : {}),
        idleRssMb: raw[s].idle.map((values) => series(values)),
      },
    ]),
  ) as ColdStartFigure['subjects'];
  return { idleAfterMs, subjects, failures };
}

/**
 * The summary's cold-start and idle-RSS figures: `tagflow run` of the pump-monitor example beside
 * Node-RED (TARGET_BASELINE, embedded: its fastest start) on the reference flow, medians, the RSS
 * at the first idle reading; `failed` says why when the figure as a whole did not run.
 */
export function coldStartReports(c: ColdStartFigure | undefined, failed = 'figure 4 failed'): FigureReport[] {
  const why = (s: ColdSubject) =>
    c?.failures.find((f) => f.subject === s)?.error.split('\n')[0] ?? (c ? 'no run' : failed);
  const med = (s: { values: number[]; median: number } | undefined) => (s?.values.length ? s.median : null);
  const mine = c?.subjects['tagflow run pump-monitor'];
  const base = c?.subjects[TARGET_BASELINE];
  const first = med(mine?.firstMessageMs);
  const idle = med(mine?.idleRssMb[0]);
  const baseFirst = med(base?.firstMessageMs);
  const baseIdle = med(base?.idleRssMb[0]);
  const missing = (value: number | null, baseline: number | null) =>
    value === null
      ? why('tagflow run pump-monitor')
      : baseline === null
        ? `baseline: ${why(TARGET_BASELINE)}`
        : undefined;
  return [
    { id: 'cold-start', value: first, baseline: baseFirst, missing: missing(first, baseFirst) },
    {
      id: 'idle-rss',
      value: idle,
      baseline: baseIdle,
      missing: missing(idle, baseIdle),
      note: c ? `${c.idleAfterMs[0] / 1000} s after the first message` : undefined,
    },
  ];
}
