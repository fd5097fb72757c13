import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { historian, historianOut, historianQuery, localStoreFile, LocalStore } from '../src';
import type { HistoryBucket, HistoryPoint } from '../src';

const open: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});

async function flow(
  nodes: object[],
  options: { dataDir?: string; resource?: Record<string, unknown>; fakeTime?: boolean } = {},
): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'history-test',
      resources: [{ id: 'plant-history', type: 'historian', config: options.resource ?? {} }],
      nodes,
      edges: [],
    },
    {
      nodes: [historianOut, historianQuery],
      resources: [historian],
      fakeTime: options.fakeTime ?? false,
      dataDir: options.dataDir,
    },
  );
  open.push(f);
  return f;
}

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('historian-out with the local store', () => {
  it('records values under the tag template in the data dir, in batches, readable by another reader', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-historian-'));
    const f = await flow(
      [
        {
          id: 'rec',
          type: 'historian-out',
          typeVersion: 1,
          config: { historian: 'plant-history', tag: 'pump3/{{topic}}', batchSize: 50, batchMs: 100 },
        },
      ],
      { dataDir },
    );
    for (let i = 0; i < 120; i++)
      await f.inject('rec', { payload: i * 1.5, topic: 'flow', timestamp: 1_700_000_000_000 + i * 250 });
    await f.inject('rec', { payload: { running: true, mode: 'auto' }, topic: 'state', timestamp: 1_700_000_100_000 });
    await until(() => f.statuses('rec').some((s) => s.text?.startsWith('122 rows stored')), '122 rows stored');
    const reader = LocalStore.openReadOnly(localStoreFile(dataDir, 'plant-history'));
    try {
      const flow = (await reader.query({ tags: ['pump3/flow'], from: 0, to: 2e12 })) as HistoryPoint[];
      expect(flow.map((p) => p.value)).toEqual(Array.from({ length: 120 }, (_, i) => i * 1.5));
      expect(flow.map((p) => p.ts)).toEqual(Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 250));
      expect(await reader.tags()).toEqual(['pump3/flow', 'pump3/state/mode', 'pump3/state/running']);
    } finally {
      await reader.close();
    }
  });

  it('reports a message the tag template cannot fill as the node error', async () => {
    const f = await flow([
      { id: 'rec', type: 'historian-out', typeVersion: 1, config: { historian: 'plant-history' } },
    ]);
    await f.inject('rec', { payload: 1 }); // no topic for the default tag {{topic}}
    expect(f.errors).toEqual([expect.objectContaining({ code: 'HISTORIAN_TAG', nodeId: 'rec' })]);
  });

  it('writes a partly filled batch after batchMs, and a full one at once', async () => {
    // On the flow's fake clock: batchMs is flow time, so how busy the machine is cannot move a
    // batch across its deadline. What was written is read from the store's file itself.
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-historian-'));
    const f = await flow(
      [
        {
          id: 'slow',
          type: 'historian-out',
          typeVersion: 1,
          config: { historian: 'plant-history', tag: 'slow', batchSize: 1000, batchMs: 600 },
        },
        {
          id: 'full',
          type: 'historian-out',
          typeVersion: 1,
          config: { historian: 'plant-history', tag: 'full', batchSize: 10, batchMs: 60_000 },
        },
      ],
      { dataDir, fakeTime: true },
    );
    const stored = async (tag: string): Promise<number> => {
      const file = localStoreFile(dataDir, 'plant-history');
      if (!existsSync(file)) return 0;
      const reader = LocalStore.openReadOnly(file);
      try {
        return (await reader.query({ tags: [tag], from: 0, to: 2e12 })).length;
      } finally {
        await reader.close();
      }
    };
    await f.inject('slow', { payload: 1, timestamp: 1000 });
    for (let i = 0; i < 10; i++) await f.inject('full', { payload: i, timestamp: 1000 + i });
    // The full batch is written with no flow time passing; the partial one waits.
    await until(async () => (await stored('full')) === 10, 'the full batch');
    // Said once the buffer is empty, without waiting for the status timer (no flow time passed).
    await until(() => f.statuses('full').at(-1)?.text === '10 rows stored', 'the status of the full batch');
    expect(await stored('slow')).toBe(0);
    await f.advance(599);
    expect(f.statuses('slow').at(-1)?.text).toBe('0 rows stored, 1 buffered');
    expect(await stored('slow')).toBe(0);
    await f.advance(1);
    await until(async () => (await stored('slow')) === 1, 'the timed batch');
  });
});

