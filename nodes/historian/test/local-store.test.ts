import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LocalStore } from '../src/local-store';
import type { HistoryPoint } from '../src/historian-store';
import type { HistoryRow } from '../src/history-row';
import { historianStoreContract } from './store-contract';

const file = () => join(mkdtempSync(join(tmpdir(), 'tagflow-local-store-')), 'history.sqlite');
const row = (tag: string, ts: number, value: number | null, extra: Partial<HistoryRow> = {}): HistoryRow => ({
  tag,
  ts,
  value,
  text: null,
  quality: 'good',
  ...extra,
});
const open: LocalStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
function store(path = file(), retention = {}): LocalStore {
  const s = LocalStore.open(path, retention);
  open.push(s);
  return s;
}

// One folder for the contract's stores, one SQLite file per name.
const contractDir = mkdtempSync(join(tmpdir(), 'tagflow-local-contract-'));
historianStoreContract('local', {
  open: async (name) => store(join(contractDir, `${name}.sqlite`)),
  count: async (name) => {
    const db = new DatabaseSync(join(contractDir, `${name}.sqlite`), { readOnly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
    } finally {
      db.close();
    }
  },
});

// The same contract with the writes on a worker thread, as the historian resource opens it.
const workerDir = mkdtempSync(join(tmpdir(), 'tagflow-local-worker-contract-'));
historianStoreContract('local, written on a worker thread', {
  open: async (name) => {
    const s = LocalStore.open(join(workerDir, `${name}.sqlite`), {}, { writeOnWorker: true });
    open.push(s);
    return s;
  },
  count: async (name) => {
    const db = new DatabaseSync(join(workerDir, `${name}.sqlite`), { readOnly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
    } finally {
      db.close();
    }
  },
});

describe('LocalStore', () => {
  it('on its worker thread, stores writes made at once in the order made (one transaction for those waiting)', async () => {
    const s = LocalStore.open(file(), {}, { writeOnWorker: true });
    open.push(s);
    // Twenty batches rewriting the same 500 (tag, ts): the last batch made is the value kept.
    const writes = Array.from({ length: 20 }, (_, b) => s.write(Array.from({ length: 500 }, (_, i) => row('t', i, b))));
    await Promise.all(writes);
    const points = (await s.query({ tags: ['t'], from: 0, to: 1000 })) as HistoryPoint[];
    expect(points).toHaveLength(500);
    expect(points.filter((p) => p.value !== 19)).toEqual([]);
  });

  it('keeps what was written across a reopen, and a read-only reader sees it while the writer is open', async () => {
    const path = file();
    const writer = store(path);
    await writer.write([row('a', 1, 1), row('a', 2, 2)]);
    const reader = LocalStore.openReadOnly(path);
    open.push(reader);
    expect(((await reader.query({ tags: ['a'], from: 0, to: 10 })) as HistoryPoint[]).map((p) => p.value)).toEqual([
      1, 2,
    ]);
    await writer.close();
    const again = store(path);
    expect(((await again.query({ tags: ['a'], from: 0, to: 10 })) as HistoryPoint[]).map((p) => p.value)).toEqual([
      1, 2,
    ]);
  });

  it('keeps its folder 0700 and the database with its -wal and -shm files 0600, whatever the umask', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tagflow-local-modes-')), 'historian');
    const path = join(dir, 'plant.sqlite');
    const previous = process.umask(0o022);
    try {
      await store(path).write([row('pump3/flow', 1_000, 42.5)]);
    } finally {
      process.umask(previous);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of [path, `${path}-wal`, `${path}-shm`]) {
      expect(existsSync(name)).toBe(true);
      expect(statSync(name).mode & 0o777).toBe(0o600);
    }
  });

  it('refuses to open a missing file for reading, in plain words', () => {
    expect(() => LocalStore.openReadOnly(join(tmpdir(), 'no-such-dir', 'x.sqlite'))).toThrow(
      /unable to open database file|does not exist/i,
    );
  });

  it('deletes rows older than the retention age', async () => {
    const now = Date.now();
    const s = store(file(), { maxAgeDays: 1 });
    await s.write([row('a', now - 3 * 86_400_000, 1), row('a', now - 2 * 3_600_000, 2), row('a', now, 3)]);
    expect(s.applyRetention(now)).toBe(1);
    expect(((await s.query({ tags: ['a'], from: 0, to: now + 1 })) as HistoryPoint[]).map((p) => p.value)).toEqual([
      2, 3,
    ]);
  });

  it('deletes the oldest rows when the store outgrows its size limit, keeping the newest', async () => {
    const s = store(file(), { maxSizeMB: 1 });
    for (let b = 0; b < 20; b++)
      await s.write(
        Array.from({ length: 2000 }, (_, i) => row(`tag-${i % 10}`, b * 2000 + i, i, { text: 'x'.repeat(40) })),
      );
    expect(s.usedBytes()).toBeGreaterThan(2 ** 20);
    expect(s.applyRetention(Date.now())).toBeGreaterThan(0);
    expect(s.usedBytes()).toBeLessThanOrEqual(2 ** 20);
    const newest = (await s.query({ tags: ['tag-9'], from: 0, to: 10 ** 9 })) as HistoryPoint[];
    expect(newest.at(-1)?.ts).toBe(19 * 2000 + 1999);
    expect(newest[0].ts).toBeGreaterThan(0); // the oldest went first
  });
});
