import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import fileOut from '../src/file-out.node';
import simulate from '../src/simulate.node';
import { createRandom } from '../src/simulation/prng';
import { createRandomWalk } from '../src/simulation/random-walk';
import flowFixture from './fixtures/simulate-to-file.flow.json';

let dir: string;
let open: NodeUnderTest[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagflow-file-out-'));
});
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
  await rm(dir, { recursive: true, force: true });
});

async function start(config: Record<string, unknown>): Promise<NodeUnderTest> {
  const h = await testNode(fileOut, { config });
  open.push(h);
  return h;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n');
}

describe('file-out', () => {
  it('appends each whole message as one JSON line, creating the folder', async () => {
    const path = join(dir, 'new', 'folder', 'pump3.jsonl');
    const h = await start({ path });
    await h.send({ payload: 12.5, topic: 'pump3/flow', timestamp: 1000, quality: 'good' });
    await h.send({ payload: { text: 'line\nbreak', ok: true }, timestamp: 2000, quality: 'bad' });
    expect(h.errors).toEqual([]);
    await h.close();
    expect(await lines(path)).toEqual([
      '{"timestamp":1000,"quality":"good","payload":12.5,"topic":"pump3/flow"}',
      '{"timestamp":2000,"quality":"bad","payload":{"text":"line\\nbreak","ok":true}}',
      '',
    ]);
    expect(h.status).toEqual({ state: 'ok', text: `writing to ${path}` });
  });

  it("writes only the payload with property 'payload'", async () => {
    const path = join(dir, 'payloads.jsonl');
    const h = await start({ path, property: 'payload' });
    for (const payload of [1, 'two', [3], null, undefined]) await h.send({ payload });
    await h.close();
    expect(await lines(path)).toEqual(['1', '"two"', '[3]', 'null', 'null', '']);
  });

  it('appends to what the file already holds, starting a new line after an unfinished one', async () => {
    const path = join(dir, 'existing.jsonl');
    await writeFile(path, '{"old":1}\n{"torn":');
    const h = await start({ path, property: 'payload' });
    await h.send('new');
    await h.close();
    expect(await lines(path)).toEqual(['{"old":1}', '{"torn":', '"new"', '']);
  });

  it('keeps the order of many messages arriving at once', async () => {
    const path = join(dir, 'many.jsonl');
    const h = await start({ path, property: 'payload' });
    await Promise.all(Array.from({ length: 900 }, (_, i) => h.send(i)));
    await h.close();
    const written = (await lines(path)).slice(0, -1).map((l) => JSON.parse(l) as number);
    expect(written).toEqual(Array.from({ length: 900 }, (_, i) => i));
  });

  it('loses nothing when a flooding source outpaces the disk (backpressure)', async () => {
    const path = join(dir, 'flood.jsonl');
    // JSON round trip, not structuredClone: under jest that makes objects of another realm, which
    // flow validation does not take for plain objects.
    const flow = JSON.parse(JSON.stringify(flowFixture)) as typeof flowFixture;
    flow.nodes[1].config.path = path;
    const running = await runFlow(flow, { nodes: [simulate, fileOut] });
    try {
      while (running.statuses('sensor').at(-1)?.state !== 'idle') await new Promise((resolve) => setImmediate(resolve));
      await running.idle();
    } finally {
      await running.stop();
    }
    expect(running.errors).toEqual([]);
    const written = (await lines(path)).slice(0, -1).map((l) => JSON.parse(l) as { payload: number; topic: string });
    const expected = createRandomWalk({ start: 0, step: 1, min: -100, max: 100 }, createRandom(3));
    expect(written).toHaveLength((flowFixture.nodes[0].config as { count: number }).count);
    expect(written.map((m) => m.payload)).toEqual(written.map(() => expected()));
    expect(written[0].topic).toBe('bench/value');
  });

  it('reports FILE_WRITE in plain words for a path under a regular file, and recovers once it is fixed', async () => {
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'I am a file');
    const path = join(blocker, 'out.jsonl');
    const h = await start({ path });
    await h.send('lost?');
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0].code).toBe('FILE_WRITE');
    expect(h.errors[0].message).toMatch(`cannot write to ${path}: a part of the path is a file, not a folder (`);
    expect(h.status).toEqual({ state: 'error', text: 'a part of the path is a file, not a folder' });

    await rm(blocker);
    await h.send('kept');
    expect(h.errors).toHaveLength(1);
    expect(h.status?.state).toBe('ok');
    await h.close();
    expect(JSON.parse((await lines(path))[0])).toMatchObject({ payload: 'kept' });
  });

  it('does not create the folder when told not to', async () => {
    const path = join(dir, 'missing', 'out.jsonl');
    const h = await start({ path, createDir: false });
    await h.send(1);
    expect(h.errors.map((e) => e.message)).toEqual([`cannot write to ${path}: the folder does not exist (ENOENT)`]);
  });

  it('reports a message JSON cannot hold and goes on with the next', async () => {
    const path = join(dir, 'mixed.jsonl');
    const h = await start({ path, property: 'payload' });
    await h.send({ payload: { big: 10n } });
    await h.send('fine');
    await h.close();
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_SERIALIZABLE']);
    expect(await lines(path)).toEqual(['"fine"', '']);
  });

  it('needs a path', async () => {
    await expect(testNode(fileOut, { config: {} })).rejects.toThrow(/path/);
  });
});
