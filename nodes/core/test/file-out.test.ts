import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import fileOut from '../src/file-out.node';
import simulate from '../src/simulate.node';
import { createRandom } from '../src/simulation/prng';
import { createRandomWalk } from '../src/simulation/random-walk';
import flowFixture from './fixtures/simulate-to-file.flow.json';

/** The files folder of the node under test: its `path` is relative to it. */
let dir: string;
/** The data dir around it, as `tagflow start` lays it out: `dir` is `<dataDir>/files`. */
let dataDir: string;
let open: NodeUnderTest[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tagflow-file-out-'));
  dir = join(dataDir, 'files');
});
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
  await rm(dataDir, { recursive: true, force: true });
});

async function start(config: Record<string, unknown>): Promise<NodeUnderTest> {
  const h = await testNode(fileOut, { config, dataDir });
  open.push(h);
  return h;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n');
}

describe('file-out', () => {
  it('appends each whole message as one JSON line, creating the folder', async () => {
    const path = join(dir, 'new', 'folder', 'pump3.jsonl');
    const h = await start({ path: 'new/folder/pump3.jsonl' });
    await h.send({ payload: 12.5, topic: 'pump3/flow', timestamp: 1000, quality: 'good' });
    await h.send({ payload: { text: 'line\nbreak', ok: true }, timestamp: 2000, quality: 'bad' });
    expect(h.errors).toEqual([]);
    await h.close();
    expect(await lines(path)).toEqual([
      '{"timestamp":1000,"quality":"good","payload":12.5,"topic":"pump3/flow"}',
      '{"timestamp":2000,"quality":"bad","payload":{"text":"line\\nbreak","ok":true}}',
      '',
    ]);
    expect(h.status).toEqual({ state: 'ok', text: 'writing to new/folder/pump3.jsonl' });
  });

  it("writes only the payload with property 'payload'", async () => {
    const path = join(dir, 'payloads.jsonl');
    const h = await start({ path: 'payloads.jsonl', property: 'payload' });
    for (const payload of [1, 'two', [3], null, undefined]) await h.send({ payload });
    await h.close();
    expect(await lines(path)).toEqual(['1', '"two"', '[3]', 'null', 'null', '']);
  });

  it('appends to what the file already holds, starting a new line after an unfinished one', async () => {
    const path = join(dir, 'existing.jsonl');
    await mkdir(dir);
    await writeFile(path, '{"old":1}\n{"torn":');
    const h = await start({ path: 'existing.jsonl', property: 'payload' });
    await h.send('new');
    await h.close();
    expect(await lines(path)).toEqual(['{"old":1}', '{"torn":', '"new"', '']);
  });

  it('keeps the order of many messages arriving at once', async () => {
    const path = join(dir, 'many.jsonl');
    const h = await start({ path: 'many.jsonl', property: 'payload' });
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
    flow.nodes[1].config.path = 'flood.jsonl';
    const running = await runFlow(flow, { nodes: [simulate, fileOut], dataDir });
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
    await mkdir(dir);
    await writeFile(blocker, 'I am a file');
    const path = join(blocker, 'out.jsonl');
    const h = await start({ path: 'not-a-folder/out.jsonl' });
    await h.send('lost?');
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0].code).toBe('FILE_WRITE');
    expect(h.errors[0].message).toMatch(
      `cannot write to not-a-folder/out.jsonl (${path}): a part of the path is a file, not a folder (`,
    );
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
    const h = await start({ path: 'missing/out.jsonl', createDir: false });
    await h.send(1);
    expect(h.errors.map((e) => e.message)).toEqual([
      `cannot write to missing/out.jsonl (${path}): the folder does not exist (ENOENT)`,
    ]);
  });

  it('reports a message JSON cannot hold and goes on with the next', async () => {
    const path = join(dir, 'mixed.jsonl');
    const h = await start({ path: 'mixed.jsonl', property: 'payload' });
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

describe('file-out: only inside the files folder', () => {
  /** The data dir's own files, which no flow may touch. */
  async function dataDirFiles(): Promise<{ audit: string; tokens: string }> {
    const audit = join(dataDir, 'audit.log');
    const tokens = join(dataDir, 'tokens.json');
    await writeFile(audit, '{"type":"start"}\n');
    await writeFile(tokens, '{"tokens":[]}\n');
    return { audit, tokens };
  }

  it('writes a relative path into <data dir>/files by default', async () => {
    const h = await start({ path: 'pump3/avg.jsonl', property: 'payload' });
    await h.send(42.5);
    await h.close();
    expect(h.errors).toEqual([]);
    expect(await readFile(join(dataDir, 'files', 'pump3', 'avg.jsonl'), 'utf8')).toBe('42.5\n');
  });

  it('writes into the files folder it is given instead', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'tagflow-files-dir-'));
    try {
      const h = await testNode(fileOut, {
        config: { path: 'avg.jsonl', property: 'payload' },
        dataDir,
        filesDir: elsewhere,
      });
      await h.send(7);
      await h.close();
      expect(await readFile(join(elsewhere, 'avg.jsonl'), 'utf8')).toBe('7\n');
      expect(await readdir(dataDir)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it.each([
    ['a path climbing out with ..', '../../audit.log', 'climbs out of the files folder with ".."'],
    ['a path climbing out after a folder', 'logs/../../tokens.json', 'climbs out of the files folder with ".."'],
    ['an absolute path', '/etc/tagflow-should-not-exist.jsonl', 'is an absolute path, outside the files folder'],
  ])('refuses %s at deploy, naming the path', async (_what, path, says) => {
    const { audit, tokens } = await dataDirFiles();
    const refused = testNode(fileOut, { config: { path }, dataDir });
    // The path in front (a detail for the CLI), then the node, the field's label and the check's words.
    await expect(refused).rejects.toThrow(/^the flow fixture was refused:\n\/nodes\/0\/config\/path: node /);
    await expect(refused).rejects.toThrow(`: "${path}" ${says}`);
    await expect(refused).rejects.toThrow('[FILE_OUTSIDE_ROOT]');
    expect(await readFile(audit, 'utf8')).toBe('{"type":"start"}\n');
    expect(await readFile(tokens, 'utf8')).toBe('{"tokens":[]}\n');
  });

  it("refuses the absolute path of the data dir's tokens.json at deploy", async () => {
    const { tokens } = await dataDirFiles();
    await expect(testNode(fileOut, { config: { path: tokens }, dataDir })).rejects.toThrow(
      `"${tokens}" is an absolute path, outside the files folder: file paths are relative to the files folder`,
    );
    expect(await readFile(tokens, 'utf8')).toBe('{"tokens":[]}\n');
  });

  it('refuses at run time a symbolic link out of the folder, reports it, and goes on running', async () => {
    const { audit } = await dataDirFiles();
    await mkdir(dir);
    await symlink(audit, join(dir, 'audit.jsonl'));
    const h = await start({ path: 'audit.jsonl' });
    await h.send({ payload: 'forged', topic: 'token-revoked' });
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ code: 'FILE_OUTSIDE_ROOT', nodeId: 'node-under-test' });
    expect(h.errors[0].message).toBe(
      `node "node-under-test": "audit.jsonl" leads outside the files folder ${dir} through a symbolic link (to ${audit}): flows read and write files only inside that folder`,
    );
    expect(h.status).toEqual({ state: 'error', text: 'refused: audit.jsonl is outside the files folder' });
    expect(h.flow.engine.stats()['node-under-test']).toMatchObject({ in: 1, errors: 1 });
    // Still running: the next message is refused the same way, counted again.
    await h.send('again');
    expect(h.errors.map((e) => e.code)).toEqual(['FILE_OUTSIDE_ROOT', 'FILE_OUTSIDE_ROOT']);
    expect(h.flow.engine.stats()['node-under-test']).toMatchObject({ in: 2, errors: 2 });
    expect(await readFile(audit, 'utf8')).toBe('{"type":"start"}\n');
  });

  it('refuses a folder linked to the data dir, and makes no folder through it', async () => {
    const { tokens } = await dataDirFiles();
    await mkdir(dir);
    await symlink(dataDir, join(dir, 'state'));
    const written = await start({ path: 'state/tokens.json' });
    await written.send('forged');
    expect(written.errors.map((e) => e.message)).toEqual([
      `node "node-under-test": "state/tokens.json" leads outside the files folder ${dir} through a symbolic link (to ${dataDir}): flows read and write files only inside that folder`,
    ]);
    const created = await start({ path: 'state/new/folder/x.jsonl' });
    await created.send('forged');
    expect(created.errors.map((e) => e.code)).toEqual(['FILE_OUTSIDE_ROOT']);
    expect(await readFile(tokens, 'utf8')).toBe('{"tokens":[]}\n');
    expect((await readdir(dataDir)).sort()).toEqual(['audit.log', 'files', 'tokens.json']);
  });

  it('refuses a link to /tmp and a link to nothing', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tagflow-outside-'));
    try {
      await mkdir(dir);
      await symlink(outside, join(dir, 'tmp'));
      await symlink(join(outside, 'not-yet.jsonl'), join(dir, 'dangling.jsonl'));
      const viaTmp = await start({ path: 'tmp/x.jsonl' });
      await viaTmp.send(1);
      const dangling = await start({ path: 'dangling.jsonl' });
      await dangling.send(1);
      expect([...viaTmp.errors, ...dangling.errors].map((e) => e.code)).toEqual([
        'FILE_OUTSIDE_ROOT',
        'FILE_OUTSIDE_ROOT',
      ]);
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('follows a link that stays inside the folder', async () => {
    await mkdir(join(dir, 'archive'), { recursive: true });
    await symlink(join(dir, 'archive'), join(dir, 'current'));
    await symlink(join(dir, 'archive', 'pump3.jsonl'), join(dir, 'latest.jsonl'));
    const h = await start({ path: 'current/pump3.jsonl', property: 'payload' });
    await h.send(1);
    await h.close();
    const latest = await start({ path: 'latest.jsonl', property: 'payload' });
    await latest.send(2);
    await latest.close();
    expect([...h.errors, ...latest.errors]).toEqual([]);
    expect(await readFile(join(dir, 'archive', 'pump3.jsonl'), 'utf8')).toBe('1\n2\n');
  });
});
