import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { defineResource } from '@tagflow/node-sdk';
import { runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { historianOut } from '../src';
import { RefusedWriteError } from '../src/historian-store';
import type { HistorianStore } from '../src/historian-store';
import type { HistoryRow } from '../src/history-row';

// historian-out's handling of backend failures, with a backend written here to fail on purpose:
// one that refuses some rows for what they hold, and one that is down. (The real backends' own
// failures are tested in their files and in historian-outage.test.ts.)
const written: HistoryRow[] = [];
let down = false;
let writes = 0;

const picky = defineResource({
  type: 'historian',
  version: 1,
  description: 'test backend: refuses values above 100 as a database refuses bad data; `down` fails every write',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(): HistorianStore {
    return {
      description: 'picky test store',
      refusal: (row) => (row.tag.includes('\n') ? 'a tag with a line break' : undefined),
      async write(rows) {
        writes++;
        if (down) throw new Error('connection refused');
        const bad = rows.find((r) => (r.value ?? 0) > 100);
        if (bad) throw new RefusedWriteError(`value ${bad.value} out of range`);
        written.push(...rows);
      },
      query: async () => [],
      tags: async () => [],
      close: async () => undefined,
    };
  },
});

const flows: FlowUnderTest[] = [];
afterEach(async () => {
  for (const f of flows.splice(0)) await f.stop();
  written.length = 0;
  down = false;
  writes = 0;
});

async function recorder(tag = 't', options: { fakeTime?: boolean; dataDir?: string } = {}): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'failures',
      resources: [{ id: 'db', type: 'historian', config: {} }],
      nodes: [
        {
          id: 'rec',
          type: 'historian-out',
          typeVersion: 1,
          config: { historian: 'db', tag, batchSize: 10, batchMs: 20 },
        },
      ],
      edges: [],
    },
    { nodes: [historianOut], resources: [picky], fakeTime: options.fakeTime ?? false, dataDir: options.dataDir },
  );
  flows.push(f);
  return f;
}

it('writes a refused batch row by row: only the refused rows are dropped, each reported once', async () => {
  const f = await recorder();
  for (let i = 0; i < 10; i++)
    await f.inject('rec', { payload: i === 3 || i === 7 ? 500 + i : i, timestamp: 1000 + i });
  await until(() => written.length === 8, 10_000, '8 rows written');
  expect(written.map((r) => r.value)).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
  expect(f.errors.map((e) => [e.code, e.message])).toEqual([
    ['HISTORIAN_ROW', 'value 503 out of range; the row was dropped'],
    ['HISTORIAN_ROW', 'value 507 out of range; the row was dropped'],
  ]);
  await until(() => f.statuses('rec').some((s) => s.text === '8 rows stored, 2 refused'), 10_000, 'the status');
});

it('reports a row the backend can never store once, however often its batch is retried', async () => {
  down = true;
  const f = await recorder('{{topic}}');
  await f.inject('rec', { payload: 1, topic: 'bad\ntag', timestamp: 1 });
  await f.inject('rec', { payload: 2, topic: 'good', timestamp: 2 });
  await until(() => writes >= 2, 10_000, 'two failed attempts while the backend is down');
  down = false;
  await until(() => written.length === 1, 10_000, 'the good row after the outage');
  expect(written.map((r) => r.tag)).toEqual(['good']);
  expect(f.errors.map((e) => e.message)).toEqual(['a tag with a line break; the row was dropped']);
});

it('stops at once while the backend is down, keeping the rows buffered', async () => {
  // On a fake clock that the test never moves past the first write: the retry pause after the
  // failed write (1 s of flow time) can only end by the node closing. Had the stop waited for it,
  // the engine would have given up on the close after its time-box and said so.
  down = true;
  const f = await recorder('t', { fakeTime: true });
  for (let i = 0; i < 5; i++) await f.inject('rec', { payload: i, timestamp: 10 + i });
  await f.advance(20); // batchMs: the batch is due, its write fails, the retry pause begins
  await until(() => writes === 1, 10_000, 'a failed write');
  await f.stop();
  flows.splice(0);
  const warnings = f.logs.filter((r) => r.level === 'warn').map((r) => r.message);
  expect(warnings.filter((w) => /did not finish closing/.test(w))).toEqual([]);
  expect(warnings.filter((w) => /could not write the last rows before stopping/.test(w))).toHaveLength(1);
  expect(writes).toBe(2); // the failed batch, then the last try on close

  // Started again on the same data dir with the backend back, it writes the kept rows.
  down = false;
  await recorder('t', { dataDir: f.dataDir });
  await until(() => written.length === 5, 10_000, 'the kept rows after a restart');
  expect(written.map((r) => r.value)).toEqual([0, 1, 2, 3, 4]);
});

it('delivers rows an earlier version buffered as objects, beside rows buffered now', async () => {
  // A buffer left by a version that kept each row as an object (one record per line: CRC-32 in
  // hex, then the JSON), as after an upgrade with the historian down.
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-historian-old-buffer-'));
  const dir = join(dataDir, 'outbox', 'failures', 'rec');
  mkdirSync(dir, { recursive: true });
  const old = [0, 1].map((i) => JSON.stringify({ tag: 't', ts: 10 + i, value: i, text: null, quality: 'uncertain' }));
  writeFileSync(
    join(dir, 'seg-000000000000.log'),
    old.map((json) => `${crc32(json).toString(16).padStart(8, '0')}${json}\n`).join(''),
  );
  const f = await recorder('t', { dataDir });
  await f.inject('rec', { payload: 2, timestamp: 12, quality: 'good' });
  await until(() => written.length === 3, 10_000, 'the old rows and the new one');
  expect(written).toEqual([
    { tag: 't', ts: 10, value: 0, text: null, quality: 'uncertain' },
    { tag: 't', ts: 11, value: 1, text: null, quality: 'uncertain' },
    { tag: 't', ts: 12, value: 2, text: null, quality: 'good' },
  ]);
});