describe('historian-out stores each field of a poll with its own quality (issue 16)', () => {
  // What modbus-read sends in object mode when one tag of the poll failed.
  const poll = {
    payload: { level: 51.2, running: null, mode: 'auto' },
    topic: 'tank1',
    timestamp: 1_700_000_000_000,
    quality: 'bad',
    qualities: { level: 'good', running: 'bad', mode: 'good' },
    readError: 'running: 10.0.0.5:502 unit 1 refused to read 1 coils at 9: Modbus exception 2',
  };
  const recorder = {
    id: 'rec',
    type: 'historian-out',
    typeVersion: 1,
    config: { historian: 'plant-history', batchMs: 0 },
  };

  it('in the local store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-historian-'));
    const f = await flow([recorder], { dataDir });
    await f.inject('rec', poll);
    await until(() => f.statuses('rec').some((s) => s.text?.startsWith('3 rows stored')), '3 rows stored');
    const reader = LocalStore.openReadOnly(localStoreFile(dataDir, 'plant-history'));
    try {
      const rows = (await reader.query({
        tags: ['tank1/level', 'tank1/running', 'tank1/mode'],
        from: 0,
        to: 2e12,
      })) as HistoryPoint[];
      expect(rows.map((r) => [r.tag, r.value ?? r.text, r.quality])).toEqual([
        ['tank1/level', 51.2, 'good'],
        ['tank1/running', null, 'bad'],
        ['tank1/mode', 'auto', 'good'],
      ]);
    } finally {
      await reader.close();
    }
  });

  it('in PostgreSQL', async () => {
    const server = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' };
    const schema = `tagflow_quality_${process.pid}_${Date.now().toString(36)}`;
    const admin = new Pool({ ...server, max: 1 });
    try {
      const f = await flow([recorder], {
        resource: {
          backend: 'postgres',
          host: server.host,
          port: server.port,
          database: server.database,
          username: server.user,
          schema,
          table: 'history',
        },
      });
      await f.inject('rec', poll);
      await until(
        () => f.statuses('rec').some((s) => s.text?.startsWith('3 rows stored')),
        '3 rows stored in PostgreSQL',
      );
      const sql = await admin.query(`SELECT tag, value, text, quality FROM "${schema}".history ORDER BY tag`);
      // Quality codes as stored: good 0, bad 2.
      expect(sql.rows).toEqual([
        { tag: 'tank1/level', value: 51.2, text: null, quality: 0 },
        { tag: 'tank1/mode', value: null, text: 'auto', quality: 0 },
        { tag: 'tank1/running', value: null, text: null, quality: 2 },
      ]);
    } finally {
      for (const f of open.splice(0)) await f.stop();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});

describe('historian-query', () => {
  it('reads the last values of the configured tags, or what the message asks for, downsampled on request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-historian-'));
    const now = Date.now();
    const f = await flow(
      [
        {
          id: 'rec',
          type: 'historian-out',
          typeVersion: 1,
          config: { historian: 'plant-history', tag: 'level', batchMs: 0 },
        },
        {
          id: 'q',
          type: 'historian-query',
          typeVersion: 1,
          config: { historian: 'plant-history', tags: ['level'], sinceMs: 60_000 },
        },
      ],
      { dataDir },
    );
    for (let i = 0; i < 30; i++) await f.inject('rec', { payload: i, timestamp: now - 30_000 + i * 1000 });
    await until(() => f.statuses('rec').some((s) => s.text?.startsWith('30 rows stored')), '30 rows');
    await f.inject('q', { payload: null });
    await until(() => f.payloads('q').length === 1, 'the query result');
    expect((f.payloads('q')[0] as HistoryPoint[]).map((p) => p.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await f.inject('q', { payload: { from: now - 30_000, to: now, bucketMs: 10_000 } });
    await until(() => f.payloads('q').length === 2, 'the second result');
    const buckets = f.payloads('q')[1] as HistoryBucket[];
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(30);
    expect(Math.min(...buckets.map((b) => b.min))).toBe(0);
    expect(Math.max(...buckets.map((b) => b.max))).toBe(29);
    await f.inject('q', { payload: { from: 'yesterday' } });
    expect(f.errors).toEqual([
      expect.objectContaining({
        code: 'HISTORIAN_QUERY',
        message: expect.stringMatching(/msg\.payload\.from must be a time/),
      }),
    ]);
  });
});
