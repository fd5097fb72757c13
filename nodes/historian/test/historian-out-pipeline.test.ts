import { defineResource } from '@tagflow/node-sdk';
import { runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { historianOut } from '../src';
import type { HistorianStore } from '../src/historian-store';
import type { HistoryRow } from '../src/history-row';

// historian-out keeps two batches with the backend at once. A backend written here answers each
// write only when the test says so, to check what leaves the buffer, and when.
interface HeldWrite {
  values: number[];
  resolve(): void;
  reject(err: Error): void;
}
const held: HeldWrite[] = [];
const stored: HistoryRow[] = [];
/** When set, writes are answered at once (stored) instead of held. */
let open = false;

const gated = defineResource({
  type: 'historian',
  version: 1,
  description: 'test backend: each write waits until the test answers it',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(): HistorianStore {
    return {
      description: 'gated test store',
      refusal: () => undefined,
      write(rows) {
        if (open) {
          stored.push(...rows);
          return Promise.resolve();
        }
        return new Promise<void>((resolve, reject) =>
          held.push({
            values: rows.map((r) => r.value ?? NaN),
            resolve: () => {
              stored.push(...rows);
              resolve();
            },
            reject,
          }),
        );
      },
      query: async () => [],
      tags: async () => [],
      close: async () => undefined,
    };
  },
});

const flows: FlowUnderTest[] = [];
afterEach(async () => {
  open = true;
  for (const h of held.splice(0)) h.resolve();
  for (const f of flows.splice(0)) await f.stop();
  stored.length = 0;
  open = false;
});

async function recorder(config: Record<string, unknown>): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'pipeline',
      resources: [{ id: 'db', type: 'historian', config: {} }],
      nodes: [{ id: 'rec', type: 'historian-out', typeVersion: 1, config: { historian: 'db', tag: 't', ...config } }],
      edges: [],
    },
    { nodes: [historianOut], resources: [gated], fakeTime: false },
  );
  flows.push(f);
  return f;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

it('sends the next batch while one is being stored, and takes rows out of the buffer in order once stored', async () => {
  const f = await recorder({ batchSize: 10, batchMs: 20 });
  for (let i = 0; i < 30; i++) await f.inject('rec', { payload: i, timestamp: 1000 + i });
  await until(() => held.length === 2, 10_000, 'two writes under way');
  expect(held.map((h) => h.values)).toEqual([range(0, 10), range(10, 20)]);

  // The later batch is stored, the earlier one fails: neither leaves the buffer on its own, and
  // both are written again, in order, before the third.
  held[1].resolve();
  held[0].reject(new Error('connection reset'));
  held.splice(0);
  await until(() => held.length === 2, 10_000, 'the two batches sent again');
  expect(held.map((h) => h.values)).toEqual([range(0, 10), range(10, 20)]);
  open = true;
  for (const h of held.splice(0)) h.resolve();
  await until(() => f.statuses('rec').at(-1)?.text === '30 rows stored', 10_000, 'every row stored');
  expect(f.statuses('rec').at(-1)?.backlog).toBe(0);
  expect([...new Set(stored.map((r) => r.value ?? NaN))].sort((a, b) => a - b)).toEqual(range(0, 30));
});

it('a full buffer dropping rows under way does not take unwritten rows out when the write ends', async () => {
  // About ten rows fit in the buffer: the two batches under way are dropped by newer rows.
  const f = await recorder({ batchSize: 5, batchMs: 20, bufferMaxMB: 0.0003 });
  for (let i = 0; i < 10; i++) await f.inject('rec', { payload: i, timestamp: 1000 + i });
  await until(() => held.length === 2, 10_000, 'two writes under way');
  for (let i = 10; i < 30; i++) await f.inject('rec', { payload: i, timestamp: 1000 + i });
  open = true;
  for (const h of held.splice(0)) h.resolve();
  const last = () => f.statuses('rec').at(-1);
  await until(
    () => last()?.backlog === 0 && last()?.text?.startsWith(`${stored.length} rows stored`) === true,
    10_000,
    'the buffer emptied',
  );
  // Every row the buffer still held when the writes ended is stored.
  const kept = range(last()?.dropped ?? 0, 30);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.filter((v) => !stored.some((r) => r.value === v))).toEqual([]);
});
