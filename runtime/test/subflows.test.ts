import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFlowVariables, subflowStatusNodes } from '@tagflow/flow-model';
import { createMessage, defineNode } from '@tagflow/node-sdk';
import { makeEngine, received, until } from './helpers';

/** Counts what it passes on in its node context and shows the count as its status. */
const keeper = defineNode({
  type: 'keeper',
  version: 1,
  category: 'processor',
  description: 'test node keeping a count in its context.',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      onMessage(msg) {
        const count = ((ctx.context.node.get('count') as number | undefined) ?? 0) + 1;
        ctx.context.node.set('count', count);
        ctx.status({ state: 'ok', text: `${count} seen` });
        ctx.send(msg);
      },
    };
  },
});

/** `add` (a parameter) then `keep`: the instance shows `keep`'s status. */
const offsetFlow = (first: unknown, second: unknown) => ({
  schemaVersion: 1,
  id: 'plant',
  subflows: [
    {
      id: 'offset',
      name: 'Offset and count',
      inputs: [{ port: 'in', to: [{ node: 'add' }] }],
      outputs: [{ port: 'out', from: [{ node: 'keep' }] }],
      params: { type: 'object', properties: { by: { type: 'number', title: 'Add', default: 1 } } },
      status: 'keep',
      nodes: [
        { id: 'add', type: 'adder', typeVersion: 1, config: { add: '${by}' } },
        { id: 'keep', type: 'keeper', typeVersion: 1 },
      ],
      edges: [{ source: 'add', target: 'keep' }],
    },
  ],
  nodes: [
    { id: 'one', type: 'subflow:offset', typeVersion: 1, config: first },
    { id: 'two', type: 'subflow:offset', typeVersion: 1, config: second },
    { id: 'sink-one', type: 'sink', typeVersion: 1 },
    { id: 'sink-two', type: 'sink', typeVersion: 1 },
  ],
  edges: [
    { source: 'one', target: 'sink-one' },
    { source: 'two', target: 'sink-two' },
  ],
});

describe('subflows in the engine', () => {
  it('runs each instance with its own parameters, state and status', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-subflow-'));
    const { engine, registry } = makeEngine([keeper], 2000, { dataDir });
    const flow = offsetFlow({ by: 10 }, { by: '${BIG}' });
    const result = await engine.deploy(flow, { variables: { BIG: '100' } });
    expect(result).toMatchObject({ ok: true });
    expect(engine.nodeIds()).toEqual(expect.arrayContaining(['one~add', 'one~keep', 'two~add', 'two~keep']));

    for (const payload of [1, 2, 3]) await engine.inject('one~add', createMessage(payload));
    await engine.inject('two~add', createMessage(5));
    await until(() => (received.get('sink-one')?.length ?? 0) === 3 && (received.get('sink-two')?.length ?? 0) === 1);
    expect(received.get('sink-one')?.map((m) => m.payload)).toEqual([11, 12, 13]);
    expect(received.get('sink-two')?.map((m) => m.payload)).toEqual([105]);

    expect(await engine.readContext({ scope: 'node', flowId: 'plant', nodeId: 'one~keep' })).toMatchObject({
      entries: [{ key: 'count', value: 3 }],
    });
    expect(await engine.readContext({ scope: 'node', flowId: 'plant', nodeId: 'two~keep' })).toMatchObject({
      entries: [{ key: 'count', value: 1 }],
    });
    // What the admin API's /api/status shows for an instance: its subflow's status node.
    const written = resolveFlowVariables(flow, registry.catalog(), { BIG: '100' }).flow;
    const shown = subflowStatusNodes(written, registry.catalog());
    expect(shown).toEqual({ one: 'one~keep', two: 'two~keep' });
    expect(engine.statuses()[shown.one]).toEqual({ state: 'ok', text: '3 seen' });
    expect(engine.statuses()[shown.two]).toEqual({ state: 'ok', text: '1 seen' });
    await engine.stop();
  });

  it('refuses a deploy with a bad parameter, naming the instance, and keeps the running flow', async () => {
    const { engine } = makeEngine([keeper]);
    expect((await engine.deploy(offsetFlow({}, {}))).ok).toBe(true);
    const refused = await engine.deploy(offsetFlow({ by: 'ten' }, {}));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors[0]).toMatchObject({
      code: 'SUBFLOW_PARAM_INVALID',
      nodeId: 'one',
      path: '/nodes/0/config/by',
    });
    expect(refused.errors[0].message).toContain('subflow instance "one" (Offset and count): parameter "by"');
    expect(engine.nodeIds()).toContain('one~keep');
    await engine.stop();
  });
});
