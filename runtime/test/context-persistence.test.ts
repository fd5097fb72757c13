import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessage, defineNode } from '@tagflow/node-sdk';
import { FlowStateStores } from '../src/engine/flow-state-stores';
import { flow, makeEngine, MemoryLogger } from './helpers';

const freshDir = () => mkdtempSync(join(tmpdir(), 'tagflow-context-'));

/** Counts messages in its node context, adds each payload to the flow's and the global total. */
const tally = defineNode({
  type: 'tally',
  version: 1,
  category: 'processor',
  description: 'test node keeping state in its context',
  configSchema: { type: 'object', properties: { label: { type: 'string', default: '' } }, additionalProperties: false },
  inputs: ['in'],
  outputs: [],
  create(ctx) {
    return {
      onMessage(msg) {
        const { node, flow: shared, global } = ctx.context;
        node.set('count', ((node.get('count') as number | undefined) ?? 0) + 1);
        shared.set('total', ((shared.get('total') as number | undefined) ?? 0) + (msg.payload as number));
        global.set('last', { from: ctx.id, value: msg.payload });
      },
    };
  },
});

const tallyFlow = (ids: string[], id = 'plant') =>
  flow(
    ids.map((n) => ({ id: n, type: 'tally' })),
    [],
    id,
  );

