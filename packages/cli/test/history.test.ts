import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, localStoreFile } from '@tagflow/nodes-historian';
import { ensureCliBuilt } from '@tagflow/test-support';
import { runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);

/** A data dir holding one local store with known rows, the last of them a minute old at most. */
async function dataDirWithHistory(names: string[] = ['plant']): Promise<{ dir: string; now: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-history-cli-'));
  const now = Date.now();
  for (const name of names) {
    const store = LocalStore.open(localStoreFile(dir, name));
    await store.write([
      { tag: 'pump3/flow/avg', ts: now - 3 * 3_600_000, value: 1, text: null, quality: 'good' }, // older than --since 1h
      { tag: 'pump3/flow/avg', ts: now - 120_000, value: 40.5, text: null, quality: 'good' },
      { tag: 'pump3/flow/avg', ts: now - 60_000, value: 43.25, text: null, quality: 'uncertain' },
      { tag: 'pump3/alarm', ts: now - 30_000, value: null, text: '{"alarm":"high","state":"raised"}', quality: 'good' },
    ]);
    await store.close();
  }
  return { dir, now };
}

describe('tagflow history', () => {
  it('prints the values of a tag since a time as a table, oldest first', async () => {
    const { dir, now } = await dataDirWithHistory();
    const result = await runCli(['history', 'pump3/flow/avg', '--since', '1h', '--data-dir', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^time\s+tag\s+value\s+quality$/),
      expect.stringMatching(
        new RegExp(`^${new Date(now - 120_000).toISOString()}\\s+pump3/flow/avg\\s+40\\.5\\s+good$`),
      ),
      expect.stringMatching(
        new RegExp(`^${new Date(now - 60_000).toISOString()}\\s+pump3/flow/avg\\s+43\\.25\\s+uncertain$`),
      ),
    ]);
  });

  it('writes CSV with text values quoted, and JSON', async () => {
    const { dir, now } = await dataDirWithHistory();
    const csv = await runCli(['history', 'pump3/alarm', '--since', '10m', '--format', 'csv', '--data-dir', dir]);
    expect(csv.stdout).toBe(
      `time,tag,value,quality\n${new Date(now - 30_000).toISOString()},pump3/alarm,"{""alarm"":""high"",""state"":""raised""}",good\n`,
    );
    const json = await runCli([
      'history',
      'pump3/flow/avg',
      '--since',
      '1h',
      '--bucket',
      '1h',
      '--format',
      'json',
      '--data-dir',
      dir,
    ]);
    const buckets = JSON.parse(json.stdout) as Array<{ min: number; max: number; count: number }>;
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(Math.min(...buckets.map((b) => b.min))).toBe(40.5);
    expect(Math.max(...buckets.map((b) => b.max))).toBe(43.25);
  });

  it('lists the tags when none is given', async () => {
    const { dir } = await dataDirWithHistory();
    const result = await runCli(['history', '--data-dir', dir]);
    expect(result.stdout).toBe('pump3/alarm\npump3/flow/avg\n');
  });

  it('explains, in plain words, an empty data dir, several stores and an unknown tag', async () => {
    const empty = await runCli(['history', 'x', '--data-dir', mkdtempSync(join(tmpdir(), 'tagflow-empty-'))]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: no local history in .*: run a flow with a historian resource/m);
    const { dir } = await dataDirWithHistory(['line1', 'line2']);
    const two = await runCli(['history', 'pump3/alarm', '--data-dir', dir]);
    expect(two.stderr).toMatch(/holds 2 history stores \(line1, line2\): choose one with --store NAME/);
    const chosen = await runCli(['history', 'pump3/nothing', '--store', 'line2', '--data-dir', dir]);
    expect(chosen.code).toBe(0);
    expect(chosen.stderr).toBe('no such tag: pump3/nothing (tagflow history lists the tags)\n');
    const bad = await runCli(['history', 'x', '--since', '10', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Use a number with a unit/);
  });
});
