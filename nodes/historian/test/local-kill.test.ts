import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { localStoreFile } from '../src';

// A runtime process writing to the local store is killed with SIGKILL mid-stream, then started
// again on the same data dir: the store is intact and every value it had accepted is stored once.
const writer = join(__dirname, 'fixtures', 'history-writer.js');
const TOTAL = 30_000;
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(
  dataDir: string,
  ...args: string[]
): { child: ChildProcessWithoutNullStreams; lastAcked: () => number; output: () => string } {
  const child = spawn(process.execPath, ['--no-node-snapshot', writer, dataDir, ...args]);
  children.push(child);
  let output = '';
  let lastAcked = -1;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const m of chunk.matchAll(/^acked (\d+)$/gm)) lastAcked = Number(m[1]);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, lastAcked: () => lastAcked, output: () => output };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function storedValues(file: string): { integrity: string; values: number[] } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const { integrity_check: integrity } = db.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
    const rows = db.prepare('SELECT value FROM samples ORDER BY ts').all() as Array<{ value: number }>;
    return { integrity, values: rows.map((r) => r.value) };
  } finally {
    db.close();
  }
}

it('keeps the store intact and loses no accepted value when the writing process is killed', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-history-kill-'));
  const first = start(dataDir, '--write', String(TOTAL));
  await until(() => first.lastAcked() >= 8_000, '8,000 accepted values');
  first.child.kill('SIGKILL');
  await new Promise((ok) => first.child.once('exit', ok));
  const acked = first.lastAcked(); // stdout arrives before the exit event
  const file = localStoreFile(dataDir, 'kill-test');
  const atKill = storedValues(file);
  expect(atKill.integrity).toBe('ok');
  expect(acked).toBeLessThan(TOTAL - 1); // killed mid-stream

  const second = start(dataDir);
  await until(
    () => /"text":"\d+ rows stored"/.test(second.output()) && storedValues(file).values.length > acked,
    'the buffer to be written',
  );
  second.child.kill('SIGTERM');
  await new Promise((ok) => second.child.once('exit', ok));
  const after = storedValues(file);
  const firstMissing = after.values.findIndex((v, i) => v !== i);
  process.stdout.write(
    `local store SIGKILL test: ${JSON.stringify({ acceptedAtKill: acked + 1, storedAtKill: atKill.values.length, storedAfterRestart: after.values.length })}\n`,
  );
  expect(after.integrity).toBe('ok');
  expect(firstMissing).toBe(-1); // 0, 1, 2, ... with no gap and no duplicate
  expect(after.values.length).toBeGreaterThanOrEqual(acked + 1);
}, 120_000);
