import { Pool } from 'pg';
import type { HistorianStore, HistoryBucket, HistoryPoint } from '../src/historian-store';
import type { HistoryRow } from '../src/history-row';
import { openPostgresStore } from '../src/postgres-store';
import type { PostgresStoreConfig } from '../src/postgres-store';
import { freePort } from './influxd';
import { TcpProxy } from './tcp-proxy';

// The shared PostgreSQL of these machines; every run works in its own schema and drops it.
const SERVER = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' };
const SCHEMA = `tagflow_test_${process.pid}_${Date.now().toString(36)}`;
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0, 123); // ms part on purpose: it must round-trip exactly

const admin = new Pool({ ...SERVER, max: 2 });
const opened: HistorianStore[] = [];

function config(table: string, over: Partial<PostgresStoreConfig> = {}): PostgresStoreConfig {
  return { ...SERVER, schema: SCHEMA, table, connectTimeoutMs: 3000, ...over };
}

async function open(
  table: string,
  over: Partial<PostgresStoreConfig> = {},
  lost: (reason: Error) => void = () => undefined,
): Promise<HistorianStore> {
  const store = await openPostgresStore(config(table, over), { lost });
  opened.push(store);
  return store;
}

function row(
  tag: string,
  ts: number,
  value: number | null,
  text: string | null = null,
  quality: HistoryRow['quality'] = 'good',
): HistoryRow {
  return { tag, ts, value, text, quality };
}

async function count(table: string): Promise<number> {
  const result = await admin.query(`SELECT count(*)::int AS n FROM "${SCHEMA}"."${table}"`);
  return result.rows[0].n as number;
}

