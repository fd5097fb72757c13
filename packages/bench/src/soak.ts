// `pnpm soak` (issue 14): a real `tagflow start` running the pump monitor for a long time under plant
// load, watched from outside. The plant publishes readings over MQTT (QoS 1) at SOAK_RATE msg/s to a
// Mosquitto of its own; the flow averages them, raises alarms, shows them in debug views, stores the
// averages in the local historian and publishes them back over MQTT to an independent subscriber.
// Every SOAK_SAMPLE it reads the memory, file handles and CPU of the whole process tree of `tagflow
// start` from /proc, and heap, event-loop lag, drops and backlog from /metrics. At the end every
// reading is accounted for (subscriber, historian rows) and growth after warm-up is judged against 5%.
// Every child has a deadline; whatever fails is reported, and the report is written all the same.
//   SOAK_FOR     how long the load runs: 90s, 5m, 1h, 1h30m (default 1h)
//   SOAK_RATE    readings per second (default 1000)
//   SOAK_SAMPLE  time between samples (default 10s)
//   SOAK_WARMUP  time left out before growth is judged (default the first third or 20 minutes, whichever is less)
//   SOAK_REPORT  the report's path (default packages/bench/results/soak-report.md, and .json beside it)
//   SOAK_HEAPSNAPSHOTS  times after the load starts (e.g. 3m,20m) to write a heap snapshot of the admin
//                process (`tagflow start` itself) into SOAK_HEAPSNAPSHOT_DIR (default the report's folder)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Mosquitto } from '@tagflow/node-test';
import { startTagflow } from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import { readMemoryMap, readTree } from './process-tree';
import type { TreeReading } from './process-tree';
import { maxOf, parseProm, sumOf } from './prom-text';
import { forkChild } from './run-child';
import type { Child, ChildMessage } from './run-child';
import { SOAK_HISTORIAN, SOAK_HISTORY_TAG, SOAK_TOPICS, soakFlow } from './soak-flow';
import type { PublisherProgress } from './soak-publisher-child';
import {
  GROWTH_LIMIT_PCT,
  reportMarkdown,
  SAMPLE_HEADER,
  sampleLine,
  summaryLines,
  verdict,
  warmupSeconds,
} from './soak-report';
import type { Delivery, SoakReport, SoakSample } from './soak-report';
import type { SubscriberProgress } from './soak-subscriber-child';

/** What one soak run is asked to do. */
export interface SoakOptions {
  forSeconds: number;
  rate: number;
  sampleSeconds: number;
  /** Time left out before growth is judged; default warmupSeconds(forSeconds). */
  warmupSeconds?: number;
  /** Where the Markdown report goes; the JSON goes beside it. */
  reportFile: string;
  log: (line: string) => void;
  /** Ends the load early (Ctrl-C): what was sampled is still accounted for and reported, as a failure. */
  signal?: AbortSignal;
  /** Seconds after the load starts at which the admin process writes a heap snapshot (none by default). */
  heapSnapshotsAt?: number[];
  /** Where those snapshots go. */
  heapSnapshotDir?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Between samples, /proc and /metrics are read this often. */
const POLL_MS = 2_000;
/** `f` of the values that are defined, or undefined when none is. */
const defined = (xs: Array<number | undefined>, f: (d: number[]) => number) => {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length ? f(d) : undefined;
};
const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 2 ** 20);
const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

/** `90s`, `5m`, `1h`, `1h30m`, `2.5h`, or a plain number of seconds. */
export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)\s*(h|m|min|s)?/g)];
  const seconds = parts.reduce(
    (sum, [, n, unit]) => sum + Number(n) * ({ h: 3600, m: 60, min: 60 }[unit ?? 's'] ?? 1),
    0,
  );
  if (parts.map((p) => p[0]).join('') !== text.replace(/\s+/g, '') || !(seconds > 0))
    throw new Error(`not a duration: "${text}" (write e.g. 90s, 5m, 1h or 1h30m)`);
  return seconds;
}

