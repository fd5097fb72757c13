import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { HistorianStore, HistoryPoint } from '../src/historian-store';
import { openInfluxStore } from '../src/influx-store';
import type { InfluxStoreConfig } from '../src/influx-store';
import { Influxd, freePort } from './influxd';
import { historianStoreContract, row, T0 } from './store-contract';

const DB = 'tagflow';

let influxd: Influxd;
const opened: HistorianStore[] = [];

beforeAll(async () => {
  influxd = await Influxd.start();
  await influxd.influxql(`CREATE DATABASE "${DB}"`);
});

afterAll(async () => {
  for (const store of opened) await store.close();
  await influxd?.kill();
});

function config(measurement: string, over: Partial<InfluxStoreConfig> = {}): InfluxStoreConfig {
  return { url: influxd.url, apiVersion: 1, database: DB, measurement, timeoutMs: 5000, ...over };
}

async function open(
  measurement: string,
  over: Partial<InfluxStoreConfig> = {},
  lost: (reason: Error) => void = () => undefined,
  writeOnWorker = false,
): Promise<HistorianStore> {
  const store = await openInfluxStore(config(measurement, over), { lost, writeOnWorker });
  opened.push(store);
  return store;
}

/** Points stored in a measurement, counted by InfluxDB itself. */
async function count(measurement: string): Promise<number> {
  const answer = await influxd.influxql(`SELECT COUNT("quality") FROM "${measurement}"`, DB);
  return Number(answer.results[0].series?.[0].values[0][1] ?? 0);
}

historianStoreContract('influxdb', { open: (measurement) => open(measurement), count });
// The same contract with the writes sent from a worker thread, as the historian resource opens it.
historianStoreContract('influxdb, written from a worker thread', {
  open: (measurement) => open(`${measurement}_w`, {}, undefined, true),
  count: (measurement) => count(`${measurement}_w`),
});

test('describes itself by database and measurement', async () => {
  expect((await open('described')).description).toBe(`influxdb ${DB}/described`);
});

test('tags, measurement and text with separators and quotes round-trip through escaping', async () => {
  const measurement = 'plant 1,history';
  const store = await open(measurement);
  const tags = ['a b', 'x,y=z', `it's "quoted"`, 'back\\slash', 'ünïcode/°C'];
  await store.write(tags.map((tag, i) => row(tag, T0 + i, i, null)));
  await store.write([row('a b', T0 + 100, null, `text with 'single', "double", \\ and = , ;`)]);
  expect(await store.tags()).toEqual([...tags].sort());
  for (const [i, tag] of tags.entries()) {
    expect(await store.query({ tags: [tag], from: T0, to: T0 + 10 })).toEqual([
      { tag, ts: T0 + i, value: i, text: null, quality: 'good' },
    ]);
  }
  const text = (await store.query({ tags: ['a b'], from: T0 + 100, to: T0 + 101 })) as HistoryPoint[];
  expect(text[0].text).toBe(`text with 'single', "double", \\ and = , ;`);
});

test('v1 retention policy: written to and read from the one named', async () => {
  await influxd.influxql(`CREATE RETENTION POLICY "forever" ON "${DB}" DURATION INF REPLICATION 1`);
  const kept = await open('rp', { retentionPolicy: 'forever' });
  await kept.write([row('a', T0, 1)]);
  expect(await kept.query({ tags: ['a'], from: T0, to: T0 + 1 })).toEqual([
    { tag: 'a', ts: T0, value: 1, text: null, quality: 'good' },
  ]);
  const inDefault = await influxd.influxql('SELECT COUNT("quality") FROM "autogen"."rp"', DB);
  expect(inDefault.results[0].series).toBeUndefined();
  const inForever = await influxd.influxql('SELECT COUNT("quality") FROM "forever"."rp"', DB);
  expect(inForever.results[0].series?.[0].values[0][1]).toBe(1);
});

test('config mistakes and refusals are reported in plain words', async () => {
  await expect(open('m', { url: 'http://user:secret@127.0.0.1:1' })).rejects.toThrow(
    'the InfluxDB url must not contain a user or password',
  );
  await expect(open('m', { apiVersion: 2, org: 'acme' })).rejects.toThrow('InfluxDB 2 needs an org and a bucket');
  await expect(open('m', { database: undefined })).rejects.toThrow('InfluxDB 1 needs a database name');
  const missing = await open('m', { database: 'no_such_db' });
  await expect(missing.write([row('a', T0, 1)])).rejects.toThrow(
    'InfluxDB refused the write (HTTP 404): database not found: "no_such_db"',
  );
  const missingOnWorker = await open('m', { database: 'no_such_db' }, undefined, true);
  await expect(missingOnWorker.write([row('a', T0, 1)])).rejects.toThrow(
    'InfluxDB refused the write (HTTP 404): database not found: "no_such_db"',
  );
  await expect(missing.query({ tags: ['a'], from: 0, to: T0 })).rejects.toThrow(
    'InfluxDB could not run the query: database not found: no_such_db',
  );
});

