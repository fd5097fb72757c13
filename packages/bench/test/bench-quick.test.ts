// Keeps `pnpm bench` from rotting: the suite runs the Node-RED comparison in its seconds-long form
// (BENCH_QUICK=1) and checks that it completes with every figure, that every system's sinks counted
// what plain JS says they must, and that MQTT at QoS 1 lost nothing. It checks no ratio: speed is
// for the benchmark itself, on a quiet machine, not for a test.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectedAtSink, expectedPass } from '../src/nodered-reference';
import { runSystem } from '../src/run-child';
import { SYSTEMS, systemVersion } from '../src/systems';
import { buildBench } from './build-bench';

const dist = join(__dirname, '..', 'dist');

beforeAll(buildBench, 300_000);

describe('the benchmark children', () => {
  // Small runs of each flow in each system: the sinks count exactly what plain JS computes.
  it.each([
    ['reference flow', { fanout: 1 }],
    ['fan-out to two switches', { fanout: 2 }],
    ['function node', { flow: 'function' as const, fanout: 1 }],
  ])(
    '%s: every Node-RED release and tagflow count what plain JS expects',
    async (_name, flow) => {
      for (const system of SYSTEMS) {
        const r = await runSystem(system, { mode: 'burst', ...flow, n: 2_000, chunk: system === 'tagflow' ? 100 : 1 });
        // The release loaded is the one named (the npm aliases resolve to different Node-RED versions).
        expect({ system, version: r.version, count: r.count }).toEqual({
          system,
          version: systemVersion(system),
          count: expectedAtSink(flow, 2_000),
        });
        expect(r.count).toBeGreaterThan(0);
      }
    },
    120_000,
  );
});

describe('pnpm bench, quick', () => {
  it('completes every figure with correct counts and prints the ratios', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--no-node-snapshot', join(dist, 'nodered.bench.js')],
      {
        env: { ...process.env, BENCH_QUICK: '1' },
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
    const qos1 = report.figure5.byQos.find((q: { qos: number }) => q.qos === 1);
    expect(qos1.subjects.tagflow.lost).toEqual([0]);
    expect(report.figure5.published).toBe(expectedPass(report.figure5.n));
  }, 440_000);
});
