import { Pool } from 'pg';
import type { HistorianStore, HistoryPoint } from '../src/historian-store';
import { openPostgresStore } from '../src/postgres-store';
import type { PostgresStoreConfig } from '../src/postgres-store';
import { freePort } from './influxd';
import { historianStoreContract, row, T0 } from './store-contract';
import { TcpProxy } from './tcp-proxy';

// The shared PostgreSQL of these machines; every run works in its own schema and drops it.
const SERVER = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' };
const SCHEMA = `tagflow_test_${process.pid}_${Date.now().toString(36)}`;

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

async function count(table: string): Promise<number> {
  const result = await admin.query(`SELECT count(*)::int AS n FROM "${SCHEMA}"."${table}"`);
  return result.rows[0].n as number;
}

afterAll(async () => {
  for (const store of opened) await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

historianStoreContract('postgres', { open: (table) => open(table), count });

test('stores the very instant: what SQL reads is the millisecond written', async () => {
  const store = await open('instant');
  await store.write([row('pump3/flow', T0 - 1, 0)]);
  const sql = await admin.query(
    `SELECT (extract(epoch FROM ts) * 1000)::bigint::text AS ms FROM "${SCHEMA}".instant WHERE tag = 'pump3/flow'`,
  );
  expect(sql.rows.map((r) => r.ms)).toEqual([String(T0 - 1)]);
});

test('a changed value for a stored (tag, ts): the first write is kept', async () => {
  const store = await open('first_kept');
  await store.write([row('t', T0, 1), row('t', T0 + 10, 2)]);
  await store.write([row('t', T0, 999), row('t', T0 + 10, 2), row('t', T0 + 10, 998)]);
  expect(await count('first_kept')).toBe(2);
  expect(((await store.query({ tags: ['t'], from: T0, to: T0 + 11 })) as HistoryPoint[]).map((p) => p.value)).toEqual([
    1, 2,
  ]);
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
  const store = await open('bulk_once');
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
    `CREATE TRIGGER record_bulk_write AFTER INSERT ON "${SCHEMA}".bulk_once REFERENCING NEW TABLE AS new_rows
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
  expect(await count('bulk_once')).toBe(10_000);
});
