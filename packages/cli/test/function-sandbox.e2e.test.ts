// Issue 14's reproduction with real processes: a function node whose returned or thrown value has a
// getter that never ends. It used to run on the host, past the time limit, and hang the runtime for
// good; now the node reports FUNCTION_TIMEOUT for each message and the runtime keeps serving.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, finished, sleep, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import { fixtures, logLines, startCli, stdoutLines } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

const FLOW = 'function-getter-loop.flow.json';

const timeouts = (stderr: string) =>
  logLines(stderr).filter((l) => l.node === 'trap' && /ran longer than its 200 ms limit/.test(l.msg));

describe('a function node with a getter that never ends', () => {
  it('tagflow run keeps running, reports each message, and stops on SIGTERM', async () => {
    const child = startCli(['run', FLOW]);
    const done = finished(child);
    // The debug node beside the trap keeps printing: the engine is not stuck.
    const seen = await stdoutLines(child, 6);
    expect(seen.map((line) => (JSON.parse(line) as { node: string }).node)).toEqual(Array(6).fill('show'));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(timeouts(result.stderr).length).toBeGreaterThanOrEqual(2);
    expect(logLines(result.stderr).at(-1)?.msg).toBe('stopped');
  }, 60_000);

  it('tagflow start answers /healthz within 1 s throughout, and stops on SIGTERM', async () => {
    const rt = await startTagflow({
      dataDir: mkdtempSync(path.join(tmpdir(), 'tagflow-fn-')),
      cwd: fixtures,
      args: ['--flow', FLOW],
    });
    const slowest = { ms: 0 };
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      const started = Date.now();
      const res = await fetch(`${rt.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      expect(res.status).toBe(200);
      slowest.ms = Math.max(slowest.ms, Date.now() - started);
      await sleep(100);
    }
    expect(slowest.ms).toBeLessThan(1000);
    expect(timeouts(rt.stderr()).length).toBeGreaterThanOrEqual(2);
    expect(await rt.stop()).toBe(0);
  }, 60_000);
});
