import { ensureCliBuilt, finished } from '@tagflow/test-support';
import { logLines, runCli, startCli, stdoutLines } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);

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
    expect(logLines(result.stderr).map((l) => l.msg)).toEqual([
      'flow "simulate-debug" running: 2 nodes; stopping in 1s',
      'time is up; stopping the flow',
      'stopped',
    ]);
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
    expect(logLines(result.stderr).map((l) => l.msg)).toEqual(
      expect.arrayContaining(['SIGINT received; stopping the flow']),
    );
    expect(logLines(result.stderr).at(-1)?.msg).toBe('stopped');
  });

  it('stops cleanly on SIGTERM too', async () => {
    const child = startCli(['run', 'simulate-debug.flow.json']);
    const done = finished(child);
    await stdoutLines(child, 1);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(logLines(result.stderr).map((l) => l.msg)).toContain('SIGTERM received; stopping the flow');
  });

  it('stops cleanly with exit 0 when the reader of stdout goes away (| head)', async () => {
    const child = startCli(['run', 'simulate-debug.flow.json']);
    const done = finished(child);
    await stdoutLines(child, 2);
    child.stdout.destroy();
    const result = await done;
    expect(result.code).toBe(0);
    expect(logLines(result.stderr).map((l) => l.msg)).toContain('stdout was closed; stopping the flow');
    expect(logLines(result.stderr).at(-1)?.msg).toBe('stopped');
  });

  it('logs unrouted node errors with the node id, statuses only at debug, keeping stdout clean', async () => {
    const result = await runCli(['run', 'unplugged.flow.json', '--for', '1s', '--nodes-dir', 'extra-nodes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const lines = logLines(result.stderr);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        node: 'flow-sensor',
        code: 'SENSOR_TIMEOUT',
        msg: 'node "flow-sensor" (unplugged-sensor): sensor on channel 3 did not answer (poll 1)',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^node package skipped: cli-test-broken/) }),
    );
    expect(lines.filter((l) => l.msg.startsWith('status '))).toEqual([]);

    const verbose = await runCli([
      'run',
      'unplugged.flow.json',
      '--for',
      '1s',
      '--nodes-dir',
      'extra-nodes',
      '--log-level',
      'debug',
    ]);
    expect(logLines(verbose.stderr)).toContainEqual(
      expect.objectContaining({
        level: 'debug',
        node: 'flow-sensor',
        msg: 'status disconnected: no sensor on channel 3',
      }),
    );
  });

  it('writes readable lines with --log-format text, and hides info lines at --log-level warn', async () => {
    const text = await runCli(['run', 'simulate-debug.flow.json', '--for', '500ms', '--log-format', 'text']);
    expect(text.code).toBe(0);
    expect(text.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} info {2}flow "simulate-debug" running: 2 nodes; stopping in 500ms$/,
      ),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} info {2}time is up; stopping the flow reason=timeout$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} info {2}stopped$/),
    ]);
    const quiet = await runCli(['run', 'simulate-debug.flow.json', '--for', '500ms', '--log-level', 'warn']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).not.toBe(''); // debug values on stdout are not log lines: the level leaves them alone
  });

  it('refuses a log level it does not know, saying which it takes', async () => {
    const result = await runCli(['run', 'simulate-debug.flow.json', '--log-level', 'nonsense']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /argument 'nonsense' is invalid\. Allowed choices are trace, debug, info, warn, error, silent\./,
    );
  });

  it('prints every issue and exits 1 when the flow cannot be deployed', async () => {
    const result = await runCli(['run', 'invalid.flow.json', '--for', '1s']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const errors = logLines(result.stderr).filter((l) => l.level === 'error');
    expect(errors).toContainEqual(expect.objectContaining({ node: 'mystery', code: 'UNKNOWN_NODE_TYPE' }));
    expect(errors).toContainEqual(
      expect.objectContaining({ code: 'DANGLING_EDGE', msg: expect.stringContaining('ghost') }),
    );
    expect(errors.at(-1)?.msg).toMatch(/^the flow was not started: \d+ errors$/);
  });

  it('says plainly that a flow file does not exist, and exits 1', async () => {
    const result = await runCli(['run', 'nowhere/flow.json']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(logLines(result.stderr)).toEqual([
      { level: 'error', time: expect.any(String), msg: 'cannot read flow file nowhere/flow.json: no such file' },
    ]);
  });
});
