import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runFlow } from '@tagflow/node-test';
import { debug, movingAverage, simulate, threshold } from '@tagflow/nodes-core';
import { historian, historianOut, historianQuery, LocalStore, localStoreFile } from '@tagflow/nodes-historian';
import type { HistoryPoint } from '@tagflow/nodes-historian';
import { runTagflow } from '@tagflow/test-support';

const flowFile = resolve(__dirname, '..', 'flow.json');

interface Alarm {
  alarm: string;
  state: string;
  value: number;
  limit: number;
}

/** The example's arithmetic, written out plainly: mean of the last 10, then the high alarm with hysteresis. */
function expectedAlarms(values: number[], above: number, hysteresis: number): Alarm[] {
  const alarms: Alarm[] = [];
  let active = false;
  values.forEach((_, i) => {
    const window = values.slice(Math.max(0, i - 9), i + 1);
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    if (!active && mean > above) {
      active = true;
      alarms.push({ alarm: 'high', state: 'raised', value: mean, limit: above });
    } else if (active && mean < above - hysteresis) {
      active = false;
      alarms.push({ alarm: 'high', state: 'cleared', value: mean, limit: above });
    }
  });
  return alarms;
}

describe('examples/pump-monitor', () => {
  it('raises and clears the high-flow alarm exactly where an independent computation says, and records it all', async () => {
    const flow = JSON.parse(readFileSync(flowFile, 'utf8'));
    const dataDir = mkdtempSync(join(tmpdir(), 'pump-monitor-'));
    const f = await runFlow(flow, {
      nodes: [simulate, movingAverage, threshold, debug, historianOut, historianQuery],
      resources: [historian],
      dataDir,
    });
    await f.advance(60_000); // one sample at start, then one every 250 ms: three periods of the 20 s wave
    await f.stop(); // a clean stop writes the rows still waiting for their batch

    const raw = f.payloads('flow-sensor') as number[];
    expect(raw).toHaveLength(1 + 60_000 / 250);
    const expected = expectedAlarms(raw, 42.5, 1.0);
    expect(expected.length).toBeGreaterThanOrEqual(4); // the example shows alarms raised and cleared

    const actual = f.payloads('high-flow') as Alarm[];
    expect(actual.map((a) => [a.alarm, a.state, a.limit])).toEqual(expected.map((a) => [a.alarm, a.state, a.limit]));
    actual.forEach((a, i) => expect(a.value).toBeCloseTo(expected[i].value, 9));
    expect(f.debug.filter((d) => d.nodeId === 'show-alarm').map((d) => (d.data as Alarm).state)).toEqual(
      expected.map((a) => a.state),
    );

    // The local historian holds every average and every alarm event, with the sensor's timestamps.
    const store = LocalStore.openReadOnly(localStoreFile(dataDir, 'pump-history'));
    try {
      const averages = f.outputs('avg');
      const recorded = (await store.query({
        tags: ['pump3/flow/avg'],
        from: 0,
        to: 2 ** 50,
        limit: 10 ** 6,
      })) as HistoryPoint[];
      expect(recorded.map((p) => [p.ts, p.value])).toEqual(averages.map((m) => [m.timestamp, m.payload]));
      const alarms = (await store.query({ tags: ['pump3/flow/alarm'], from: 0, to: 2 ** 50 })) as HistoryPoint[];
      expect(alarms.map((p) => JSON.parse(p.text as string).state)).toEqual(expected.map((a) => a.state));
    } finally {
      await store.close();
    }
  });

  it('runs headless with the CLI, printing moving averages as JSON lines, and stops cleanly', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pump-monitor-cli-'));
    const dataDir = join(cwd, 'data');
    const { code, stdout, stderr } = await runTagflow(['run', flowFile, '--for', '5s', '--data-dir', dataDir], { cwd });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const averages = lines.filter((l) => l.node === 'show-average').map((l) => l.data);
    // 4 samples a second for 5 s: 20 on a quiet machine; a loaded one delays timers, never stops them.
    expect(averages.length).toBeGreaterThanOrEqual(8);
    averages.forEach((v) => expect(v).toBeGreaterThan(30));

    // `tagflow history` reads back what the run recorded: the same averages, in order.
    const history = await runTagflow(
      ['history', 'pump3/flow/avg', '--since', '10m', '--format', 'json', '--data-dir', dataDir],
      { cwd },
    );
    expect(history.code).toBe(0);
    expect((JSON.parse(history.stdout) as HistoryPoint[]).map((p) => p.value)).toEqual(averages);
  });
});
