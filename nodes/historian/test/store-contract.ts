import type { HistorianStore, HistoryBucket, HistoryPoint } from '../src/historian-store';
import type { HistoryRow } from '../src/history-row';

/** A backend's test file gives the contract a fresh store per name, and a count the backend itself makes. */
export interface StoreUnderTest {
  /** Opens a store writing to its own table, measurement or file `name` (each test uses another). */
  open(name: string): Promise<HistorianStore>;
  /** The rows stored under `name`, counted by the backend itself, not through the store. */
  count(name: string): Promise<number>;
}

/** A time with a millisecond part on purpose: it must round-trip exactly. */
export const T0 = Date.UTC(2026, 10, 23, 8, 0, 0, 123);

/** A history row; text, quality as given (default: no text, good). */
export function row(
  tag: string,
  ts: number,
  value: number | null,
  text: string | null = null,
  quality: HistoryRow['quality'] = 'good',
): HistoryRow {
  return { tag, ts, value, text, quality };
}

/**
 * What every historian backend does alike (local SQLite, PostgreSQL, InfluxDB): one suite, run by
 * each backend's test file against its real server, so that they cannot drift apart.
 */
export function historianStoreContract(backend: string, subject: StoreUnderTest): void {
  describe(`${backend}: what every historian store does`, () => {
    test('round trip: numbers, text, qualities, exact millisecond timestamps, tags in the order asked', async () => {
      const store = await subject.open('roundtrip');
      await store.write([
        row('pump3/flow', T0, 12.5),
        row('pump3/flow', T0 + 1, -0.000001, null, 'uncertain'),
        row('pump3/flow', T0 + 999, 1e21, null, 'bad'),
        row('pump3/flow', T0 + 500, 7), // written out of order; an integer-looking number stays a number
        row('pump3/state', T0 + 2, null, 'running "fast" \\ ok\nsecond line', 'good'),
        row('pump3/state', T0 + 3, null, '{"a":[1,2]}', 'uncertain'),
        row('pump3/state', T0 + 4, null, null, 'bad'),
        row('pump3/flow', T0 - 1, 0), // before T0: outside the range asked below
      ]);
      const points = (await store.query({
        tags: ['pump3/state', 'pump3/flow', 'nope', 'pump3/state'],
        from: T0,
        to: T0 + 1000,
      })) as HistoryPoint[];
      expect(points).toEqual([
        { tag: 'pump3/state', ts: T0 + 2, value: null, text: 'running "fast" \\ ok\nsecond line', quality: 'good' },
        { tag: 'pump3/state', ts: T0 + 3, value: null, text: '{"a":[1,2]}', quality: 'uncertain' },
        { tag: 'pump3/state', ts: T0 + 4, value: null, text: null, quality: 'bad' },
        { tag: 'pump3/flow', ts: T0, value: 12.5, text: null, quality: 'good' },
        { tag: 'pump3/flow', ts: T0 + 1, value: -0.000001, text: null, quality: 'uncertain' },
        { tag: 'pump3/flow', ts: T0 + 500, value: 7, text: null, quality: 'good' },
        { tag: 'pump3/flow', ts: T0 + 999, value: 1e21, text: null, quality: 'bad' },
      ]);
      // The start is inclusive, the end exclusive; a limit applies per tag.
      expect(await store.query({ tags: ['pump3/flow'], from: T0 + 1, to: T0 + 500 })).toEqual([points[4]]);
      expect(
        (
          await store.query({ tags: ['pump3/flow', 'pump3/state'], from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1 })
        ).map((p) => p.ts),
      ).toEqual([T0 - 1, T0 + 2]);
      expect(await store.query({ tags: ['pump3/flow'], from: T0, to: T0 })).toEqual([]);
    });

    test('rewriting a batch (a redelivery) leaves one row per (tag, ts)', async () => {
      const store = await subject.open('idempotent');
      const batch = Array.from({ length: 50 }, (_, i) => row(`t${i % 5}`, T0 + i * 10, i));
      await store.write(batch);
      await store.write(batch);
      // Duplicates inside one batch too.
      await store.write([...batch.slice(0, 10), batch[0]]);
      expect(await subject.count('idempotent')).toBe(50);
      const t1 = (await store.query({ tags: ['t1'], from: T0, to: T0 + 1000 })) as HistoryPoint[];
      expect(t1.map((p) => p.value)).toEqual([1, 6, 11, 16, 21, 26, 31, 36, 41, 46]);
    });

    test('downsampled query matches an independent computation', async () => {
      const store = await subject.open('buckets');
      const bucketMs = 60_000;
      const start = Math.floor(T0 / bucketMs) * bucketMs;
      const rows: HistoryRow[] = [];
      // Irregular samples over 10 minutes, one empty minute.
      for (let i = 0; i < 400; i++) {
        const ts = start + 7_000 + i * 1_487;
        if (ts >= start + 4 * bucketMs && ts < start + 5 * bucketMs) continue;
        rows.push(row('temp', ts, Math.sin(i / 7) * 50 + (i % 13)));
      }
      // Text and an empty value inside a minute with numbers, and a minute with only those: no bucket for it.
      rows.push(row('temp', start + 61_001, null, 'sensor restarted'), row('temp', start + 61_002, null, null, 'bad'));
      rows.push(
        row('temp', start + 11 * bucketMs + 1, null, 'sensor restarted'),
        row('temp', start + 11 * bucketMs + 2, null, null, 'bad'),
      );
      rows.push(row('temp', start + 61_003, 9999, null, 'bad')); // a bad value is no measurement: left out
      await store.write(rows);
      const from = start + 30_000; // mid-bucket: the first bucket still starts at its aligned minute
      const to = start + 12 * bucketMs;

      const expected = new Map<number, number[]>();
      for (const r of rows) {
        if (r.value === null || r.quality === 'bad' || r.ts < from || r.ts >= to) continue;
        const bucket = Math.floor(r.ts / bucketMs) * bucketMs;
        expected.set(bucket, [...(expected.get(bucket) ?? []), r.value]);
      }
      const buckets = (await store.query({ tags: ['temp'], from, to, bucketMs })) as HistoryBucket[];
      expect(buckets.map((b) => b.ts)).toEqual([...expected.keys()].sort((a, b) => a - b));
      expect(buckets.some((b) => b.ts === start + 4 * bucketMs || b.ts === start + 11 * bucketMs)).toBe(false);
      for (const b of buckets) {
        const values = expected.get(b.ts) as number[];
        expect(b.tag).toBe('temp');
        expect(b.count).toBe(values.length);
        expect(b.min).toBe(Math.min(...values));
        expect(b.max).toBe(Math.max(...values));
        expect(b.mean).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 9);
      }
    });

    test('tags() lists every stored tag once, sorted', async () => {
      const store = await subject.open('taglist');
      expect(await store.tags()).toEqual([]);
      await store.write([
        row('b', T0, 1),
        row('a/x', T0, 1),
        row('b', T0 + 1, 2),
        row('B', T0, 1),
        row('a', T0, null, 'x'),
      ]);
      expect(await store.tags()).toEqual(['B', 'a', 'a/x', 'b']);
    });

    test('a 10,000-row batch is stored whole by one write call', async () => {
      const store = await subject.open('bulk');
      const rows = Array.from({ length: 10_000 }, (_, i) =>
        row(`tag${i % 20}`, T0 + i, i % 7 === 0 ? null : i / 3, i % 7 === 0 ? `text ${i}` : null),
      );
      const started = Date.now();
      await store.write(rows);
      console.log(`${backend}: stored 10,000 rows in ${Date.now() - started} ms`);
      expect(await subject.count('bulk')).toBe(10_000);
    });
  });
}
