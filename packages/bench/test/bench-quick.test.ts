// Keeps `pnpm bench` from rotting: the suite runs the Node-RED comparison in its seconds-long form
// (BENCH_QUICK=1) and checks that it completes with every figure, that every system's sinks counted
// what plain JS says they must (the report's mismatches: figures 1, 2 and 6 run the reference
// flow, the fan-out and the function node in every system), and that MQTT at QoS 1 lost nothing. It checks no ratio: speed is
// for the benchmark itself, on a quiet machine, not for a test.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectedPass } from '../src/nodered-reference';
import { readReports } from '../src/summary';
import { SYSTEMS, systemVersion } from '../src/systems';
import { buildBench } from './build-bench';

const dist = join(__dirname, '..', 'dist');
const work = mkdtempSync(join(tmpdir(), 'tagflow-bench-quick-'));
const summaryFile = join(work, 'summary.jsonl');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(buildBench, 300_000);

describe('pnpm bench, quick', () => {
  it('completes every figure with correct counts and prints the ratios', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--no-node-snapshot', join(dist, 'nodered.bench.js')],
      {
        env: { ...process.env, BENCH_QUICK: '1', BENCH_SUMMARY_FILE: summaryFile },
        maxBuffer: 16 * 2 ** 20,
        timeout: 420_000,
      },
    );
    for (const system of SYSTEMS.filter((s) => s !== 'tagflow')) {
      const nodeRed = `Node-RED ${systemVersion(system)}`;
      for (const line of [
        `1 reference flow, ${nodeRed}`,
        `tagflow / ${nodeRed}`,
        `cold start tagflow run / ${nodeRed}`,
        `cold start tagflow start / ${nodeRed} start`,
        `6 function node, ${nodeRed}`,
      ])
        expect(stdout).toContain(line);
    }
    expect(stdout).toContain('tagflow / mqtt.js');
    const report = JSON.parse(readFileSync(join(__dirname, '..', 'results', 'nodered-quick.json'), 'utf8'));
    expect(report.failures).toEqual([]);
    expect(report.mismatches).toEqual([]);
    for (const system of SYSTEMS) expect(report.figure6.systems[system].msgsPerSec.values).toHaveLength(1);
    expect(report.figure4.subjects['tagflow run'].firstMessageMs.median).toBeGreaterThan(0);
    // The services: timed to their admin HTTP server and to the first message, each measured once.
    for (const subject of ['tagflow start', 'node-red-4 start', 'node-red-5 start']) {
      expect(report.figure4.subjects[subject].adminMs.values).toHaveLength(1);
      expect(report.figure4.subjects[subject].firstMessageMs.values).toHaveLength(1);
      expect(report.figure4.subjects[subject].idleRssMb[0].median).toBeGreaterThan(20);
    }
    // What the run hands to the summary table: every figure of this part, measured.
    const reported = new Map(readReports(summaryFile).map((r) => [r.id, r]));
    for (const id of ['mqtt-out-qos0', 'mqtt-out-qos1', 'mqtt-in-qos0', 'mqtt-in-qos1', 'cold-start', 'idle-rss']) {
      expect({ id, value: reported.get(id)?.value ?? null, missing: reported.get(id)?.missing }).toEqual({
        id,
        value: expect.any(Number),
        missing: undefined,
      });
      expect(reported.get(id)?.baseline).toEqual(expect.any(Number));
    }
    expect(reported.get('mqtt-in-qos1')?.note).toBe('none lost');
    const qos1 = report.figure5.byQos.find((q: { qos: number }) => q.qos === 1);
    expect(qos1.subjects.tagflow.lost).toEqual([0]);
    expect(report.figure5.published).toBe(expectedPass(report.figure5.n));
  }, 440_000);
});
