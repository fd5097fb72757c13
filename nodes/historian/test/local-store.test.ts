import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../src/local-store';
import type { HistoryBucket, HistoryPoint } from '../src/historian-store';
import type { HistoryRow } from '../src/history-row';

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

describe('LocalStore', () => {
  it('stores numbers, text and qualities, and reads them back per tag, oldest first, in the range asked', async () => {
    const s = store();
    await s.write([
      row('pump3/flow', 1_700_000_000_123, 41.5),
      row('pump3/flow', 1_700_000_000_000, 40.25),
      row('pump3/alarm', 1_700_000_000_050, null, { text: '{"state":"raised"}' }),
      row('pump3/flow', 1_700_000_000_500, null, { quality: 'bad' }),
      row('pump3/flow', 1_700_000_001_000, 99), // outside the range below
    ]);
    const points = (await s.query({
      tags: ['pump3/flow', 'pump3/alarm', 'nope'],
      from: 1_700_000_000_000,
      to: 1_700_000_001_000,
    })) as HistoryPoint[];
    expect(points).toEqual([
      { tag: 'pump3/flow', ts: 1_700_000_000_000, value: 40.25, text: null, quality: 'good' },
      { tag: 'pump3/flow', ts: 1_700_000_000_123, value: 41.5, text: null, quality: 'good' },
      { tag: 'pump3/flow', ts: 1_700_000_000_500, value: null, text: null, quality: 'bad' },
      { tag: 'pump3/alarm', ts: 1_700_000_000_050, value: null, text: '{"state":"raised"}', quality: 'good' },
    ]);
    expect(await s.tags()).toEqual(['pump3/alarm', 'pump3/flow']);
  });

  it('keeps one row per tag and time when a batch is written again (redelivery)', async () => {
    const s = store();
    const batch = Array.from({ length: 100 }, (_, i) => row('t', 1000 + i, i));
    await s.write(batch);
    await s.write(batch.slice(50));
    const points = (await s.query({ tags: ['t'], from: 0, to: 10_000 })) as HistoryPoint[];
    expect(points.map((p) => p.value)).toEqual(batch.map((r) => r.value));
  });

  it('downsamples into min, max, mean and count per bucket, as computed independently', async () => {
    const s = store();
    const values = Array.from({ length: 1000 }, (_, i) => ({
      ts: 10_000 + i * 37,
      v: Math.sin(i / 10) * 50 + (i % 7),
    }));
    await s.write(values.map(({ ts, v }) => row('wave', ts, v)));
    // A row without a value, and a bad-quality value, are not counted.
    await s.write([row('wave', 12_001, null), row('wave', 12_002, 9999, { quality: 'bad' })]);
    const bucket = 1000;
    const buckets = (await s.query({ tags: ['wave'], from: 0, to: 100_000, bucketMs: bucket })) as HistoryBucket[];
    const expected = new Map<number, number[]>();
    for (const { ts, v } of values) {
      const start = Math.floor(ts / bucket) * bucket;
      expected.set(start, [...(expected.get(start) ?? []), v]);
    }
    expect(buckets.map((b) => b.ts)).toEqual([...expected.keys()]);
    for (const b of buckets) {
      const vs = expected.get(b.ts) as number[];
      expect(b.count).toBe(vs.length);
      expect(b.min).toBeCloseTo(Math.min(...vs), 9);
      expect(b.max).toBeCloseTo(Math.max(...vs), 9);
      expect(b.mean).toBeCloseTo(vs.reduce((a, x) => a + x, 0) / vs.length, 9);
    }
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
