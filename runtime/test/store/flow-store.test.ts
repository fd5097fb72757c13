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
    expect(store.get(1)).toBeUndefined();

    const v1 = await store.save(flow('first'), 'cli');
    const v2 = await store.save(flow('second'), 'ops-token', 'rollback to 1: node "avg" failed');
    expect(v1).toMatchObject({ version: 1, flowId: 'pump-monitor', deployedBy: 'cli', hash: hashFlow(flow('first')) });
    expect(v1.note).toBeUndefined();
    expect(v2).toMatchObject({ version: 2, deployedBy: 'ops-token', note: 'rollback to 1: node "avg" failed' });
    expect(Date.parse(v2.deployedAt)).not.toBeNaN();
    expect(store.list().map((v) => v.version)).toEqual([1, 2]);
    expect(store.current()).toEqual({ version: v2, flow: flow('second') });
    expect(store.get(1)).toEqual(flow('first'));
  });

  it('keeps versions, flows and the current one across reopen', async () => {
    const dir = freshDataDir();
    const a = await FlowStore.open(dir);
    await a.save(flow('first'), 'cli');
    await a.save(flow('second'), 'cli');

    const b = await FlowStore.open(dir);
    expect(b.list()).toEqual(a.list());
    expect(b.current()).toEqual(a.current());
    expect(b.get(1)).toEqual(flow('first'));
    expect((await b.save(flow('third'), 'cli')).version).toBe(3);
    expect(readdirSync(join(dir, 'flows')).sort()).toEqual(['v1.json', 'v2.json', 'v3.json', 'versions.json']);
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
    (store.get(1) as Flow).name = 'changed after get';
    store.list()[0].deployedBy = 'changed';
    expect(store.get(1)?.name).toBe('first');
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

  it('refuses a listed flow file that is missing or was changed', async () => {
    const dir = freshDataDir();
    await (await FlowStore.open(dir)).save(flow('first'), 'cli');
    const path = join(dir, 'flows', 'v1.json');

    writeFileSync(path, JSON.stringify(flow('edited by hand')));
    await expect(FlowStore.open(dir)).rejects.toThrow(`${path} does not match the hash recorded for version 1`);
    writeFileSync(path, '{');
    await expect(FlowStore.open(dir)).rejects.toThrow(`${path} is damaged`);
    rmSync(path);
    await expect(FlowStore.open(dir)).rejects.toThrow(`cannot read ${path}, version 1 of the flow listed in`);
  });
});
