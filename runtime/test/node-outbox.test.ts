import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode } from '@tagflow/node-sdk';
import type { Outbox } from '@tagflow/node-sdk';
import { Engine, NodeRegistry } from '../src';
import { MemoryLogger } from './helpers';

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
});
