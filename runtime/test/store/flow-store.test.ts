import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { canonicalJson, FlowStore, hashFlow } from '../../src/store';

const freshDataDir = () => mkdtempSync(join(tmpdir(), 'tagflow-flow-store-test-'));
const flow = (name: string): Flow => ({ schemaVersion: 1, id: 'pump-monitor', name, nodes: [], edges: [] });

describe('FlowStore', () => {
  it('starts empty, then saves versions counting up from 1, the newest current', async () => {
    const store = await FlowStore.open(freshDataDir());
    expect(store.current()).toBeUndefined();
    expect(store.list()).toEqual([]);
    expect(await store.get(1)).toBeUndefined();

    const v1 = await store.save(flow('first'), 'cli');
    const v2 = await store.save(flow('second'), 'ops-token', 'rollback to 1: node "avg" failed');
    expect(v1).toMatchObject({ version: 1, flowId: 'pump-monitor', deployedBy: 'cli', hash: hashFlow(flow('first')) });
    expect(v1.note).toBeUndefined();
    expect(v2).toMatchObject({ version: 2, deployedBy: 'ops-token', note: 'rollback to 1: node "avg" failed' });
    expect(Date.parse(v2.deployedAt)).not.toBeNaN();
    expect(store.list().map((v) => v.version)).toEqual([1, 2]);
    expect(store.current()).toEqual({ version: v2, flow: flow('second') });
    expect(await store.get(1)).toEqual(flow('first'));
  });

  it('keeps versions, flows and the current one across reopen', async () => {
    const dir = freshDataDir();
    const a = await FlowStore.open(dir);
    await a.save(flow('first'), 'cli');
    await a.save(flow('second'), 'cli');

    const b = await FlowStore.open(dir);
    expect(b.list()).toEqual(a.list());
    expect(b.current()).toEqual(a.current());
    expect(await b.get(1)).toEqual(flow('first'));
    expect((await b.save(flow('third'), 'cli')).version).toBe(3);
    expect(readdirSync(join(dir, 'flows')).sort()).toEqual(['v1.json', 'v2.json', 'v3.json', 'versions.json']);
  });

  it('keeps the history of one flow in any folder with openDir, creating it', async () => {
    const dir = join(freshDataDir(), 'flows', 'pump-monitor');
    await (await FlowStore.openDir(dir)).save(flow('first'), 'cli');
    expect(readdirSync(dir).sort()).toEqual(['v1.json', 'versions.json']);
    expect((await FlowStore.openDir(dir)).current()?.flow).toEqual(flow('first'));
  });

  it('hashes canonical JSON: key order does not change the hash, content does', () => {
    const reordered = { edges: [], nodes: [], id: 'pump-monitor', schemaVersion: 1, name: 'first' } as Flow;
    expect(hashFlow(reordered)).toBe(hashFlow(flow('first')));
    expect(hashFlow(flow('other'))).not.toBe(hashFlow(flow('first')));
    expect(hashFlow(flow('first'))).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: [{ z: 1, a: { y: 2, x: null } }], a: 'x' })).toBe(
      '{"a":"x","b":[{"a":{"x":null,"y":2},"z":1}]}',
    );
  });

  it('gives copies: changing a returned flow does not change the store', async () => {
    const store = await FlowStore.open(freshDataDir());
    const saved = flow('first');
    await store.save(saved, 'cli');
    saved.name = 'changed after save';
    ((await store.get(1)) as Flow).name = 'changed after get';
    (store.current() as { flow: Flow }).flow.name = 'changed after current';
    store.list()[0].deployedBy = 'changed';
    expect((await store.get(1))?.name).toBe('first');
    expect(store.current()?.flow.name).toBe('first');
    expect(store.list()[0].deployedBy).toBe('cli');
  });

  it('gives overlapping saves distinct versions, all listed', async () => {
    const dir = freshDataDir();
    const store = await FlowStore.open(dir);
    const saved = await Promise.all([1, 2, 3, 4, 5].map((n) => store.save(flow(`f${n}`), 'cli')));
    expect(saved.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    expect((await FlowStore.open(dir)).list().map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
  });

  it('leaves no temporary files behind', async () => {
    const dir = freshDataDir();
    const store = await FlowStore.open(dir);
    await store.save(flow('first'), 'cli');
    await store.save(flow('second'), 'cli');
    expect(readdirSync(join(dir, 'flows')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a flow file that a crash left unlisted, and overwrites it with the next save', async () => {
    const dir = freshDataDir();
    await (await FlowStore.open(dir)).save(flow('first'), 'cli');
    writeFileSync(join(dir, 'flows', 'v2.json'), '{"half": ');
    const store = await FlowStore.open(dir);
    expect(store.list().map((v) => v.version)).toEqual([1]);
    await store.save(flow('second'), 'cli');
    expect(JSON.parse(readFileSync(join(dir, 'flows', 'v2.json'), 'utf8'))).toEqual(flow('second'));
  });

  it('refuses a damaged versions.json with an error naming it, rather than starting empty', async () => {
    const dir = freshDataDir();
    await (await FlowStore.open(dir)).save(flow('first'), 'cli');
    const path = join(dir, 'flows', 'versions.json');

    writeFileSync(path, 'garbage{');
    await expect(FlowStore.open(dir)).rejects.toThrow(`${path} is damaged (not valid JSON`);
    writeFileSync(path, JSON.stringify({ current: 7, versions: [] }));
    await expect(FlowStore.open(dir)).rejects.toThrow(
      `${path} is damaged: "current" (7) is not one of the listed versions`,
    );
    writeFileSync(path, JSON.stringify({ current: 1, versions: [{ version: 1, flowId: 'x' }] }));
    await expect(FlowStore.open(dir)).rejects.toThrow(`${path} is damaged: versions[0].hash is not a string`);
  });

  it('records the size of each version in bytes', async () => {
    const dir = freshDataDir();
    const v1 = await (await FlowStore.open(dir)).save(flow('first'), 'cli');
    expect(v1.size).toBe(readFileSync(join(dir, 'flows', 'v1.json')).length);
    expect((await FlowStore.open(dir)).list()[0].size).toBe(v1.size);
  });

  it('opens a versions.json written before sizes were recorded', async () => {
    const dir = freshDataDir();
    await (await FlowStore.open(dir)).save(flow('first'), 'cli');
    const path = join(dir, 'flows', 'versions.json');
    const old = JSON.parse(readFileSync(path, 'utf8')) as { versions: Array<{ size?: number }> };
    delete old.versions[0].size;
    writeFileSync(path, JSON.stringify(old));
    const store = await FlowStore.open(dir);
    expect(store.list()[0]).not.toHaveProperty('size');
    expect(await store.get(1)).toEqual(flow('first'));
  });

  it('holds only the current flow in memory: 30 versions of a 1 MB flow are read from disk when asked for', async () => {
    const dir = freshDataDir();
    const big = (n: number): Flow => ({ ...flow(`v${n}`), description: `${n}`.padEnd(1024 * 1024, '.') });
    const store = await FlowStore.open(dir);
    for (let n = 1; n <= 30; n++) await store.save(big(n), 'cli');
    const oneFlow = readFileSync(join(dir, 'flows', 'v30.json'), 'utf8').length;
    expect(store.heldFlowChars()).toBe(oneFlow);
    expect(store.list()).toHaveLength(30);
    expect((await store.get(7))?.name).toBe('v7');

    // Proof that get reads the file: a version changed on disk is refused, naming the file.
    const v7 = join(dir, 'flows', 'v7.json');
    writeFileSync(v7, JSON.stringify(flow('edited by hand')));
    await expect(store.get(7)).rejects.toThrow(`${v7} does not match the hash recorded for version 7`);
    expect((await store.get(8))?.name).toBe('v8');

    // A reopened store reads only the current version at open (v7 is damaged and not current).
    const reopened = await FlowStore.open(dir);
    expect(reopened.heldFlowChars()).toBe(oneFlow);
    expect(reopened.current()?.flow.name).toBe('v30');
    expect((await reopened.get(2))?.name).toBe('v2');
  });

  it('refuses the current flow file at open, and an older one when read, if it is missing or was changed', async () => {
    const dir = freshDataDir();
    await (await FlowStore.open(dir)).save(flow('first'), 'cli');
    const path = join(dir, 'flows', 'v1.json');

    writeFileSync(path, JSON.stringify(flow('edited by hand')));
    await expect(FlowStore.open(dir)).rejects.toThrow(`${path} does not match the hash recorded for version 1`);
    writeFileSync(path, '{');
    await expect(FlowStore.open(dir)).rejects.toThrow(`${path} is damaged`);
    rmSync(path);
    await expect(FlowStore.open(dir)).rejects.toThrow(`cannot read ${path}, version 1 of the flow listed in`);

    const other = freshDataDir();
    await (await FlowStore.open(other)).save(flow('first'), 'cli');
    await (await FlowStore.open(other)).save(flow('second'), 'cli');
    rmSync(join(other, 'flows', 'v1.json'));
    const store = await FlowStore.open(other);
    await expect(store.get(1)).rejects.toThrow(`cannot read ${join(other, 'flows', 'v1.json')}, version 1`);
  });
});