afterAll(async () => {
  for (const store of opened) await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

test('creates schema and table on first use, and a second open reuses them', async () => {
  const first = await open('history');
  expect(first.description).toBe(`postgres test/${SCHEMA}.history`);
  const columns = await admin.query(
    'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [SCHEMA, 'history'],
  );
  expect(columns.rows).toEqual([
    { column_name: 'tag', data_type: 'text', is_nullable: 'NO' },
    { column_name: 'ts', data_type: 'timestamp with time zone', is_nullable: 'NO' },
    { column_name: 'value', data_type: 'double precision', is_nullable: 'YES' },
    { column_name: 'text', data_type: 'text', is_nullable: 'YES' },
    { column_name: 'quality', data_type: 'smallint', is_nullable: 'NO' },
  ]);
  const key = await admin.query(
    `SELECT kcu.column_name FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
      WHERE tc.table_schema = $1 AND tc.table_name = $2 AND tc.constraint_type = 'PRIMARY KEY' ORDER BY kcu.ordinal_position`,
    [SCHEMA, 'history'],
  );
  expect(key.rows.map((r) => r.column_name)).toEqual(['tag', 'ts']);

  await first.write([row('reuse', T0, 1)]);
  const second = await open('history');
  expect(await second.query({ tags: ['reuse'], from: T0, to: T0 + 1 })).toEqual([
    { tag: 'reuse', ts: T0, value: 1, text: null, quality: 'good' },
  ]);
});

test('round trip: numbers, text, qualities, exact millisecond timestamps, tags in the order asked', async () => {
  const store = await open('roundtrip');
  const rows: HistoryRow[] = [
    row('pump3/flow', T0, 12.5),
    row('pump3/flow', T0 + 1, -0.000001, null, 'uncertain'),
    row('pump3/flow', T0 + 999, 1e21, null, 'bad'),
    row('pump3/state', T0 + 2, null, 'running "fast" \\ ok', 'good'),
    row('pump3/state', T0 + 3, null, '{"a":[1,2]}', 'uncertain'),
    row('pump3/state', T0 + 4, null, null, 'bad'),
    row('pump3/flow', T0 - 1, 0), // before T0: outside the range asked below
  ];
  await store.write(rows);
  const points = (await store.query({
    tags: ['pump3/state', 'pump3/flow', 'pump3/state'],
    from: T0,
    to: T0 + 1000,
  })) as HistoryPoint[];
  expect(points).toEqual([
    { tag: 'pump3/state', ts: T0 + 2, value: null, text: 'running "fast" \\ ok', quality: 'good' },
    { tag: 'pump3/state', ts: T0 + 3, value: null, text: '{"a":[1,2]}', quality: 'uncertain' },
    { tag: 'pump3/state', ts: T0 + 4, value: null, text: null, quality: 'bad' },
    { tag: 'pump3/flow', ts: T0, value: 12.5, text: null, quality: 'good' },
    { tag: 'pump3/flow', ts: T0 + 1, value: -0.000001, text: null, quality: 'uncertain' },
    { tag: 'pump3/flow', ts: T0 + 999, value: 1e21, text: null, quality: 'bad' },
  ]);
  // The end is exclusive, the start inclusive; a limit applies per tag.
  expect(await store.query({ tags: ['pump3/flow'], from: T0 + 1, to: T0 + 999 })).toEqual([points[4]]);
  expect(
    (await store.query({ tags: ['pump3/flow', 'pump3/state'], from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1 })).map(
      (p) => p.ts,
    ),
  ).toEqual([T0 - 1, T0 + 2]);
  // What SQL sees is the same instant (a hand-written query must agree).
  const sql = await admin.query(
    `SELECT (extract(epoch FROM ts) * 1000)::bigint::text AS ms FROM "${SCHEMA}".roundtrip WHERE tag = 'pump3/flow' ORDER BY ts LIMIT 1`,
  );
  expect(sql.rows[0].ms).toBe(String(T0 - 1));
});

test('NaN and Infinity are stored as no value; U+0000 in text is replaced', async () => {
  const store = await open('odd');
  await store.write([
    row('x', T0, Number.NaN),
    row('x', T0 + 1, Number.NEGATIVE_INFINITY),
    row('y', T0, null, 'a\u0000b'),
  ]);
  const points = (await store.query({ tags: ['x', 'y'], from: T0, to: T0 + 2 })) as HistoryPoint[];
  expect(points.map((p) => [p.tag, p.value, p.text])).toEqual([
    ['x', null, null],
    ['x', null, null],
    ['y', null, 'a\uFFFDb'],
  ]);
});

test('rewriting a batch leaves one row per (tag, ts); the first write is kept', async () => {
  const store = await open('idempotent');
  const batch = Array.from({ length: 50 }, (_, i) => row(`t${i % 5}`, T0 + i * 10, i));
  await store.write(batch);
  await store.write(batch);
  // Duplicates inside one batch too, and a changed value for a stored (tag, ts).
  await store.write([...batch.slice(0, 10), batch[0], { ...batch[1], value: 999 }]);
  expect(await count('idempotent')).toBe(50);
  const t1 = (await store.query({ tags: ['t1'], from: T0, to: T0 + 1000 })) as HistoryPoint[];
  expect(t1.map((p) => p.value)).toEqual([1, 6, 11, 16, 21, 26, 31, 36, 41, 46]);
});

test('downsampled query matches an independent computation', async () => {
  const store = await open('buckets');
  const bucketMs = 60_000;
  const start = Math.floor(T0 / bucketMs) * bucketMs;
  const rows: HistoryRow[] = [];
  // Irregular samples over 10 minutes, a text row and a null in between, one empty minute.
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
  const store = await open('taglist');
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

test('an existing table of another shape is refused in plain words', async () => {
  await admin.query(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`);
  await admin.query(`CREATE TABLE "${SCHEMA}".wrong (tag text, ts timestamptz, value integer)`);
  await expect(open('wrong')).rejects.toThrow(
    `the existing table "${SCHEMA}"."wrong" is not a tagflow history table: it needs value double precision (found integer), text text (missing), quality smallint (missing)`,
  );
});

test('schema and table names are checked before connecting', async () => {
  await expect(open('history; drop table x')).rejects.toThrow(
    'the PostgreSQL table name "history; drop table x" is not allowed',
  );
  await expect(open('ok', { schema: 'Public' })).rejects.toThrow('the PostgreSQL schema name "Public" is not allowed');
});

test('an unreachable server: open rejects naming host and port', async () => {
  const port = await freePort();
  await expect(open('history', { port })).rejects.toThrow(
    `cannot reach PostgreSQL at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
  );
  await expect(open('history', { database: 'no_such_database_here' })).rejects.toThrow(
    'PostgreSQL at 127.0.0.1:5432: database "no_such_database_here" does not exist',
  );
});

test('connection cut mid-write: write rejects and lost is called once; after restore a new open writes', async () => {
  const proxy = await TcpProxy.start(SERVER.host, SERVER.port);
  const lost: Error[] = [];
  try {
    const store = await open('outage', { port: proxy.port }, (reason) => lost.push(reason));
    await store.write([row('before', T0, 1)]);

    proxy.cutWhenClientSends();
    await expect(store.write([row('during', T0, 2)])).rejects.toThrow(
      `cannot reach PostgreSQL at 127.0.0.1:${proxy.port}`,
    );
    expect(lost).toHaveLength(1);
    expect(lost[0].message).toContain(`127.0.0.1:${proxy.port}`);
    // While cut, the store keeps rejecting (new connections are refused) and lost is not repeated.
    await expect(store.write([row('during', T0, 2)])).rejects.toThrow('ECONNREFUSED');
    expect(lost).toHaveLength(1);
    await store.close();

    await proxy.restore();
    const again = await open('outage', { port: proxy.port });
    await again.write([row('during', T0, 2), row('after', T0, 3)]);
    expect(await again.tags()).toEqual(['after', 'before', 'during']);
  } finally {
    await proxy.cut();
  }
});

test('a 10,000-row batch is one write', async () => {
  const store = await open('bulk');
  // The server's own account of the writes: a statement-level trigger records, for every INSERT
  // (or COPY) into the table, how many rows that one statement inserted.
  await admin.query(`CREATE TABLE "${SCHEMA}".bulk_writes (n int NOT NULL)`);
  await admin.query(
    `CREATE FUNCTION "${SCHEMA}".record_bulk_write() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO "${SCHEMA}".bulk_writes SELECT count(*) FROM new_rows;
         RETURN NULL;
       END $$`,
  );
  await admin.query(
    `CREATE TRIGGER record_bulk_write AFTER INSERT ON "${SCHEMA}".bulk REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION "${SCHEMA}".record_bulk_write()`,
  );
  const rows = Array.from({ length: 10_000 }, (_, i) =>
    row(`tag${i % 20}`, T0 + i, i % 7 === 0 ? null : i / 3, i % 7 === 0 ? `text ${i}` : null),
  );
  const started = Date.now();
  await store.write(rows);
  console.log(`postgres: wrote 10,000 rows in one statement in ${Date.now() - started} ms`);
  const writes = await admin.query(`SELECT n FROM "${SCHEMA}".bulk_writes`);
  expect(writes.rows).toEqual([{ n: 10_000 }]);
  expect(await count('bulk')).toBe(10_000);
});