/** The last message of any of `types`, as the children's counters only grow. */
function lastOf<T extends ChildMessage>(child: Child, ...types: string[]): T | undefined {
  for (let k = child.messages.length - 1; k >= 0; k--)
    if (types.includes(child.messages[k].type)) return child.messages[k] as T;
  return undefined;
}

interface Scraped {
  heapMb?: number;
  /** The admin process's own V8 figures (prom-client's default metrics): used, committed, external. */
  adminHeapUsedMb?: number;
  adminHeapTotalMb?: number;
  adminExternalMb?: number;
  lagP99Ms?: number;
  lagMaxMs?: number;
  drops: number;
  nodeErrors: number;
  backlog: number;
  error?: string;
}

/** Reads /metrics (5 s at most: a runtime that cannot answer is itself a finding). */
async function scrape(rt: TagflowProcess): Promise<Scraped> {
  try {
    const res = await rt.api('/metrics', { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const m = parseProm(await res.text());
    return {
      // The admin process's default metrics, plus the engine process's figures from its heartbeats.
      heapMb: mb(sumOf(m, 'nodejs_heap_size_used_bytes', 'tagflow_engine_heap_used_bytes')),
      adminHeapUsedMb: mb(sumOf(m, 'nodejs_heap_size_used_bytes')),
      adminHeapTotalMb: mb(sumOf(m, 'nodejs_heap_size_total_bytes')),
      adminExternalMb: mb(sumOf(m, 'nodejs_external_memory_bytes')),
      lagP99Ms: ms(maxOf(m, 'nodejs_eventloop_lag_p99_seconds', 'tagflow_engine_eventloop_lag_seconds')),
      lagMaxMs: ms(maxOf(m, 'nodejs_eventloop_lag_max_seconds', 'tagflow_engine_eventloop_lag_seconds')),
      drops: (sumOf(m, 'tagflow_messages_dropped_total') ?? 0) + (sumOf(m, 'tagflow_events_dropped_total') ?? 0),
      nodeErrors: sumOf(m, 'tagflow_node_errors_total') ?? 0,
      backlog: sumOf(m, 'tagflow_buffer_backlog') ?? 0,
    };
  } catch (err) {
    return { drops: 0, nodeErrors: 0, backlog: 0, error: (err as Error).message };
  }
}

interface NodeState {
  status: { state?: string; text?: string } | null;
  counters: { in: number; out: number; errors: number; dropped: number };
}

async function nodeStates(rt: TagflowProcess): Promise<Record<string, NodeState>> {
  const res = await rt.api('/api/status', { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`/api/status answered HTTP ${res.status}`);
  return ((await res.json()) as { nodes: Record<string, NodeState> }).nodes;
}

/** Waits until `check` is true, polling every 200 ms; throws with `what` after `timeoutMs`. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** `promise`, or an error naming `what` after `ms`: a step of the soak that hangs fails it, within bounds. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rows of the average's tag in the historian's local store (read-only, beside the running writer). */
function historianRows(dataDir: string): number {
  const db = new DatabaseSync(join(dataDir, 'historian', `${SOAK_HISTORIAN}.sqlite`), { readOnly: true });
  try {
    const row = db
      .prepare('SELECT count(*) AS n FROM samples s JOIN tags t ON t.id = s.tag_id WHERE t.name = ?')
      .get(SOAK_HISTORY_TAG) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

/** Runs the soak and returns its report (also written to `reportFile`); failures are in the report, not thrown. */
export async function soak(o: SoakOptions): Promise<SoakReport> {
  const { log } = o;
  const warmup = o.warmupSeconds ?? warmupSeconds(o.forSeconds);
  const failures: string[] = [];
  const samples: SoakSample[] = [];
  const work = mkdtempSync(join(tmpdir(), 'tagflow-soak-'));
  const dataDir = join(work, 'data');
  // Long enough for start-up, the run, draining and stopping; past it, everything is killed.
  const deadlineMs = (o.forSeconds + 300) * 1000;
  let broker: Mosquitto | undefined;
  let rt: TagflowProcess | undefined;
  let subscriber: Child | undefined;
  let publisher: Child | undefined;
  let delivery: Delivery | undefined;
  let processes: string[] = [];
  let nodes: SoakReport['nodes'] = {};
  let killer: NodeJS.Timeout | undefined;
  try {
    // No persistence, no queue limit: a reading lost can only be lost by the runtime.
    broker = await Mosquitto.start({ persistence: false, settings: ['max_queued_messages 0'] });
    const flowFile = join(work, 'pump-monitor-soak.json');
    writeFileSync(flowFile, JSON.stringify(soakFlow(broker.port), null, 2));
    // No --nodes-dir: the MQTT nodes come with tagflow (issue 16).
    const snapshotsAt = [...(o.heapSnapshotsAt ?? [])].sort((a, b) => a - b);
    if (snapshotsAt.length) mkdirSync(o.heapSnapshotDir ?? work, { recursive: true });
    rt = await startTagflow({
      dataDir,
      cwd: work,
      // The engine process inherits the option too; only the admin process is sent the signal.
      env: snapshotsAt.length
        ? {
            NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${o.heapSnapshotDir ?? work}`,
          }
        : undefined,
      args: ['--flow', flowFile],
      timeoutMs: 60_000,
    });
    const child = rt.child;
    killer = setTimeout(() => {
      failures.push(`tagflow start was still running at its deadline (${deadlineMs / 1000} s): killed`);
      child.kill('SIGKILL');
    }, deadlineMs);
    const running = rt;
    log(`tagflow start (pid ${child.pid}) on ${running.url}, data dir ${dataDir}, broker ${broker.url}`);
    // Readings published before the runtime subscribes would be lost by nobody's fault.
    await until('the flow subscribed to the plant and connected its publisher', 30_000, async () => {
      const n = await nodeStates(running);
      return /subscribed/.test(n['flow-sensor']?.status?.text ?? '') && n['publish-average']?.status?.state === 'ok';
    });

    const t0Epoch = Date.now();
    const childDeadline = deadlineMs;
    subscriber = forkChild(
      'soak subscriber',
      join(__dirname, '..', 'dist', 'soak-subscriber-child.js'),
      { port: broker.port, topic: SOAK_TOPICS.average, t0Epoch },
      { deadlineMs: childDeadline },
    );
    await within(30_000, 'the subscriber subscribing', subscriber.waitFor('subscribed'));
    publisher = forkChild(
      'soak publisher',
      join(__dirname, '..', 'dist', 'soak-publisher-child.js'),
      { port: broker.port, topic: SOAK_TOPICS.readings, rate: o.rate, t0Epoch },
      { deadlineMs: childDeadline },
    );
    await within(30_000, 'the publisher connecting', publisher.waitFor('started'));
    const loadStart = performance.now();
    const pid = child.pid!;
    log(SAMPLE_HEADER);
    let cpuBefore = readTree(pid).cpuSeconds;
    let tBefore = loadStart;
    for (let k = 1; ; k++) {
      const end = loadStart + Math.min(k * o.sampleSeconds, o.forSeconds) * 1000;
      // Polled every 2 s between samples: a sample keeps the lowest reading (where the garbage
      // collector brought the heap back to) and the worst lag, which one reading would miss.
      const polls: Array<{ tree: TreeReading; m: Scraped }> = [];
      for (;;) {
        const next = Math.min(end, performance.now() + POLL_MS);
        await sleep(Math.max(0, next - performance.now()));
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`tagflow start exited during the soak (code ${child.exitCode}, signal ${child.signalCode})`);
        polls.push({ tree: readTree(pid), m: await scrape(running) });
        if (next >= end || o.signal?.aborted) break;
      }
      const { tree, m } = polls[polls.length - 1];
      const now = performance.now();
      const lowest = (xs: Array<number | undefined>) => defined(xs, (d) => Math.min(...d));
      const highest = (xs: Array<number | undefined>) => defined(xs, (d) => Math.max(...d));
      const pub = lastOf<PublisherProgress & ChildMessage>(publisher, 'progress', 'started');
      const sub = lastOf<SubscriberProgress & ChildMessage>(subscriber, 'progress', 'subscribed');
      const sample: SoakSample = {
        atSeconds: Math.round((now - loadStart) / 100) / 10,
        rssMb: tree.rssMb,
        rssFloorMb: lowest(polls.map((p) => p.tree.rssMb)),
        fds: tree.fds,
        fdsFloor: lowest(polls.map((p) => p.tree.fds)),
        processes: tree.processes.length,
        processRssMb: tree.processes.map((p) => p.rssMb),
        rssAnonMb: tree.rssAnonMb,
        rssAnonFloorMb: lowest(polls.map((p) => p.tree.rssAnonMb)),
        processRssAnonMb: tree.processes.map((p) => p.rssAnonMb),
        processRssFileMb: tree.processes.map((p) => p.rssFileMb + p.rssShmemMb),
        processMemoryMap: tree.processes.map((p) => readMemoryMap(p.pid)),
        cpuPct: ((tree.cpuSeconds - cpuBefore) / ((now - tBefore) / 1000)) * 100,
        heapMb: m.heapMb,
        heapFloorMb: lowest(polls.map((p) => p.m.heapMb)),
        adminHeapUsedFloorMb: lowest(polls.map((p) => p.m.adminHeapUsedMb)),
        adminHeapTotalMb: m.adminHeapTotalMb,
        adminExternalMb: m.adminExternalMb,
        lagP99Ms: highest(polls.map((p) => p.m.lagP99Ms)),
        lagMaxMs: highest(polls.map((p) => p.m.lagMaxMs)),
        published: pub?.published ?? 0,
        delivered: sub?.distinct ?? 0,
        drops: m.drops,
        backlog: m.backlog,
        metricsError: polls.find((p) => p.m.error)?.m.error,
      };
      cpuBefore = tree.cpuSeconds;
      tBefore = now;
      log(sampleLine(sample, samples.at(-1)));
      samples.push(sample);
      processes = tree.processes.map((p) => `${p.pid}: ${p.command} (${p.rssMb.toFixed(0)} MB, ${p.fds} fds)`);
      while (snapshotsAt.length && sample.atSeconds >= snapshotsAt[0]) {
        snapshotsAt.shift();
        log(`  heap snapshot of the admin process (pid ${pid}) at ${sample.atSeconds} s`);
        process.kill(pid, 'SIGUSR2');
      }
      if (k * o.sampleSeconds >= o.forSeconds) break;
      if (o.signal?.aborted) {
        failures.push(`stopped early (${String(o.signal.reason)}) after ${sample.atSeconds} s of ${o.forSeconds} s`);
        break;
      }
    }

    publisher.send({ cmd: 'stop' });
    const stopped = await within(
      60_000,
      'the broker confirming every reading published',
      publisher.waitFor<PublisherProgress & ChildMessage>('stopped'),
    );
    if (stopped.failed > 0) failures.push(`the plant's broker refused ${stopped.failed} publishes`);
    const published = stopped.published;
    const sub = subscriber;
    // Whatever is still on its way (in the engine, the outboxes, the broker) has a minute to arrive.
    await until('every reading delivered and stored', 60_000, async () => {
      const m = await scrape(running);
      const delivered = lastOf<SubscriberProgress & ChildMessage>(sub, 'progress')?.distinct ?? 0;
      return delivered >= published && m.backlog === 0 && historianRows(dataDir) >= published;
    }).catch((err: Error) => log(`  drain: ${err.message}; counting what arrived`));
    await sleep(1_500); // one more progress report from the subscriber, and anything late
    const m = await scrape(running);
    if (m.error) failures.push(`/metrics did not answer at the end: ${m.error}`);
    sub.send({ cmd: 'final', expected: published });
    const final = await within(
      30_000,
      "the subscriber's tally",
      sub.waitFor<SubscriberProgress & ChildMessage>('final'),
    );
    delivery = {
      published,
      delivered: final.distinct,
      missing: final.missing ?? published,
      duplicates: final.received - final.distinct - final.unreadable,
      unreadable: final.unreadable,
      historianRows: historianRows(dataDir),
      drops: m.drops,
      nodeErrors: m.nodeErrors,
    };
    nodes = Object.fromEntries(
      Object.entries(await nodeStates(running)).map(([id, n]) => [
        id,
        { ...n.counters, status: n.status?.text ?? n.status?.state },
      ]),
    );
  } catch (err) {
    failures.push((err as Error).message.split('\n').slice(0, 12).join('\n'));
    log(`FAILED: ${(err as Error).message}`);
  } finally {
    await publisher?.kill();
    await subscriber?.kill();
    if (rt) {
      const code = await rt.stop();
      if (code !== 0 && !failures.some((f) => f.includes('tagflow start')))
        failures.push(`tagflow start exited with code ${code} when stopped`);
      if (failures.length) log(`tagflow start's log (end):\n${rt.stderr().slice(-3000)}`);
    }
    clearTimeout(killer);
    await broker?.down();
    rmSync(work, { recursive: true, force: true });
  }

  const judged = verdict({ samples, warmupSeconds: warmup, failures, delivery });
  const report: SoakReport = {
    date: new Date().toISOString(),
    node: process.version,
    subject: {
      tagflow: (require('tagflow/package.json') as { version: string }).version,
      flow: 'examples/pump-monitor fed over MQTT (mqtt-in -> change -> moving-average -> threshold, debug x2, historian-out x2 local, mqtt-out)',
      processes,
    },
    forSeconds: o.forSeconds,
    rate: o.rate,
    sampleSeconds: o.sampleSeconds,
    warmupSeconds: warmup,
    limitPct: GROWTH_LIMIT_PCT,
    samples,
    growth: judged.growth,
    delivery,
    nodes,
    failures: judged.reasons,
    pass: judged.pass,
  };
  for (const line of summaryLines(report)) log(line);
  mkdirSync(dirname(o.reportFile), { recursive: true });
  writeFileSync(o.reportFile, reportMarkdown(report));
  writeFileSync(o.reportFile.replace(/\.md$/, '') + '.json', `${JSON.stringify(report, null, 2)}\n`);
  log(`report: ${o.reportFile}`);
  return report;
}

if (require.main === module) {
  const reportFile = process.env.SOAK_REPORT ?? join(__dirname, '..', 'results', 'soak-report.md');
  // The first Ctrl-C or SIGTERM ends the load and reports; a second one ends the process at once.
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.log(`${signal}: stopping the load, then reporting (again to quit now)`);
      stop.abort(signal);
    });
  soak({
    signal: stop.signal,
    forSeconds: parseDuration(process.env.SOAK_FOR ?? '1h'),
    rate: Number(process.env.SOAK_RATE ?? 1000),
    sampleSeconds: parseDuration(process.env.SOAK_SAMPLE ?? '10s'),
    warmupSeconds: process.env.SOAK_WARMUP === undefined ? undefined : parseDuration(process.env.SOAK_WARMUP),
    reportFile,
    heapSnapshotsAt: process.env.SOAK_HEAPSNAPSHOTS?.split(',').map(parseDuration),
    heapSnapshotDir: process.env.SOAK_HEAPSNAPSHOT_DIR ?? dirname(reportFile),
    log: (line) => console.log(line),
  }).then(
    (r) => (process.exitCode = r.pass ? 0 : 1),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
