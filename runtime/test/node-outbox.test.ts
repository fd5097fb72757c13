import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode } from '@tagflow/node-sdk';
import type { Outbox } from '@tagflow/node-sdk';
import { Engine, NodeRegistry } from '../src';
import { MemoryLogger } from './helpers';

/** Keeps every payload in a tiny outbox that drops its oldest items, and never delivers. */
const tiny = defineNode({
  type: 'tiny-buffer',
  version: 1,
  category: 'publisher',
  description: 'keeps what it receives in an outbox of 200 bytes (drop-oldest)',
  configSchema: { type: 'object' },
  inputs: ['in'],
  outputs: [],
  async create(ctx) {
    const outbox = await ctx.outbox<unknown>({ maxBytes: 200, overflow: 'drop-oldest' });
    opened.push(outbox);
    return { onMessage: (msg) => outbox.push(msg.payload) };
  },
});

/** Buffers every payload in its outbox; `label` only exists to make a redeploy change the node. */
const buffering = defineNode({
  type: 'buffering',
  version: 1,
  category: 'publisher',
  description: 'keeps what it receives in its outbox',
  configSchema: { type: 'object', properties: { label: { type: 'string', default: 'a' } } },
  inputs: ['in'],
  outputs: [],
  async create(ctx) {
    const outbox = await ctx.outbox<unknown>();
    opened.push(outbox);
    return { onMessage: (msg) => outbox.push(msg.payload) };
  },
});
let opened: Outbox<unknown>[] = [];

function start(dataDir: string) {
  const registry = new NodeRegistry();
  registry.registerNode(buffering);
  registry.registerNode(tiny);
  return new Engine({ registry, logger: new MemoryLogger(), dataDir });
}
const flowWith = (label: string, nodes = ['pub']) => ({
  schemaVersion: 1,
  id: 'outbox-flow',
  nodes: nodes.map((id) => ({ id, type: 'buffering', typeVersion: 1, config: { label } })),
  edges: [],
});

describe('ctx.outbox', () => {
  beforeEach(() => (opened = []));

  it('is kept per flow and node id in the data dir: a restarted runtime finds what was left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-outbox-'));
    const first = start(dataDir);
    await first.deploy(flowWith('a'));
    for (const n of [1, 2, 3]) await first.inject('pub', { payload: n, timestamp: 0, quality: 'good' });
    await first.stop();

    const second = start(dataDir);
    await second.deploy(flowWith('a'));
    expect(opened[1].peek(10)).toEqual([1, 2, 3]);
    await second.stop();
  });

  it('survives a redeploy that changes the node, and is the same buffer for the replacement', async () => {
    const engine = start(mkdtempSync(join(tmpdir(), 'tagflow-outbox-')));
    await engine.deploy(flowWith('a'));
    await engine.inject('pub', { payload: 'kept', timestamp: 0, quality: 'good' });
    expect(await engine.deploy(flowWith('b'))).toMatchObject({ ok: true, changed: ['pub'] });
    expect(opened[1]).toBe(opened[0]);
    expect(opened[1].peek(10)).toEqual(['kept']);
    await engine.stop();
  });

  it("counts what a full buffer drops at its node: in the counters, by reason, and in the node's status", async () => {
    const engine = start(mkdtempSync(join(tmpdir(), 'tagflow-outbox-')));
    const statuses: string[] = [];
    engine.on('status', ({ status }) => statuses.push(status.text ?? ''));
    await engine.deploy({ ...flowWith('a'), nodes: [{ id: 'pub', type: 'tiny-buffer', typeVersion: 1 }] });
    for (let n = 0; n < 50; n++) await engine.inject('pub', { payload: `item ${n}`, timestamp: 0, quality: 'good' });
    const outbox = opened[0];
    expect(outbox.dropped).toBeGreaterThan(0);
    expect(outbox.size + outbox.dropped).toBe(50);
    expect(engine.stats().pub).toMatchObject({ dropped: outbox.dropped, drops: { 'buffer-full': outbox.dropped } });
    expect(engine.statuses().pub).toMatchObject({ dropped: outbox.dropped, text: `${outbox.dropped} dropped` });
    // The first drop is shown at once, not only in a log line.
    expect(statuses[0]).toMatch(/^\d+ dropped$/);
    await engine.stop();
  });
});
