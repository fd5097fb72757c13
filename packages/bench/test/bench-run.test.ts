// `pnpm bench` never hangs (issue 19): each part runs in a process of its own with a deadline; one
// that hangs, ignores SIGTERM (leaving a grandchild behind) or crashes is ended and reported as
// failed, the run goes on to the next part, and the summary table still lists every figure, those
// of the failed parts marked as not measured with the reason. Runs bench.ts on fixture parts.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Child, DeadlineError, forkChild } from '../src/run-child';
import { buildBench } from './build-bench';

const dist = join(__dirname, '..', 'dist');
const fixtures = join(__dirname, 'fixtures');

beforeAll(buildBench, 300_000);

/** Whether `pid` runs (a zombie does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const work = mkdtempSync(join(tmpdir(), 'tagflow-bench-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a measurement child', () => {
  it('that ignores SIGTERM is killed with the process it started', async () => {
    const pidFile = join(work, 'grandchild-of-child.pid');
    const cp = spawn(process.execPath, [join(fixtures, 'part.js'), 'ignore-term', pidFile], { stdio: 'pipe' });
    const child = new Child('stubborn', cp, 60_000);
    // Started, its grandchild too.
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '')
      await new Promise((resolve) => setTimeout(resolve, 50));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    await child.kill();
    expect(cp.signalCode).toBe('SIGKILL');
    expect(alive(grandchild)).toBe(false);
  }, 30_000);

  it('that crashes fails the wait on it with its exit, and a send to it fails nothing', async () => {
    const child = forkChild('crashing', join(fixtures, 'part-crash.js'), {}, { deadlineMs: 60_000 });
    await expect(child.waitFor('result')).rejects.toThrow(/crashing exited \(code 1\) before sending "result"/);
    child.send({ cmd: 'report' });
    await child.exited;
  }, 30_000);

  it('that does not send what a wait with its own limit waits for is ended then', async () => {
    const child = forkChild('silent', join(fixtures, 'part-hang.js'), {}, { deadlineMs: 60_000 });
    const err = (await child.waitFor('result', 500).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DeadlineError);
    expect(err.message).toMatch(/^silent timed out after 0\.5 s waiting for "result", killed/);
    await child.exited;
    expect(child.process.signalCode).toBe('SIGKILL');
  }, 30_000);
});

describe('pnpm bench with a part that hangs, one that ignores SIGTERM and one that crashes', () => {
  it('ends each, goes on, and prints the summary with their figures marked failed', async () => {
    const pidFile = join(work, 'grandchild.pid');
    const part = (name: string, file: string) => ({ name, script: join(fixtures, file), deadlineMs: 60_000 });
    const parts = [
      part('nodered', 'part-hang.js'),
      part('scale-out', 'part-ignore-term.js'),
      part('historian', 'part-crash.js'),
      part('engine', 'part-ok.js'),
    ];
    const t0 = performance.now();
    const run = promisify(execFile)(process.execPath, ['--no-node-snapshot', join(dist, 'bench.js')], {
      env: {
        ...process.env,
        BENCH_PARTS: JSON.stringify(parts),
        BENCH_PART_DEADLINE_MS: '2000',
        BENCH_PART_GRACE_MS: '1000',
        BENCH_SUMMARY_FILE: join(work, 'summary.jsonl'),
        BENCH_TEST_PID_FILE: pidFile,
      },
      timeout: 60_000,
    });
    const failed = (await run.then(
      () => {
        throw new Error('the run exited 0 with three parts failed');
      },
      (err: unknown) => err,
    )) as { code: number; stdout: string };
    const seconds = (performance.now() - t0) / 1000;
    const out = failed.stdout;
    expect(failed.code).toBe(1);
    // Each part ran, in turn, and ended as it did.
    expect(out).toContain('part nodered: FAILED: timed out after 2 s');
    expect(out).toContain('part scale-out: FAILED: timed out after 2 s');
    expect(out).toContain('part historian: FAILED: exited with code 1');
    expect(out).toContain('part engine: ok');
    // The one that ignored SIGTERM was killed after its grace, with the process it started.
    expect(out).toContain('SIGTERM ignored');
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    // The table: what was reported, judged; what was not, missing with the reason.
    const row = (label: string) => out.split('\n').find((l) => l.startsWith(`| ${label}`)) ?? `no row "${label}"`;
    expect(row('mqtt-out QoS 0, delivered')).toMatch(
      /95\.0k msg\/s \| 100\.0k msg\/s \(plain mqtt\.js publisher\) \| 95% +\| >= 90% of baseline \| met +\| none lost/,
    );
    expect(row('mqtt-out QoS 1, delivered')).toMatch(/\| not measured \| nodered: FAILED: timed out after 2 s/);
    expect(row('historian-out, local SQLite')).toMatch(/\| not measured \| historian: FAILED: exited with code 1/);
    expect(row('scale-out, 3 runtimes')).toMatch(/\| not measured \| scale-out: FAILED: timed out after 2 s/);
    expect(row('cold start, tagflow run pump-monitor')).toMatch(/250 ms .*\| <= 300 ms +\| met /);
    expect(row('idle RSS, tagflow run pump-monitor')).toMatch(/70\.0 MB .*\| <= 50 MB +\| \*\*not met\*\* /);
    // Bounded by the deadlines, not by the parts: 2 s, 2 s + 1 s grace, and two short ones.
    expect(seconds).toBeLessThan(40);
  }, 90_000);
});
