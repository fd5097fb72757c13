import { Pool } from 'pg';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { historian, historianOut } from '../src';
import { Influxd } from './influxd';
import { TcpProxy } from './tcp-proxy';

// historian-out through the engine, against the real databases, with the database unreachable for
// seconds in the middle of a stream: every row must arrive once, and the backlog must show.
const SCHEMA = `tagflow_outage_${process.pid}_${Date.now().toString(36)}`;
const T0 = Date.UTC(2026, 10, 29, 6, 0, 0, 0);
const TOTAL = 1500;
const admin = new Pool({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', max: 1 });
const flows: FlowUnderTest[] = [];

afterEach(async () => {
  for (const f of flows.splice(0)) await f.stop();
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

async function recorder(resource: Record<string, unknown>): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'outage',
      resources: [{ id: 'db', type: 'historian', config: resource }],
      nodes: [
        {
          id: 'rec',
          type: 'historian-out',
          typeVersion: 1,
          config: { historian: 'db', tag: 'line1/{{topic}}', batchSize: 100, batchMs: 50 },
        },
      ],
      edges: [],
    },
    { nodes: [historianOut], resources: [historian], fakeTime: false },
  );
  flows.push(f);
  return f;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Feeds TOTAL values, 2 ms apart; `outage` runs once a third of them are in. */
async function stream(f: FlowUnderTest, outage: () => Promise<void>): Promise<number> {
  let maxBacklog = 0;
  let during: Promise<void> | undefined;
  for (let i = 0; i < TOTAL; i++) {
    await f.inject('rec', { payload: i * 0.5, topic: 'flow', timestamp: T0 + i * 1000 });
    if (i === TOTAL / 3) during = outage();
    maxBacklog = Math.max(maxBacklog, f.statuses('rec').at(-1)?.backlog ?? 0);
    await new Promise((r) => setTimeout(r, 2));
  }
  await during;
  return maxBacklog;
}

it('PostgreSQL unreachable mid-stream: every row arrives once, in the table', async () => {
  const proxy = await TcpProxy.start('127.0.0.1', 5432);
  const f = await recorder({
    backend: 'postgres',
    host: '127.0.0.1',
    port: proxy.port,
    database: 'test',
    schema: SCHEMA,
    table: 'outage',
    timeoutMs: 2000,
  });
  await until(
    () => f.statuses('rec').some((s) => s.state === 'ok' && /rows stored/.test(s.text ?? '')),
    'the connection',
  );
  const maxBacklog = await stream(f, async () => {
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.restore();
  });
  const rows = async () =>
    (await admin.query(`SELECT count(*)::int AS n, count(DISTINCT ts)::int AS d FROM "${SCHEMA}".outage`)).rows[0] as {
      n: number;
      d: number;
    };
  await until(async () => (await rows()).n >= TOTAL, `${TOTAL} rows`);
  const values = (
    await admin.query(`SELECT value FROM "${SCHEMA}".outage WHERE tag = 'line1/flow' ORDER BY ts`)
  ).rows.map((r) => r.value as number);
  process.stdout.write(`postgres outage test: ${JSON.stringify({ sent: TOTAL, rows: values.length, maxBacklog })}\n`);
  expect(values).toEqual(Array.from({ length: TOTAL }, (_, i) => i * 0.5));
  expect(maxBacklog).toBeGreaterThan(0);
  await proxy.cut();
}, 90_000);

it('InfluxDB stopped mid-stream and restarted: every row arrives once; a row it cannot store is reported, not retried for ever', async () => {
  const influx = await Influxd.start();
  try {
    await influx.influxql('CREATE DATABASE plant');
    const f = await recorder({
      backend: 'influxdb',
      url: `http://127.0.0.1:${influx.port}`,
      database: 'plant',
      timeoutMs: 2000,
    });
    await until(
      () => f.statuses('rec').some((s) => s.state === 'ok' && /rows stored/.test(s.text ?? '')),
      'the connection',
    );
    await f.inject('rec', { payload: 1, topic: 'bad\ntag', timestamp: T0 - 1000 }); // line protocol cannot carry a line break
    const maxBacklog = await stream(f, async () => {
      await influx.down();
      await new Promise((r) => setTimeout(r, 3000));
      await influx.up();
    });
    const values = async () => {
      const answer = await influx.influxql(`SELECT value FROM tagflow WHERE "tag" = 'line1/flow'`, 'plant');
      return (answer.results[0].series?.[0]?.values ?? []).map((v) => v[1] as number);
    };
    await until(async () => (await values()).length >= TOTAL, `${TOTAL} points`);
    process.stdout.write(
      `influxdb outage test: ${JSON.stringify({ sent: TOTAL, points: (await values()).length, maxBacklog })}\n`,
    );
    expect(await values()).toEqual(Array.from({ length: TOTAL }, (_, i) => i * 0.5));
    expect(maxBacklog).toBeGreaterThan(0);
    expect(f.errors).toEqual([
      expect.objectContaining({
        code: 'HISTORIAN_ROW',
        message: expect.stringMatching(/contains a line break.*the row was dropped/),
      }),
    ]);
  } finally {
    await influx.kill();
  }
}, 90_000);
