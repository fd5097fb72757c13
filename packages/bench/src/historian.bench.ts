// `pnpm bench`, second part: rows/second into each historian backend with historian-out's default
// batching (1,000 rows or 1 s), through the engine and the on-disk buffer, beside the same rows
// written straight to the backend in batches of 1,000 (no node, no buffer), alternately in one run.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { Engine, NodeRegistry } from '@tagflow/runtime';
import type { EngineLogger } from '@tagflow/runtime';
import { historian, historianOut, LocalStore, openInfluxStore, openPostgresStore } from '@tagflow/nodes-historian';
import type { HistorianStore, HistoryRow } from '@tagflow/nodes-historian';
import { startInfluxd } from './influxd-process';
import { formatRate, median } from './stats';
import { reportFigure } from './summary';

const quick = process.env.BENCH_QUICK === '1';
const ROWS = Number(process.env.BENCH_ROWS ?? (quick ? 20_000 : 200_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3));
const BATCH = 1000;
/** historian-out's rate as a share of the direct write's that counts as good enough (issue 19). */
const TARGET = 0.7;
const quiet: EngineLogger = {
  debug() {},
  info() {},
  warn: (o, m) => console.error(m, o),
  error: (o, m) => console.error(m, o),
};

type Backend = { name: string; config: Record<string, unknown> };

/** Rows/s through an engine running `historian-out` until the node reports every row stored. */
async function throughNode(resourceConfig: Record<string, unknown>, tagPrefix: string): Promise<number> {
  const registry = new NodeRegistry();
  registry.registerNode(historianOut);
  registry.registerResource(historian);
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-bench-historian-'));
  const engine = new Engine({ registry, logger: quiet, dataDir });
  let stored = 0;
  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  engine.on('status', ({ nodeId, status }) => {
    if (nodeId !== 'rec') return;
    const m = /^(\d+) rows stored/.exec(status.text ?? '');
    if (m) {
      stored = Number(m[1]);
      connected();
    }
  });
  const result = await engine.deploy({
    schemaVersion: 1,
    id: 'bench-historian',
    resources: [{ id: 'db', type: 'historian', config: resourceConfig }],
    nodes: [
      {
        id: 'rec',
        type: 'historian-out',
        typeVersion: 1,
        config: { historian: 'db', tag: `${tagPrefix}/{{topic}}`, bufferMaxMB: 1024 },
      },
    ],
    edges: [],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  await ready;
  const t0 = Date.now() - 1e9; // distinct timestamps per run: no run overwrites another's rows
  const started = performance.now();
  for (let i = 0; i < ROWS; i++)
    await engine.inject('rec', { payload: i * 0.25, topic: `tag${i % 50}`, timestamp: t0 + i, quality: 'good' });
  while (stored < ROWS) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await engine.stop();
  return ROWS / seconds;
}

/**
 * Rows/s written straight to a store in batches of 1,000: what the backend itself can take. The
 * local store is written on this thread here, while the historian resource commits on a worker.
 */
async function direct(store: HistorianStore, tagPrefix: string): Promise<number> {
  const t0 = Date.now() - 2e9;
  const rows: HistoryRow[] = Array.from({ length: ROWS }, (_, i) => ({
    tag: `${tagPrefix}/tag${i % 50}`,
    ts: t0 + i,
    value: i * 0.25,
    text: null,
    quality: 'good',
  }));
  const started = performance.now();
  for (let i = 0; i < ROWS; i += BATCH) await store.write(rows.slice(i, i + BATCH));
  return ROWS / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  console.log(
    `\ntagflow historian ingestion benchmark: ${ROWS.toLocaleString('en')} rows per run, ${RUNS} run(s), batches of ${BATCH}, Node ${process.version}${quick ? ' (quick)' : ''}`,
  );
  const influx = await startInfluxd();
  const schema = `tagflow_bench_${process.pid}`;
  const admin = new Pool({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', max: 1 });
  const localDir = mkdtempSync(join(tmpdir(), 'tagflow-bench-local-'));
  const backends: Backend[] = [
    { name: 'local (SQLite)', config: { backend: 'local', name: 'bench' } },
    { name: 'PostgreSQL 15', config: { backend: 'postgres', database: 'test', schema, table: 'history' } },
    { name: 'InfluxDB 1.6 (HTTP /write)', config: { backend: 'influxdb', url: influx.url, database: 'bench' } },
  ];
  const lost = (reason: Error) => console.error(reason.message);
  const directStores: HistorianStore[] = [
    LocalStore.open(join(localDir, 'direct.sqlite')),
    await openPostgresStore(
      { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', schema, table: 'history_direct' },
      { lost },
    ),
    await openInfluxStore({ url: influx.url, apiVersion: 1, database: 'bench', measurement: 'direct' }, { lost }),
  ];
  const results: Record<string, { node: number[]; direct: number[] }> = {};
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const [i, b] of backends.entries()) {
        const r = (results[b.name] ??= { node: [], direct: [] });
        r.direct.push(await direct(directStores[i], `d${run}`));
        r.node.push(await throughNode(b.config, `n${run}`));
      }
    }
  } finally {
    for (const s of directStores) await s.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    influx.stop();
  }
  console.log(
    `\n${'rows/s (median of runs)'.padEnd(30)} ${'historian-out'.padStart(14)} ${'direct write'.padStart(14)} ${'ratio'.padStart(7)}  target ${TARGET * 100}% (issue 19)`,
  );
  for (const [name, r] of Object.entries(results)) {
    const ratio = median(r.node) / median(r.direct);
    console.log(
      `${name.padEnd(30)} ${formatRate(median(r.node)).padStart(14)} ${formatRate(median(r.direct)).padStart(14)} ${`${(ratio * 100).toFixed(0)}%`.padStart(7)}  ${ratio >= TARGET ? 'met' : 'not met'}`,
    );
  }
  // The summary table of `pnpm bench` (summary.ts): historian-out beside the direct batched write.
  const ids = ['historian-out-sqlite', 'historian-out-postgresql', 'historian-out-influxdb'];
  backends.forEach((b, i) => {
    const r = results[b.name];
    reportFigure({
      id: ids[i],
      value: r?.node.length ? median(r.node) : null,
      baseline: r?.direct.length ? median(r.direct) : null,
    });
  });
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, quick ? 'historian-quick.json' : 'historian.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, rows: ROWS, runs: RUNS, batch: BATCH, results }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
