import { ensureBuilt, finished, runCli, startCli, stdoutLines } from './cli-process';

beforeAll(ensureBuilt, 120_000);

interface DebugLine {
  time: string;
  node: string;
  name?: string;
  data: unknown;
}

function parseLines(stdout: string): DebugLine[] {
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DebugLine);
}

describe('tagflow run', () => {
  it('prints debug values as JSON lines for --for, then stops cleanly with exit 0', async () => {
    const result = await runCli(['run', 'simulate-debug.flow.json', '--for', '1s']);
    expect(result.stderr).toContain('stopped');
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);
    // One value every 100 ms for one second, start-up included: about 10, fewer on a loaded machine.
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(12);
    for (const line of lines) {
      expect(line).toEqual({ time: expect.any(String), node: 'show', name: 'raw values', data: expect.anything() });
      expect(new Date(line.time).toISOString()).toBe(line.time);
    }
    const times = lines.map((l) => Date.parse(l.time));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
    expect(times[times.length - 1] - times[0]).toBeGreaterThan(0);
  });

  it('stops the engine and exits 0 on Ctrl-C (SIGINT)', async () => {
    const child = startCli(['run', 'simulate-debug.flow.json']);
    const done = finished(child);
    const seen = await stdoutLines(child, 2);
    expect(JSON.parse(seen[0])).toMatchObject({ node: 'show' });
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIGINT received; stopping the flow');
    expect(result.stderr.trimEnd().endsWith('stopped')).toBe(true);
  });

  it('stops cleanly on SIGTERM too', async () => {
    const child = startCli(['run', 'simulate-debug.flow.json']);
    const done = finished(child);
    await stdoutLines(child, 1);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIGTERM received');
  });

  it('stops cleanly with exit 0 when the reader of stdout goes away (| head)', async () => {
    const child = startCli(['run', 'simulate-debug.flow.json']);
    const done = finished(child);
    await stdoutLines(child, 2);
    child.stdout.destroy();
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('stdout was closed; stopping the flow');
    expect(result.stderr.trimEnd().endsWith('stopped')).toBe(true);
  });

  it('prints statuses and unrouted node errors on stderr with the node id, keeping stdout clean', async () => {
    const result = await runCli(['run', 'unplugged.flow.json', '--for', '2s', '--nodes-dir', 'extra-nodes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('[flow-sensor] disconnected: no sensor on channel 3');
    expect(result.stderr).toMatch(
      /^error: \[flow-sensor\] sensor on channel 3 did not answer \(poll 1\) \(SENSOR_TIMEOUT\)$/m,
    );
  });

  it('prints every issue and exits 1 when the flow cannot be deployed', async () => {
    const result = await runCli(['run', 'invalid.flow.json', '--for', '1s']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no-such-node-type');
    expect(result.stderr).toContain('ghost');
    expect(result.stderr).toMatch(/^error: the flow was not started: \d+ errors$/m);
  });

  it('says plainly that a flow file does not exist, and exits 1', async () => {
    const result = await runCli(['run', 'nowhere/flow.json']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: cannot read flow file nowhere/flow.json: no such file\n',
    });
  });
});
