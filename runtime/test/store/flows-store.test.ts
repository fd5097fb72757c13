import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { FlowStore, FlowsStore } from '../../src/store';

const made: string[] = [];
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-flows-store-test-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const flow = (id: string, name: string): Flow => ({ schemaVersion: 1, id, name, nodes: [], edges: [] });
const readIndex = (dataDir: string) =>
  JSON.parse(readFileSync(join(dataDir, 'flows', 'flows.json'), 'utf8')) as {
    flows: Array<{ id: string; createdAt: string; disabled?: boolean }>;
  };
const ls = (dir: string) => readdirSync(dir).sort();

/** A data dir as the single-flow runtime writes it: 3 versions, the flow's id changed at version 3. */
async function singleFlowDataDir(): Promise<string> {
  const dataDir = freshDataDir();
  const old = await FlowStore.open(dataDir);
  await old.save(flow('pump-old', 'first'), 'cli');
  await old.save(flow('pump-old', 'second'), 'ops-token', 'a note');
  await old.save(flow('pump-monitor', 'renamed'), 'cli');
  return dataDir;
}

describe('FlowsStore', () => {
  it('keeps flows with independent histories, listed from their first save, in that order', async () => {
    const dataDir = freshDataDir();
    const store = await FlowsStore.open(dataDir);
    expect(store.ids()).toEqual([]);
    expect(store.notes).toEqual([]);
    expect(readIndex(dataDir)).toEqual({ flows: [] });

    const boiler = await store.open('boiler');
    const pump = await store.open('pump');
    expect(await store.open('pump')).toBe(pump);
    expect(store.ids()).toEqual([]);
    expect(store.get('pump')).toBeUndefined();

    const p1 = await pump.save(flow('pump', 'p1'), 'cli');
    const b1 = await boiler.save(flow('boiler', 'b1'), 'cli');
    const p2 = await pump.save(flow('pump', 'p2'), 'cli');
    expect([p1.version, b1.version, p2.version]).toEqual([1, 1, 2]);
    expect(store.ids()).toEqual(['pump', 'boiler']);
    expect(store.get('pump')).toBe(pump);
    expect(store.get('nothing')).toBeUndefined();
    expect(pump.current()?.flow.name).toBe('p2');
    expect(boiler.current()?.flow.name).toBe('b1');
    expect(await pump.get(1)).toEqual(flow('pump', 'p1'));
    expect(boiler.list().map((v) => v.version)).toEqual([1]);
    expect(ls(join(dataDir, 'flows'))).toEqual(['boiler', 'flows.json', 'pump']);
    expect(ls(join(dataDir, 'flows', 'pump'))).toEqual(['v1.json', 'v2.json', 'versions.json']);
    expect(readIndex(dataDir)).toEqual({
      flows: [
        { id: 'pump', createdAt: p1.deployedAt },
        { id: 'boiler', createdAt: b1.deployedAt },
      ],
    });
  });

  it('keeps flows, their versions, their order and disabled across reopen', async () => {
    const dataDir = freshDataDir();
    const first = await FlowsStore.open(dataDir);
    await (await first.open('b-flow')).save(flow('b-flow', 'b1'), 'cli');
    const a = await first.open('a-flow');
    await a.save(flow('a-flow', 'a1'), 'cli');
    await a.save(flow('a-flow', 'a2'), 'cli');
    await first.setDisabled('a-flow', true);
    expect(first.disabled('a-flow')).toBe(true);
    expect(first.disabled('b-flow')).toBe(false);
    expect(first.disabled('nothing')).toBe(false);
    // Other changes of the index keep it.
    await (await first.open('c-flow')).save(flow('c-flow', 'c1'), 'cli');
    expect(await first.remove('c-flow')).toBe(true);

    const second = await FlowsStore.open(dataDir);
    expect(second.notes).toEqual([]);
    expect(second.ids()).toEqual(['b-flow', 'a-flow']);
    expect(second.disabled('a-flow')).toBe(true);
    expect(second.get('a-flow')?.list()).toEqual(a.list());
    expect(second.get('a-flow')?.current()).toEqual(a.current());
    expect(await second.get('a-flow')?.get(1)).toEqual(flow('a-flow', 'a1'));
    expect(readIndex(dataDir).flows[1]).toMatchObject({ id: 'a-flow', disabled: true });

    await second.setDisabled('a-flow', false);
    expect(readIndex(dataDir).flows[1]).not.toHaveProperty('disabled');
    expect((await FlowsStore.open(dataDir)).disabled('a-flow')).toBe(false);
    await expect(second.setDisabled('nothing', true)).rejects.toThrow('there is no flow "nothing" on this runtime');
  });

  it('removes a flow by moving its folder to flows-deleted/, and a new flow of that id starts afresh', async () => {
    const dataDir = freshDataDir();
    const store = await FlowsStore.open(dataDir);
    const pump = await store.open('pump');
    await pump.save(flow('pump', 'p1'), 'cli');
    await pump.save(flow('pump', 'p2'), 'cli');
    await (await store.open('boiler')).save(flow('boiler', 'b1'), 'cli');

    expect(await store.remove('pump')).toBe(true);
    expect(await store.remove('pump')).toBe(false);
    expect(await store.remove('nothing')).toBe(false);
    expect(store.ids()).toEqual(['boiler']);
    expect(store.get('pump')).toBeUndefined();
    expect(ls(join(dataDir, 'flows'))).toEqual(['boiler', 'flows.json']);
    const [moved] = ls(join(dataDir, 'flows-deleted'));
    expect(moved).toMatch(/^pump-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    expect(ls(join(dataDir, 'flows-deleted', moved))).toEqual(['v1.json', 'v2.json', 'versions.json']);
    await expect(pump.save(flow('pump', 'p3'), 'cli')).rejects.toThrow('flow "pump" was removed from this runtime');

    const again = await store.open('pump');
    expect(again).not.toBe(pump);
    expect((await again.save(flow('pump', 'new'), 'cli')).version).toBe(1);
    expect(store.ids()).toEqual(['boiler', 'pump']);
    expect(await store.remove('pump')).toBe(true);
    expect(ls(join(dataDir, 'flows-deleted'))).toHaveLength(2);

    const reopened = await FlowsStore.open(dataDir);
    expect(reopened.ids()).toEqual(['boiler']);
    expect(reopened.notes).toEqual([]);
  });

  it('refuses ids that are not flow ids, or that would name the index, in plain words', async () => {
    const store = await FlowsStore.open(freshDataDir());
    for (const id of ['', '.', '..', '../x', 'a/b', '-a', '.hidden', 'with space', 'a\\b']) {
      await expect(store.open(id)).rejects.toThrow(`${JSON.stringify(id)} is not a valid flow id`);
    }
    await expect(store.open('flows.json')).rejects.toThrow(
      '"flows.json" cannot be a flow id: the runtime keeps its list of flows in a file of that name',
    );
    expect(await store.open('a.b_c-1')).toBeDefined();
  });

  it('keeps flows named like the files of the single-flow layout apart from them', async () => {
    const dataDir = freshDataDir();
    const store = await FlowsStore.open(dataDir);
    for (const id of ['versions.json', 'v1.json']) await (await store.open(id)).save(flow(id, id), 'cli');
    const reopened = await FlowsStore.open(dataDir);
    expect(reopened.notes).toEqual([]);
    expect(reopened.ids()).toEqual(['versions.json', 'v1.json']);
    expect(reopened.get('v1.json')?.current()?.flow.name).toBe('v1.json');
  });

  it('lists each new flow once when saves overlap', async () => {
    const dataDir = freshDataDir();
    const store = await FlowsStore.open(dataDir);
    const [x, y] = await Promise.all([store.open('x'), store.open('y')]);
    const saved = await Promise.all([
      x.save(flow('x', '1'), 'cli'),
      y.save(flow('y', '1'), 'cli'),
      x.save(flow('x', '2'), 'cli'),
      y.save(flow('y', '2'), 'cli'),
    ]);
    expect(saved.map((v) => v.version)).toEqual([1, 1, 2, 2]);
    expect(store.ids()).toEqual(['x', 'y']);
    expect(readIndex(dataDir).flows.map((f) => f.id)).toEqual(['x', 'y']);
  });

  it('keeps its folders 0700 and its index 0600', async () => {
    if (process.platform === 'win32') return;
    const dataDir = freshDataDir();
    const store = await FlowsStore.open(dataDir);
    await (await store.open('pump')).save(flow('pump', 'p1'), 'cli');
    await store.remove('pump');
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(join(dataDir, 'flows'))).toBe(0o700);
    expect(mode(join(dataDir, 'flows-deleted'))).toBe(0o700);
    expect(mode(join(dataDir, 'flows', 'flows.json'))).toBe(0o600);
    await (await store.open('boiler')).save(flow('boiler', 'b1'), 'cli');
    expect(mode(join(dataDir, 'flows', 'boiler'))).toBe(0o700);
  });

  it('refuses a damaged flows.json with an error naming it, rather than starting empty', async () => {
    const dataDir = freshDataDir();
    await (await (await FlowsStore.open(dataDir)).open('pump')).save(flow('pump', 'p1'), 'cli');
    const path = join(dataDir, 'flows', 'flows.json');
    const refused = async (content: string, why: string) => {
      writeFileSync(path, content);
      await expect(FlowsStore.open(dataDir)).rejects.toThrow(`${path} ${why}`);
      expect(readFileSync(path, 'utf8')).toBe(content);
    };
    await refused('{"flows": [', 'is damaged (not valid JSON');
    await refused('[]', 'is damaged: expected an object');
    await refused('{"flows": {}}', 'is damaged: "flows" is not a list');
    await refused(
      '{"flows": [{"id": "../x", "createdAt": "2026-01-01T00:00:00Z"}]}',
      'is damaged: flows[0].id: "../x"',
    );
    await refused(
      '{"flows": [{"id": "pump", "createdAt": "2026-01-01T00:00:00Z"}, {"id": "pump", "createdAt": "2026-01-01T00:00:00Z"}]}',
      'is damaged: flows[1].id "pump" is listed twice',
    );
    await refused('{"flows": [{"id": "pump", "createdAt": "soon"}]}', 'is damaged: flows[0].createdAt is not a date');
    await refused(
      '{"flows": [{"id": "pump", "createdAt": "2026-01-01T00:00:00Z", "disabled": "yes"}]}',
      'is damaged: flows[0].disabled is not true or false',
    );
  });

  it('lists again a flow whose first save was not yet in the index when the runtime stopped', async () => {
    const dataDir = freshDataDir();
    const store = await FlowsStore.open(dataDir);
    await (await store.open('pump')).save(flow('pump', 'p1'), 'cli');
    const boiler = await store.open('boiler');
    const b1 = await boiler.save(flow('boiler', 'b1'), 'cli');
    await boiler.save(flow('boiler', 'b2'), 'cli');
    // As if the runtime stopped after boiler's first version was written, before the index was.
    const index = readIndex(dataDir);
    writeFileSync(join(dataDir, 'flows', 'flows.json'), JSON.stringify({ flows: index.flows.slice(0, 1) }));
    // A flow opened but never saved leaves an empty folder: not a flow the runtime holds.
    await store.open('never-saved');

    const reopened = await FlowsStore.open(dataDir);
    expect(reopened.ids()).toEqual(['pump', 'boiler']);
    expect(reopened.get('boiler')?.current()?.flow.name).toBe('b2');
    expect(reopened.notes).toEqual([
      'flow "boiler" found in flows/boiler/ but not in flows.json (the runtime stopped right after its first save): listed again',
    ]);
    expect(reopened.upgraded).toBeUndefined();
    expect(readIndex(dataDir).flows[1]).toEqual({ id: 'boiler', createdAt: b1.deployedAt });
    expect((await FlowsStore.open(dataDir)).notes).toEqual([]);
  });

  it('finishes a removal the runtime stopped part way through, and names a listed folder that is missing', async () => {
    const dataDir = freshDataDir();
    const store = await FlowsStore.open(dataDir);
    await (await store.open('pump')).save(flow('pump', 'p1'), 'cli');
    await (await store.open('boiler')).save(flow('boiler', 'b1'), 'cli');
    // The folder was moved, the index not yet written.
    mkdirSync(join(dataDir, 'flows-deleted'));
    const stamp = new Date(Date.now() + 1000).toISOString().replace(/:/g, '-');
    renameSync(join(dataDir, 'flows', 'pump'), join(dataDir, 'flows-deleted', `pump-${stamp}`));

    const reopened = await FlowsStore.open(dataDir);
    expect(reopened.ids()).toEqual(['boiler']);
    expect(reopened.notes).toEqual(['finished removing flow "pump" (the runtime stopped part way through)']);
    expect(readIndex(dataDir).flows.map((f) => f.id)).toEqual(['boiler']);

    rmSync(join(dataDir, 'flows', 'boiler'), { recursive: true });
    await expect(FlowsStore.open(dataDir)).rejects.toThrow(
      `flow "boiler" is listed in ${join(dataDir, 'flows', 'flows.json')} but its folder ` +
        `${join(dataDir, 'flows', 'boiler')} is missing`,
    );
  });
});

