// `pnpm bench` never hangs: a child that does not answer is killed at its deadline and reported as
// timed out, and the run goes on to the next measurement and figure and prints its summary.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeadlineError, forkChild } from '../src/run-child';
import { readReports } from '../src/summary';

const dist = join(__dirname, '..', 'dist');

describe('a child past its deadline', () => {
  it('is killed, and what waits on it fails with a DeadlineError', async () => {
    // The mqtt.js yardstick facing a "broker" that accepts the connection and never answers it.
    // It reads and drops what arrives, so that the child's death ends the connection; a reset then
    // only closes the socket.
    const silent = createServer((socket) => socket.resume().on('error', () => socket.destroy()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const t0 = performance.now();
      const child = forkChild(
        'mqtt.js',
        join(dist, 'mqtt-publisher-child.js'),
        { port, qos: 1, n: 10, chunk: 10 },
        { deadlineMs: 1_000 },
      );
      await expect(child.waitFor('started')).rejects.toBeInstanceOf(DeadlineError);
      const waited = performance.now() - t0;
      await child.exited;
      expect(child.process.signalCode).toBe('SIGKILL');
      expect(waited).toBeGreaterThanOrEqual(990);
      expect(waited).toBeLessThan(10_000);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('pnpm bench, every child timed out', () => {
  const work = mkdtempSync(join(tmpdir(), 'tagflow-bench-deadline-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('reports each measurement as timed out, runs every figure and prints the summary', async () => {
    const results = join(work, 'nodered.json');
    const run = promisify(execFile)(process.execPath, ['--no-node-snapshot', join(dist, 'nodered.bench.js')], {
      env: {
        ...process.env,
        BENCH_QUICK: '1',
        BENCH_DEADLINE_MS: '1',
        BENCH_RESULTS: results,
        BENCH_SUMMARY_FILE: join(work, 'summary.jsonl'),
      },
      maxBuffer: 16 * 2 ** 20,
      timeout: 120_000,
    });
    // Measurements that produced nothing make the run fail, after it has finished.
    const failed = (await run.then(
      () => {
        throw new Error('the run exited 0 with every child timed out');
      },
      (err: unknown) => err,
    )) as { code: number; stdout: string };
    expect(failed.code).toBe(1);
    const report = JSON.parse(readFileSync(results, 'utf8'));
    // Every figure ran, each of its measurements timed out, none failed as a whole.
    const failures = report.failures as Array<{ label: string; subject: string; status: string }>;
    expect(failures.every((f) => f.status === 'timed out' && f.subject !== 'figure')).toBe(true);
    for (const measurement of [
      'fan-out 1 node-red-4 run 1',
      'fan-out 1 node-red-5 run 1',
      'fan-out 1 tagflow run 1',
      'fan-out 2 tagflow run 1',
      'latency 1000 node-red-5 run 1',
      'latency 1000 tagflow run 1',
      'cold node-red-4 run 1',
      'cold tagflow run run 1',
      'cold tagflow run pump-monitor run 1',
      'cold tagflow start run 1',
      'cold node-red-5 start run 1',
      'mqtt QoS0 mqtt.js run 1',
      'mqtt QoS1 mqtt.js run 1',
      'function node-red-4 run 1',
      'function tagflow run 1',
    ])
      expect(failures.map((f) => f.label)).toContain(measurement);
    // The summary table, with the missing cells said to be missing.
    expect(failed.stdout).toMatch(/1 reference flow, Node-RED 5\.\d+\.\d+ +timed out/);
    expect(failed.stdout).toMatch(/6 function node, tagflow +timed out/);
    expect(failed.stdout).toContain('targets (against Node-RED 4.1.15');
    expect(report.figure6.systems.tagflow.msgsPerSec.values).toEqual([]);
    // What the summary table of `pnpm bench` gets: the figures, missing, with the reason.
    const reported = readReports(join(work, 'summary.jsonl'));
    for (const id of ['cold-start', 'idle-rss', 'mqtt-out-qos0', 'mqtt-out-qos1'])
      expect(reported.find((r) => r.id === id)).toMatchObject({
        value: null,
        missing: expect.stringMatching(/timed out after/),
      });
  }, 150_000);
});
