import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@tagflow/node-test';
import { ensureCliBuilt, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import type { StartTagflowOptions, TagflowProcess } from '@tagflow/test-support';
import { fixtures, logLines, runCli } from './cli-process';
import type { LogLine } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'tagflow-start-log-'));

/** `tagflow start` in the fixtures folder on a new data dir. */
const start = (options: StartTagflowOptions): Promise<TagflowProcess> =>
  startTagflow({ dataDir: dataDir(), cwd: fixtures, ...options });

interface Frame {
  type: string;
  nodeId?: string;
  status?: { text?: string };
}

/** Listens to /api/events; `until` resolves once `enough` is true of the frames seen so far. */
async function events(s: TagflowProcess, token: string | undefined) {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/api/events`, ['bearer', `bearer.${token}`]);
  const frames: Frame[] = [];
  let check: (() => void) | undefined;
  ws.addEventListener('message', (e) => {
    frames.push(JSON.parse(String(e.data)) as Frame);
    check?.();
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  return {
    frames,
    until: (enough: (frames: Frame[]) => boolean) =>
      new Promise<void>((resolve) => {
        check = () => enough(frames) && resolve();
        check();
      }),
    close: () => ws.close(),
  };
}

/** Lines about one node, split into the lines it wrote and the summaries of lines suppressed. */
function linesOf(lines: LogLine[], node: string): { written: LogLine[]; summaries: LogLine[] } {
  const about = lines.filter((l) => l.node === node);
  return {
    written: about.filter((l) => l.suppressed === undefined),
    summaries: about.filter((l) => l.suppressed !== undefined),
  };
}

describe('the log of tagflow start', () => {
  it('writes no status line while statuses change many times a second, and only JSON records when not on a terminal', async () => {
    const s = await start({ args: ['--flow', 'status-storm.flow.json'] });
    const hub = await events(s, s.token);
    const quietFrom = s.stderr().length;
    // 50 messages a second, each changing the status of two nodes: a few seconds' worth.
    await hub.until((frames) => frames.filter((f) => f.type === 'status').length >= 250);
    expect(s.stderr().slice(quietFrom)).toBe('');
    hub.close();
    expect(await s.stop()).toBe(0);

    const statusTexts = new Set(hub.frames.flatMap((f) => (f.type === 'status' ? [f.status?.text ?? ''] : [])));
    expect(statusTexts.size).toBeGreaterThan(50); // the statuses really changed
    for (const text of statusTexts) if (text.length >= 6) expect(s.stderr()).not.toContain(text);
    const lines = logLines(s.stderr()); // throws on a line that is not a JSON record
    // The lifecycle, and nothing else (the editor line is there when the editor is built).
    expect(lines.map((l) => l.msg).filter((m) => !m.startsWith('editor: '))).toEqual([
      expect.stringMatching(/^the admin token on stdout is shown this once/),
      'deployed flow "status-storm" as version 1 by cli',
      expect.stringMatching(/^tagflow runtime .* started; admin API on http/),
      'stopping (SIGTERM)',
      'stopped',
    ]);
    for (const line of lines) {
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(['info', 'warn', 'error']).toContain(line.level);
    }
  }, 90_000);

  it('writes a bounded number of lines for a node failing on every message, with a count of the rest, while /metrics counts every error', async () => {
    const s = await start({ args: ['--flow', 'failing.flow.json'] });
    const hub = await events(s, s.token);
    await hub.until((frames) => frames.filter((f) => f.type === 'node-error' && f.nodeId === 'alarm').length >= 60);
    hub.close();
    const metrics = await (await s.api('/metrics')).text();
    const counted = Number(
      (/^tagflow_node_errors_total\{flow="[^"]+",node="alarm"\} (\d+)$/m.exec(metrics) as RegExpExecArray)[1],
    );
    expect(counted).toBeGreaterThanOrEqual(60);
    const status = (await (await s.api('/api/status')).json()) as {
      nodes: Record<string, { counters: { errors: number } }>;
    };
    expect(status.nodes.alarm?.counters.errors).toBeGreaterThanOrEqual(counted);

    // While it runs: at most the first 10 lines, then nothing more from that node until the minute is over.
    const running = linesOf(logLines(s.stderr()), 'alarm');
    expect(running.written.length).toBeLessThanOrEqual(10);
    expect(running.summaries).toHaveLength(0);
    expect(await s.stop()).toBe(0);

    const lines = logLines(s.stderr());
    const { written, summaries } = linesOf(lines, 'alarm');
    expect(written).toHaveLength(10);
    for (const line of written) {
      expect(line).toMatchObject({
        level: 'error',
        code: 'NOT_A_NUMBER',
        msg: 'node "alarm" (threshold): msg.payload must be a number, but it is the text "twelve"',
      });
    }
    // Stopping writes the count of what was held back, before the last line.
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ level: 'error', intervalMs: 60_000 });
    expect(summaries[0]?.suppressed).toBeGreaterThanOrEqual(counted - 10);
    expect(summaries[0]?.msg).toMatch(/^\d+ more log lines from node "alarm" suppressed in \d+ s/);
    expect(lines.indexOf(summaries[0])).toBeLessThan(lines.length - 1);
    expect(lines.at(-1)?.msg).toBe('stopped');
  }, 90_000);

  it('hides info lines at --log-level warn and still writes warnings', async () => {
    const port = await freePort();
    // The start line is info, so readiness is asked of the API itself.
    const s = await start({ port, args: ['--log-level', 'warn'], readyBy: 'healthz' });
    expect(s.stdout()).toMatch(/^admin token: tf_/m); // stdout is not the log
    expect(await s.stop()).toBe(0);
    expect(logLines(s.stderr())).toEqual([
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^no flow yet: deploy one/) }),
    ]);
  }, 60_000);

  it('refuses a log level it does not know, before starting anything', async () => {
    const dir = dataDir();
    const result = await runCli(['start', '--data-dir', dir, '--port', '0', '--log-level', 'nonsense']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error: option '--log-level <level>' argument 'nonsense' is invalid\. Allowed choices are trace, debug, info, warn, error, silent\.$/m,
    );
  });
});
