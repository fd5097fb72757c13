// Keeps `pnpm soak` from rotting: its reading of /proc and /metrics, its verdict, and a short real
// run (15 s at 100 msg/s against a real `tagflow start` and Mosquitto) whose report must hold
// samples and account for every reading. No figure is judged here: growth is for the hour-long run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMemoryMap, readTree } from '../src/process-tree';
import { maxOf, parseProm, sumOf } from '../src/prom-text';
import { parseDuration, soak } from '../src/soak';
import { growthOf, verdict } from '../src/soak-report';
import type { Delivery, SoakSample } from '../src/soak-report';
import { buildBench } from './build-bench';

const sample = (atSeconds: number, rssMb: number, heapMb: number, fds: number): SoakSample => ({
  atSeconds,
  rssMb,
  heapMb,
  fds,
  processes: 1,
  cpuPct: 10,
  published: atSeconds * 100,
  delivered: atSeconds * 100,
  drops: 0,
  backlog: 0,
});
const clean: Delivery = {
  published: 1000,
  delivered: 1000,
  missing: 0,
  duplicates: 0,
  unreadable: 0,
  historianRows: 1000,
  drops: 0,
  nodeErrors: 0,
};

describe('soak readings', () => {
  it('reads the whole process tree: a child counts with its memory and file handles', async () => {
    const child = spawn(process.execPath, ['-e', 'console.log("up"); setTimeout(() => {}, 20000)'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      // Once it prints, Node.js is loaded and its memory is its own.
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const tree = readTree(process.pid);
      const mine = tree.processes.find((p) => p.pid === child.pid);
      expect(tree.processes[0].pid).toBe(process.pid);
      expect(mine?.command.startsWith(`${process.execPath} -e`)).toBe(true);
      expect(mine!.rssMb).toBeGreaterThan(1);
      // RSS splits into the process's own memory, mapped files and shared memory, as the kernel counts it.
      expect(mine!.rssAnonMb).toBeGreaterThan(0);
      expect(mine!.rssAnonMb + mine!.rssFileMb + mine!.rssShmemMb).toBeCloseTo(mine!.rssMb, 0);
      expect(tree.rssAnonMb).toBeGreaterThan(tree.processes[0].rssAnonMb);
      expect(tree.rssMb).toBeGreaterThan(tree.processes[0].rssMb);
      expect(tree.fds).toBeGreaterThan(tree.processes[0].fds);
      // Its own memory splits into malloc's main arena, its thread arenas and the rest (V8's pages), all of it.
      const map = readMemoryMap(child.pid!)!;
      expect(map.mallocMainMb).toBeGreaterThan(0);
      expect(map.otherAnonMb).toBeGreaterThan(0);
      const anon = readTree(child.pid!).rssAnonMb;
      expect(map.mallocMainMb + map.mallocArenasMb + map.otherAnonMb).toBeCloseTo(anon, -1);
      expect(readMemoryMap(2 ** 22 + 7)).toBeUndefined();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('sums and maxes Prometheus samples over their labels', () => {
    const m = parseProm(
      [
        '# HELP tagflow_messages_dropped_total Messages a node dropped.',
        '# TYPE tagflow_messages_dropped_total counter',
        'tagflow_messages_dropped_total{node="a"} 2',
        'tagflow_messages_dropped_total{node="b",x="}\\" {"} 3',
        'nodejs_eventloop_lag_max_seconds 0.25',
        'nodejs_heap_size_used_bytes 1.5e7 1767225600000',
        '',
      ].join('\n'),
    );
    expect(sumOf(m, 'tagflow_messages_dropped_total')).toBe(5);
    expect(maxOf(m, 'nodejs_eventloop_lag_max_seconds')).toBe(0.25);
    expect(sumOf(m, 'nodejs_heap_size_used_bytes')).toBe(1.5e7);
    expect(sumOf(m, 'absent')).toBeUndefined();
  });

  it('reads durations as a user writes them', () => {
    expect([parseDuration('1h'), parseDuration('90s'), parseDuration('5m'), parseDuration('1h30m')]).toEqual([
      3600, 90, 300, 5400,
    ]);
    expect(parseDuration('42')).toBe(42);
    expect(() => parseDuration('an hour')).toThrow('not a duration: "an hour"');
  });
});

describe('soak verdict', () => {
  it('judges growth on the lowest readings after warm-up: a GC sawtooth passes, a steady climb fails', () => {
    // Warm-up (t < 60) climbs steeply and is left out; after it the heap swings between 30 and 100.
    const sawtooth = (k: number) => Math.round(65 + 35 * Math.sin((2 * Math.PI * k) / 12));
    const flat = Array.from({ length: 150 }, (_, k) => sample(k * 10, k < 6 ? 100 + k * 20 : 200, sawtooth(k), 30));
    const v = verdict({ samples: flat, warmupSeconds: 60, failures: [], delivery: clean });
    expect(v.reasons).toEqual([]);
    expect(v.pass).toBe(true);
    expect(v.growth.rssMb).toMatchObject({ start: 200, end: 200, pct: 0, min: 200, max: 200 });
    expect(v.growth.heapMb).toMatchObject({ start: 30, end: 30, pct: 0 });
    expect(v.growth.heapMb).toMatchObject({ min: 30, max: 100 });

    const leaking = flat.map((s) => ({ ...s, rssMb: 200 + s.atSeconds / 10 }));
    const leak = verdict({ samples: leaking, warmupSeconds: 60, failures: [], delivery: clean });
    expect(leak.pass).toBe(false);
    expect(leak.reasons).toEqual([expect.stringMatching(/^rssMb grew \d+\.\d% after warm-up \(limit 5%\)$/)]);
    expect(growthOf(leaking.slice(6), (s) => s.rssMb)).toMatchObject({ start: 206, end: 336 });
  });

  it('fails on any reading missing, not stored or dropped, and on figures it could not read', () => {
    const samples = Array.from({ length: 10 }, (_, k) => sample(k, 100, 40, 30));
    const lossy = verdict({
      samples,
      warmupSeconds: 0,
      failures: ['tagflow start exited during the soak'],
      delivery: { ...clean, missing: 3, historianRows: 990, drops: 2 },
    });
    expect(lossy.reasons).toEqual([
      'tagflow start exited during the soak',
      '3 of 1000 readings never reached the subscriber',
      'the historian holds 990 rows for 1000 readings',
      'the runtime dropped 2 messages or events',
    ]);
    const blind = verdict({
      samples: samples.map((s) => ({ ...s, heapMb: undefined })),
      warmupSeconds: 0,
      failures: [],
    });
    expect(blind.reasons).toEqual([
      'heapMb: too few samples after warm-up to measure growth',
      'delivery not accounted for',
    ]);
  });
});

describe('pnpm soak, 15 s', () => {
  const work = mkdtempSync(join(tmpdir(), 'tagflow-soak-test-'));
  beforeAll(buildBench, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('samples the running runtime and accounts for every reading', async () => {
    const reportFile = join(work, 'soak-report.md');
    const lines: string[] = [];
    const r = await soak({ forSeconds: 15, rate: 100, sampleSeconds: 2, reportFile, log: (l) => lines.push(l) });
    expect(r.failures.filter((f) => !/grew|too few samples/.test(f))).toEqual([]);
    expect(r.samples.length).toBeGreaterThanOrEqual(7);
    for (const s of r.samples) {
      expect(s.metricsError).toBeUndefined();
      expect(s.rssMb).toBeGreaterThan(20);
      expect(s.fds).toBeGreaterThan(5);
      expect(s.heapMb).toBeGreaterThan(1);
      expect(s.lagMaxMs).toBeGreaterThanOrEqual(0);
      // The admin process's own figures, and where each process's own memory lies.
      expect(s.adminHeapTotalMb).toBeGreaterThan(s.adminHeapUsedFloorMb!);
      expect(s.adminExternalMb).toBeGreaterThan(0);
      expect(s.processMemoryMap).toHaveLength(s.processes);
      expect(s.processMemoryMap![0]!.mallocMainMb).toBeGreaterThan(0);
    }
    expect(r.samples.at(-1)!.atSeconds).toBeCloseTo(15, 0);
    expect(r.delivery!.published).toBeGreaterThanOrEqual(1400);
    expect(r.delivery).toMatchObject({
      delivered: r.delivery!.published,
      missing: 0,
      historianRows: r.delivery!.published,
      drops: 0,
      nodeErrors: 0,
    });
    // Every node of the pump monitor ran, the MQTT ends included.
    expect(r.nodes['flow-sensor'].out).toBe(r.delivery!.published);
    expect(r.nodes['publish-average'].in).toBe(r.delivery!.published);
    expect(r.nodes['record-average'].in).toBe(r.delivery!.published);
    expect(r.growth.rssMb?.start).toBeGreaterThan(0);
    const text = readFileSync(reportFile, 'utf8');
    expect(text).toContain('no loss');
    expect(text).toMatch(/verdict: (PASS|FAIL)/);
    expect(existsSync(join(work, 'soak-report.json'))).toBe(true);
    expect(lines.join('\n')).toContain('RSS MB');
  }, 150_000);
});
