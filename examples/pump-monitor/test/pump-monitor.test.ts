import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runFlow } from '@tagflow/node-test';
import * as core from '@tagflow/nodes-core';

const flowFile = resolve(__dirname, '..', 'flow.json');
const cli = resolve(__dirname, '..', '..', '..', 'packages', 'cli', 'bin', 'tagflow.js');

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
  it('raises and clears the high-flow alarm exactly where an independent computation says', async () => {
    const flow = JSON.parse(readFileSync(flowFile, 'utf8'));
    const out = mkdtempSync(join(tmpdir(), 'pump-monitor-'));
    const alarmLog = join(out, 'alarms.jsonl');
    flow.nodes.find((n: { id: string }) => n.id === 'alarm-log').config.path = alarmLog;

    const f = await runFlow(flow, { nodes: Object.values(core) });
    await f.advance(60_000); // one sample at start, then one every 250 ms: three periods of the 20 s wave
    await f.stop();

    const raw = f.payloads('flow-sensor') as number[];
    expect(raw).toHaveLength(1 + 60_000 / 250);
    const expected = expectedAlarms(raw, 42.5, 1.0);
    expect(expected.length).toBeGreaterThanOrEqual(4); // the example shows alarms raised and cleared

    const actual = f.payloads('high-flow') as Alarm[];
    expect(actual.map((a) => [a.alarm, a.state, a.limit])).toEqual(expected.map((a) => [a.alarm, a.state, a.limit]));
    actual.forEach((a, i) => expect(a.value).toBeCloseTo(expected[i].value, 9));

    // The same events reached the debug node and the JSON-lines alarm log, in order.
    expect(f.debug.filter((d) => d.nodeId === 'show-alarm').map((d) => (d.data as Alarm).state)).toEqual(expected.map((a) => a.state));
    const logged = readFileSync(alarmLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(logged.map((m) => m.payload.state)).toEqual(expected.map((a) => a.state));
    expect(logged.every((m) => m.topic === 'pump3/flow')).toBe(true);
  });

  it('runs headless with the CLI, printing moving averages as JSON lines, and stops cleanly', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pump-monitor-cli-'));
    const child = spawn(process.execPath, [cli, 'run', flowFile, '--for', '3s'], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    const averages = lines.filter((l) => l.node === 'show-average').map((l) => l.data);
    expect(averages.length).toBeGreaterThanOrEqual(8); // 4 samples a second for 3 s
    averages.forEach((v) => expect(v).toBeGreaterThan(30));
  });
});