describe('flow state kept in the data dir', () => {
  it('survives a restart of the engine: node, flow and global values are read back', async () => {
    const dataDir = freshDir();
    const first = makeEngine([tally], 2000, { dataDir });
    expect((await first.engine.deploy(tallyFlow(['a', 'b']))).ok).toBe(true);
    await first.engine.inject('a', createMessage(5));
    await first.engine.inject('a', createMessage(7));
    await first.engine.inject('b', createMessage(1));
    await first.engine.stop();

    const second = makeEngine([tally], 2000, { dataDir });
    expect((await second.engine.deploy(tallyFlow(['a', 'b']))).ok).toBe(true);
    await second.engine.inject('a', createMessage(2));
    expect(await second.engine.readContext({ scope: 'node', flowId: 'plant', nodeId: 'a' })).toMatchObject({
      entries: [{ key: 'count', value: 3 }],
    });
    expect(await second.engine.readContext({ scope: 'flow', flowId: 'plant' })).toMatchObject({
      entries: [{ key: 'total', value: 15 }],
    });
    expect(await second.engine.readContext({ scope: 'global' })).toMatchObject({
      entries: [{ key: 'last', value: { from: 'a', value: 2 } }],
    });
    await second.engine.stop();
  });

  it('writes files for this user only (0600), as one JSON object per scope', async () => {
    const dataDir = freshDir();
    const { engine } = makeEngine([tally], 2000, { dataDir });
    await engine.deploy(tallyFlow(['a']));
    await engine.inject('a', createMessage(3));
    await engine.stop();
    const files = [
      join(dataDir, 'context', 'global.json'),
      join(dataDir, 'context', 'flows', 'plant', 'flow.json'),
      join(dataDir, 'context', 'flows', 'plant', 'nodes', 'a.json'),
    ];
    for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(files[2], 'utf8'))).toEqual({ count: 1 });
  });

  it("deletes a removed node's context on redeploy, keeps a changed node's, and leaves other flows alone", async () => {
    const dataDir = freshDir();
    const { engine } = makeEngine([tally], 2000, { dataDir });
    await engine.deploy(tallyFlow(['keep', 'gone']));
    await engine.inject('keep', createMessage(1));
    await engine.inject('gone', createMessage(1));
    await engine.flushContext();
    const gone = join(dataDir, 'context', 'flows', 'plant', 'nodes', 'gone.json');
    expect(existsSync(gone)).toBe(true);

    const changed = tallyFlow(['keep']);
    (changed.nodes[0] as { config?: object }).config = { label: 'changed' };
    expect((await engine.deploy(changed)).ok).toBe(true);
    await engine.flushContext();
    expect(existsSync(gone)).toBe(false);
    expect(await engine.readContext({ scope: 'node', flowId: 'plant', nodeId: 'keep' })).toMatchObject({
      entries: [{ key: 'count', value: 1 }],
    });
    // Another flow's deploy: the first flow's scopes stay (a later deploy of it finds them).
    await engine.deploy(tallyFlow(['other'], 'second-flow'));
    await engine.flushContext();
    expect(existsSync(join(dataDir, 'context', 'flows', 'plant', 'nodes', 'keep.json'))).toBe(true);
    await engine.stop();
  });

  it('counts refused writes and says why, per scope, in the summary', async () => {
    const dataDir = freshDir();
    const { engine } = makeEngine([], 2000, { dataDir, context: { limits: { globalBytes: 1024 } } });
    const refused = await engine.writeContext({ scope: 'global' }, 'big', 'x'.repeat(2000));
    expect(refused).toMatchObject({ ok: false, code: 'CONTEXT_FULL' });
    expect(await engine.writeContext({ scope: 'global' }, 'fn', { when: Number.NaN })).toMatchObject({
      ok: false,
      code: 'CONTEXT_VALUE',
    });
    expect(await engine.writeContext({ scope: 'global' }, 'small', [1, 2])).toEqual({ ok: true });
    const summary = await engine.contextSummary();
    expect(summary.persisted).toBe(true);
    expect(summary.scopes).toContainEqual(
      expect.objectContaining({
        scope: 'global',
        keys: 1,
        limitBytes: 1024,
        refusedWrites: 2,
        lastRefusal: expect.stringContaining('"when" is NaN') as string,
      }),
    );
    await engine.stop();
  });

  it('coalesces writes: changes reach the disk by themselves, at most once per interval', async () => {
    const dir = freshDir();
    const stores = new FlowStateStores({ dir, writeIntervalMs: 60_000 });
    const global = stores.scope({ scope: 'global' });
    global.set('a', 1);
    // The first change is written at once (nothing was written in the last interval)...
    await until(() => existsSync(join(dir, 'global.json')));
    expect(JSON.parse(readFileSync(join(dir, 'global.json'), 'utf8'))).toEqual({ a: 1 });
    // ...the next ones wait for the interval to pass, or for a flush.
    global.set('a', 2);
    global.set('b', 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(JSON.parse(readFileSync(join(dir, 'global.json'), 'utf8'))).toEqual({ a: 1 });
    await stores.flush();
    expect(JSON.parse(readFileSync(join(dir, 'global.json'), 'utf8'))).toEqual({ a: 2, b: 3 });
  });

  it('moves a damaged file aside and starts that scope empty, saying so', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'flows', 'plant', 'nodes'), { recursive: true });
    writeFileSync(join(dir, 'flows', 'plant', 'nodes', 'a.json'), '{"count": 4');
    const logger = new MemoryLogger();
    const stores = new FlowStateStores({ dir, logger });
    expect(stores.scope({ scope: 'node', flowId: 'plant', nodeId: 'a' }).keys()).toEqual([]);
    expect(existsSync(join(dir, 'flows', 'plant', 'nodes', 'a.json.damaged'))).toBe(true);
    expect(stores.summary().problems[0]).toMatch(/context file of node "a" was damaged .*moved to/);
    expect(logger.lines.some((l) => l.level === 'error' && /damaged/.test(l.msg))).toBe(true);
  });

  it('shows a scope nobody used as empty without keeping it (a reader cannot make the engine hold scopes)', async () => {
    const { engine } = makeEngine([], 2000, { dataDir: freshDir() });
    for (let i = 0; i < 50; i++)
      expect(await engine.readContext({ scope: 'node', flowId: 'plant', nodeId: `n${i}` })).toMatchObject({
        keys: 0,
        entries: [],
        limitBytes: 1024 * 1024,
      });
    expect((await engine.contextSummary()).scopes).toEqual([]);
  });

  it('keeps context in memory only for an engine given no data dir', async () => {
    const { engine } = makeEngine([tally]);
    expect((await engine.contextSummary()).persisted).toBe(false);
  });

  it('survives SIGKILL in a write loop: every value reported flushed is there, files parse', async () => {
    const dir = freshDir();
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'context', 'writer.js'), dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          // A different number of flushes each round, so the kill lands at different points.
          if (out.split('\n').length > 4 + round * 3) resolve();
        });
        child.on('exit', (code) => reject(new Error(`the writer exited early with ${code}`)));
      });
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const flushed = Math.max(...out.trim().split('\n').map(Number));

      // Every file there parses (no torn file under a scope's name).
      for (const file of [join(dir, 'global.json'), join(dir, 'flows', 'f', 'nodes', 'n.json')])
        expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
      const stores = new FlowStateStores({ dir });
      const state = stores.scope({ scope: 'global' }).get('state') as { n: number; check: number; pad: string };
      expect(state.n).toBeGreaterThanOrEqual(flushed);
      expect(state.check).toBe(state.n * 2);
      expect(state.pad).toHaveLength(300_000);
      expect(stores.scope({ scope: 'node', flowId: 'f', nodeId: 'n' }).get('count')).toBeGreaterThanOrEqual(flushed);
      expect(stores.summary().problems).toEqual([]);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.damaged'))).toEqual([]);
  }, 60_000);
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}
