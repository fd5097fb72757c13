import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { createFileAtomic, readJsonFile, UpdateQueue, writeFileAtomic } from '../../src/store/atomic-file';
import { FlowStore } from '../../src/store';

const freshDir = () => mkdtempSync(join(tmpdir(), 'tagflow-atomic-file-test-'));

describe('atomic files', () => {
  it('replaces a file whole, with the mode asked for, leaving no temporary file', async () => {
    const dir = freshDir();
    const path = join(dir, 'state.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeFileSync(`${path}.tmp`, 'left by a crash', { mode: 0o644 });
    await writeFileAtomic(path, 'new', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('writes files 0600 when no mode is asked for, whatever the umask and the mode of the file replaced', async () => {
    const dir = freshDir();
    const replaced = join(dir, 'versions.json');
    writeFileSync(replaced, 'old', { mode: 0o644 });
    writeFileSync(`${replaced}.tmp`, 'left by a crash', { mode: 0o666 });
    const previous = process.umask(0o022);
    try {
      await writeFileAtomic(replaced, 'new');
      await writeFileAtomic(join(dir, 'boot.json'), '{}');
      expect(await createFileAtomic(join(dir, 'key'), 'k')).toBe(true);
    } finally {
      process.umask(previous);
    }
    for (const name of ['versions.json', 'boot.json', 'key'])
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['boot.json', 'key', 'versions.json']);
  });

  it('keeps the old content and cleans up when the write cannot complete', async () => {
    const dir = freshDir();
    const path = join(dir, 'busy');
    mkdirSync(join(path, 'inside'), { recursive: true }); // a non-empty folder cannot be renamed over
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow(`cannot write ${path}`);
    expect(readdirSync(dir)).toEqual(['busy']);
  });

  it('creates a file only once: a second create leaves the first content', async () => {
    const dir = freshDir();
    const path = join(dir, 'key');
    expect(await createFileAtomic(path, 'first', 0o600)).toBe(true);
    expect(await createFileAtomic(path, 'second', 0o600)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['key']);
  });

  it('reads JSON: undefined when missing, an error naming a damaged file', async () => {
    const dir = freshDir();
    expect(await readJsonFile(join(dir, 'none.json'))).toBeUndefined();
    writeFileSync(join(dir, 'ok.json'), '{"a":1}');
    expect(await readJsonFile(join(dir, 'ok.json'))).toEqual({ a: 1 });
    writeFileSync(join(dir, 'bad.json'), '{"a":');
    await expect(readJsonFile(join(dir, 'bad.json'))).rejects.toThrow(
      `${join(dir, 'bad.json')} is damaged (not valid JSON`,
    );
  });

  it('runs queued updates one at a time, in order, going on after a failure', async () => {
    const queue = new UpdateQueue();
    const log: string[] = [];
    const step = (name: string, ms: number, fail = false) =>
      queue.run(async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`end ${name}`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const results = await Promise.allSettled([step('a', 20), step('b', 1, true), step('c', 1)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'a',
      'b failed',
      'c',
    ]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('leaves a store unchanged in memory when its file cannot be written', async () => {
    const dir = freshDir();
    const store = await FlowStore.open(dir);
    const flow: Flow = { schemaVersion: 1, id: 'f', nodes: [], edges: [] };
    await store.save(flow, 'cli');
    mkdirSync(join(dir, 'flows', 'v2.json', 'blocker'), { recursive: true });
    await expect(store.save(flow, 'cli')).rejects.toThrow(`cannot write ${join(dir, 'flows', 'v2.json')}`);
    expect(store.list().map((v) => v.version)).toEqual([1]);
    expect(store.current()?.version.version).toBe(1);
  });
});