test('an unreachable server: open rejects naming the URL', async () => {
  const port = await freePort();
  await expect(open('m', { url: `http://127.0.0.1:${port}` })).rejects.toThrow(
    `cannot reach InfluxDB at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
  );
});

test('v1 with authentication: basic auth works, a wrong password is refused without showing it', async () => {
  const secured = await Influxd.start({ admin: { user: 'admin', password: 'right-pass' } });
  try {
    await secured.influxql(`CREATE DATABASE "${DB}"`);
    const good = await openInfluxStore(
      { url: secured.url, apiVersion: 1, database: DB, measurement: 'm', username: 'admin' },
      { password: 'right-pass', lost: () => undefined },
    );
    await good.write([row('a', T0, 1)]);
    expect(await good.query({ tags: ['a'], from: T0, to: T0 + 1 })).toHaveLength(1);
    const bad = await openInfluxStore(
      { url: secured.url, apiVersion: 1, database: DB, measurement: 'm', username: 'admin' },
      { password: 'wrong-pass', lost: () => undefined },
    );
    const refusal = await bad.write([row('a', T0, 1)]).then(
      () => new Error('the write was accepted'),
      (err: Error) => err,
    );
    expect(refusal.message).toBe('InfluxDB refused the write (HTTP 401): authorization failed');
    expect(JSON.stringify(refusal, Object.getOwnPropertyNames(refusal))).not.toContain('wrong-pass');
  } finally {
    await secured.kill();
  }
});

test('v2 request shape: /api/v2/write with org, bucket, ms precision and a token; queries on /query', async () => {
  const requests: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
  // Captures what we send (no InfluxDB 2 can be had here); it answers as InfluxDB 2 would, nothing more.
  const capture: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url?.startsWith('/query')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"results":[{"statement_id":0}]}');
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
  try {
    const port = (capture.address() as { port: number }).port;
    const store = await openInfluxStore(
      {
        url: `http://127.0.0.1:${port}/`,
        apiVersion: 2,
        org: 'acme plant',
        bucket: 'edge/history',
        measurement: 'history',
      },
      { token: 'tok-123', lost: () => undefined },
    );
    expect(store.description).toBe('influxdb2 acme plant/edge/history/history');
    await store.write([row('pump 3', T0, 1.5), row('pump 3', T0 + 1, null, 'on', 'uncertain')]);
    expect(await store.query({ tags: ['pump 3'], from: T0, to: T0 + 2 })).toEqual([]);

    const [ping, write, query] = requests;
    expect(ping.method).toBe('GET');
    expect(ping.url).toBe('/ping');
    expect(write.method).toBe('POST');
    const url = new URL(write.url as string, 'http://x');
    expect(url.pathname).toBe('/api/v2/write');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      org: 'acme plant',
      bucket: 'edge/history',
      precision: 'ms',
    });
    expect(write.headers.authorization).toBe('Token tok-123');
    expect(write.body.split('\n')).toEqual([
      `history,tag=pump\\ 3 value=1.5,quality=0i ${T0}`,
      `history,tag=pump\\ 3 text="on",quality=1i ${T0 + 1}`,
    ]);
    const q = new URL(query.url as string, 'http://x');
    expect(q.pathname).toBe('/query');
    expect(q.searchParams.get('db')).toBe('edge/history');
    expect(q.searchParams.get('epoch')).toBe('ms');
    expect(query.headers.authorization).toBe('Token tok-123');
    expect(new URLSearchParams(query.body).get('q')).toBe(
      `SELECT "value","text","quality" FROM "history" WHERE "tag" = 'pump 3' AND time >= ${T0}ms AND time < ${T0 + 2}ms ORDER BY time ASC LIMIT 10000`,
    );
  } finally {
    await new Promise((resolve) => capture.close(resolve));
  }
});

test.each([
  ['', false],
  [', writes from a worker thread', true],
])(
  'server stopped: write rejects and lost is called once; restarted, a new open writes and earlier rows are kept%s',
  async (_, onWorker) => {
    const lost: Error[] = [];
    const store = await open('outage', {}, (reason) => lost.push(reason), onWorker);
    await store.write([row('before', T0, 1)]);

    await influxd.down();
    await expect(store.write([row('during', T0, 2)])).rejects.toThrow(
      `cannot reach InfluxDB at ${influxd.url}: connect ECONNREFUSED`,
    );
    await expect(store.query({ tags: ['before'], from: 0, to: T0 + 1 })).rejects.toThrow('cannot reach InfluxDB');
    expect(lost).toHaveLength(1);
    expect(lost[0].message).toContain(influxd.url);
    await expect(open('outage')).rejects.toThrow('cannot reach InfluxDB');

    await influxd.up();
    const again = await open('outage');
    await again.write([row('during', T0, 2)]);
    expect(await again.tags()).toEqual(['before', 'during']);
    expect(await again.query({ tags: ['before'], from: 0, to: T0 + 1 })).toEqual([
      { tag: 'before', ts: T0, value: 1, text: null, quality: 'good' },
    ]);
  },
);

/** The server's HTTP counters (`SHOW STATS FOR 'httpd'`): write requests and points it accepted so far. */
async function httpStats(): Promise<{ writeReq: number; pointsWrittenOK: number }> {
  const answer = await influxd.influxql(`SHOW STATS FOR 'httpd'`);
  const series = answer.results[0].series?.[0];
  if (series === undefined) throw new Error('InfluxDB reported no httpd statistics');
  const value = (column: string): number => Number(series.values[0][series.columns.indexOf(column)]);
  return { writeReq: value('writeReq'), pointsWrittenOK: value('pointsWrittenOK') };
}

test('a 10,000-row batch is one write', async () => {
  const store = await open('bulk_once');
  const rows = Array.from({ length: 10_000 }, (_, i) =>
    row(`tag${i % 20}`, T0 + i, i % 7 === 0 ? null : i / 3, i % 7 === 0 ? `text ${i}` : null),
  );
  const before = await httpStats();
  const started = Date.now();
  await store.write(rows);
  console.log(`influxdb: wrote 10,000 rows in one request in ${Date.now() - started} ms`);
  const after = await httpStats();
  // InfluxDB's own counters: one /write request, carrying every point.
  expect({
    writeReq: after.writeReq - before.writeReq,
    points: after.pointsWrittenOK - before.pointsWrittenOK,
  }).toEqual({
    writeReq: 1,
    points: 10_000,
  });
  expect(await count('bulk_once')).toBe(10_000);
});
