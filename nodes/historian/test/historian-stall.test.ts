import { Pool } from 'pg';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { historian, historianOut } from '../src';
import { Influxd } from './influxd';
import { TcpProxy } from './tcp-proxy';

// A database that keeps the connection but stops answering (hung, or its disk full) is not an
// outage the socket reports: historian-out must show it as not answering (never `ok`), give up
// the write after the resource's timeout, keep the rows buffered and write them once it answers.
const SCHEMA = `tagflow_stall_${process.pid}_${Date.now().toString(36)}`;
const T0 = Date.UTC(2026, 11, 4, 6, 0, 0, 0);
const admin = new Pool({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', max: 1 });
const flows: FlowUnderTest[] = [];
const proxies: TcpProxy[] = [];

afterEach(async () => {
  for (const f of flows.splice(0)) await f.stop();
  for (const p of proxies.splice(0)) await p.cut();
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Records through `proxy`, freezes it with rows under way, and checks the status while frozen;
 * thaws it and returns once `stored()` counts every row. The timeout (7 s) is longer than the
 * 5 s after which a write counts as not answered, so the status shows that first.
 */
async function stallAndRecover(
  proxy: TcpProxy,
  resource: Record<string, unknown>,
  stored: () => Promise<number>,
): Promise<void> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'stall',
      resources: [{ id: 'db', type: 'historian', config: { ...resource, timeoutMs: 7000 } }],
      nodes: [
        {
          id: 'rec',
          type: 'historian-out',
          typeVersion: 1,
          config: { historian: 'db', tag: 'line1/{{topic}}', batchSize: 50, batchMs: 20 },
        },
      ],
      edges: [],
    },
    { nodes: [historianOut], resources: [historian], fakeTime: false },
  );
  flows.push(f);
  const last = () => f.statuses('rec').at(-1);
  const inject = async (from: number, to: number) => {
    for (let i = from; i < to; i++)
      await f.inject('rec', { payload: i, topic: 'flow', timestamp: T0 + i * 1000, quality: 'good' });
  };
  await inject(0, 100);
  await until(() => /^100 rows stored$/.test(last()?.text ?? ''), '100 rows stored');

  proxy.freeze();
  await inject(100, 200);
  await until(() => last()?.state === 'error', 'the status to say the historian does not answer');
  expect(last()?.text).toMatch(/^historian not answering \(no answer to a write for [5-9] s\), 100 buffered$/);
  expect(last()?.backlog).toBe(100);
  // Nothing reached the database while it hung; the rows wait in the buffer, not in memory only.
  expect(await stored()).toBe(100);

  proxy.thaw();
  // The hung write gives up after the timeout; the batch is written again on a new connection.
  await until(() => f.statuses('rec').some((s) => /write failed/.test(s.text ?? '')), 'the write to time out');
  await until(async () => (await stored()) === 200, 'all 200 rows');
  await until(() => last()?.state === 'ok' && last()?.backlog === 0, 'ok, nothing buffered');
  expect(f.errors).toEqual([]);
}

it('PostgreSQL that stops answering mid-stream: shown as not answering, rows kept and written once it answers', async () => {
  const proxy = await TcpProxy.start('127.0.0.1', 5432);
  proxies.push(proxy);
  await stallAndRecover(
    proxy,
    { backend: 'postgres', host: '127.0.0.1', port: proxy.port, database: 'test', schema: SCHEMA, table: 'stall' },
    async () => {
      const r = await admin.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".stall`);
      return (r.rows[0] as { n: number }).n;
    },
  );
  const distinct = await admin.query(`SELECT count(DISTINCT ts)::int AS n FROM "${SCHEMA}".stall`);
  expect((distinct.rows[0] as { n: number }).n).toBe(200);
}, 60_000);

it('InfluxDB that stops answering mid-stream: shown as not answering, rows kept and written once it answers', async () => {
  const influx = await Influxd.start();
  try {
    await influx.influxql('CREATE DATABASE plant');
    const proxy = await TcpProxy.start('127.0.0.1', influx.port);
    proxies.push(proxy);
    await stallAndRecover(
      proxy,
      { backend: 'influxdb', url: `http://127.0.0.1:${proxy.port}`, database: 'plant' },
      async () => {
        const answer = await influx.influxql(`SELECT count(value) FROM tagflow WHERE "tag" = 'line1/flow'`, 'plant');
        return (answer.results[0].series?.[0]?.values?.[0]?.[1] as number | undefined) ?? 0;
      },
    );
  } finally {
    await influx.kill();
  }
}, 60_000);
