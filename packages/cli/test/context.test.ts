import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt } from '@tagflow/test-support';
import { parseContextLimits } from '../src/context-limits-option';
import { logLines, runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);

/** A timer feeding a function that counts runs in its context, and a debug node showing the count. */
function countingFlow(dir: string, extra = ''): string {
  const file = join(dir, 'count.flow.json');
  const code = `const n = (context.get("n") || 0) + 1;\ncontext.set("n", n);\n${extra}\nreturn { payload: n };`;
  writeFileSync(
    file,
    JSON.stringify({
      schemaVersion: 1,
      id: 'count',
      nodes: [
        { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100, onStart: true } },
        { id: 'fn', type: 'function', typeVersion: 1, config: { code } },
        { id: 'show', type: 'debug', typeVersion: 1, config: {} },
      ],
      edges: [
        { source: 'tick', target: 'fn' },
        { source: 'fn', target: 'show' },
      ],
    }),
  );
  return file;
}

const counts = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { data: number }).data);

describe('flow state under tagflow run', () => {
  it('keeps a function node’s context.set values in the data dir: the next run goes on counting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-cli-context-'));
    const flow = countingFlow(dataDir);
    const first = await runCli(['run', flow, '--data-dir', dataDir, '--for', '700ms']);
    expect(first.code).toBe(0);
    const last = Math.max(...counts(first.stdout));
    const second = await runCli(['run', flow, '--data-dir', dataDir, '--for', '300ms']);
    expect(second.code).toBe(0);
    expect(counts(second.stdout)[0]).toBe(last + 1);
  }, 60_000);

  it('refuses writes past --context-limits, with an error naming the scope and the limit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-cli-context-'));
    const flow = countingFlow(dataDir, 'global.set("big", "x".repeat(5000));');
    const result = await runCli([
      'run',
      flow,
      '--data-dir',
      dataDir,
      '--for',
      '300ms',
      '--context-limits',
      'global=4KB',
    ]);
    expect(result.code).toBe(0);
    const errors = logLines(result.stderr).filter((l) => l.level === 'error');
    expect(errors[0]?.msg ?? JSON.stringify(errors[0])).toMatch(
      /global: storing context key "big" would take the context to \d+ bytes, past its limit of 4096 \(CONTEXT_FULL\)/,
    );
  }, 60_000);

  it('reads --context-limits in plain units, and refuses what it cannot read in plain words', () => {
    expect(parseContextLimits('node=512KB, global=8MB')).toEqual({
      nodeBytes: 512 * 1024,
      globalBytes: 8 * 1024 * 1024,
    });
    expect(parseContextLimits('flow=2000000')).toEqual({ flowBytes: 2_000_000 });
    expect(() => parseContextLimits('nodes=1MB')).toThrow(
      '"nodes=1MB" is not a scope and a size: write node=1MB, flow=4MB or global=4MB (units: bytes, KB, MB), separated by commas',
    );
    expect(() => parseContextLimits('node=10')).toThrow('"node=10" is less than 1 KB');
  });
});