describe('FlowsStore upgrading a single-flow data dir', () => {
  it("moves the history into flows/<current version's flow id>/ and lists it", async () => {
    const dataDir = await singleFlowDataDir();
    const before = (await FlowStore.open(dataDir)).list();

    const store = await FlowsStore.open(dataDir);
    expect(store.notes).toEqual([
      'upgraded the single-flow data dir: flow "pump-monitor" (3 versions) now in flows/pump-monitor/',
    ]);
    expect(store.upgraded).toEqual({ flowId: 'pump-monitor', versions: 3 });
    expect(ls(join(dataDir, 'flows'))).toEqual(['flows.json', 'pump-monitor']);
    expect(ls(join(dataDir, 'flows', 'pump-monitor'))).toEqual(['v1.json', 'v2.json', 'v3.json', 'versions.json']);
    expect(readIndex(dataDir)).toEqual({ flows: [{ id: 'pump-monitor', createdAt: before[0].deployedAt }] });

    const pump = store.get('pump-monitor');
    expect(pump?.list()).toEqual(before);
    expect(pump?.current()?.flow).toEqual(flow('pump-monitor', 'renamed'));
    expect(await pump?.get(1)).toEqual(flow('pump-old', 'first'));
    expect((await pump?.save(flow('pump-monitor', 'after'), 'cli'))?.version).toBe(4);

    const reopened = await FlowsStore.open(dataDir);
    expect(reopened.notes).toEqual([]);
    expect(reopened.upgraded).toBeUndefined();
    expect(reopened.ids()).toEqual(['pump-monitor']);
  });

  it('names the folder after the current version, not the newest', async () => {
    const dataDir = await singleFlowDataDir();
    const path = join(dataDir, 'flows', 'versions.json');
    const versions = JSON.parse(readFileSync(path, 'utf8')) as { current: number };
    writeFileSync(path, JSON.stringify({ ...versions, current: 2 }));

    const store = await FlowsStore.open(dataDir);
    expect(store.ids()).toEqual(['pump-old']);
    expect(store.get('pump-old')?.current()?.flow.name).toBe('second');
    expect(store.get('pump-old')?.list()).toHaveLength(3);
  });

  it('only creates the index when the single flow was never deployed', async () => {
    const dataDir = freshDataDir();
    await FlowStore.open(dataDir); // makes flows/, saves nothing
    const store = await FlowsStore.open(dataDir);
    expect(store.ids()).toEqual([]);
    expect(store.notes).toEqual([]);
    expect(ls(join(dataDir, 'flows'))).toEqual(['flows.json']);

    const emptyList = freshDataDir();
    mkdirSync(join(emptyList, 'flows'));
    writeFileSync(join(emptyList, 'flows', 'versions.json'), JSON.stringify({ current: 0, versions: [] }));
    expect((await FlowsStore.open(emptyList)).ids()).toEqual([]);
    expect(ls(join(emptyList, 'flows'))).toEqual(['flows.json']);
  });

  // Each stage is where a crash could leave the upgrade; the next open completes it.
  it.each([
    ['before any file moved', ['']],
    ['with some flow files moved', ['v1.json', 'v3.json']],
    ['with versions.json moved first', ['versions.json']],
    ['with every file moved', ['v1.json', 'v2.json', 'v3.json', 'versions.json']],
    ['with the folder renamed, the index not written', ['v1.json', 'v2.json', 'v3.json', 'versions.json', 'rename']],
  ])('completes an upgrade interrupted %s', async (_stage, steps) => {
    const dataDir = await singleFlowDataDir();
    const flowsDir = join(dataDir, 'flows');
    const before = (await FlowStore.open(dataDir)).list();
    const staging = join(flowsDir, '.single-flow-upgrade');
    mkdirSync(staging, { mode: 0o700 });
    // A write the single-flow runtime did not finish: dropped before the folder is renamed.
    if (!steps.includes('rename')) writeFileSync(join(flowsDir, 'v4.json.tmp'), '{"torn');
    for (const step of steps) {
      if (step === 'rename') renameSync(staging, join(flowsDir, 'pump-monitor'));
      else if (step !== '') renameSync(join(flowsDir, step), join(staging, step));
    }

    const store = await FlowsStore.open(dataDir);
    expect(store.notes).toEqual([
      'upgraded the single-flow data dir: flow "pump-monitor" (3 versions) now in flows/pump-monitor/',
    ]);
    expect(ls(flowsDir)).toEqual(['flows.json', 'pump-monitor']);
    expect(ls(join(flowsDir, 'pump-monitor'))).toEqual(['v1.json', 'v2.json', 'v3.json', 'versions.json']);
    expect(store.get('pump-monitor')?.list()).toEqual(before);
    expect(await store.get('pump-monitor')?.get(2)).toEqual(flow('pump-old', 'second'));
  });

  it('refuses a damaged single-flow history with an error naming it, and moves nothing', async () => {
    const dataDir = await singleFlowDataDir();
    const path = join(dataDir, 'flows', 'versions.json');
    writeFileSync(path, '{"current": 3, ');
    await expect(FlowsStore.open(dataDir)).rejects.toThrow(`${path} is damaged (not valid JSON`);
    expect(ls(join(dataDir, 'flows'))).toEqual(['v1.json', 'v2.json', 'v3.json', 'versions.json']);
  });

  it('refuses a data dir holding both layouts (an older tagflow ran on an upgraded one)', async () => {
    const dataDir = await singleFlowDataDir();
    await FlowsStore.open(dataDir);
    await (await FlowStore.open(dataDir)).save(flow('pump-monitor', 'by an older tagflow'), 'cli');
    await expect(FlowsStore.open(dataDir)).rejects.toThrow(
      `${join(dataDir, 'flows')} holds both a list of flows (flows.json) and a single-flow history`,
    );
    expect(existsSync(join(dataDir, 'flows', 'versions.json'))).toBe(true);
  });
});
