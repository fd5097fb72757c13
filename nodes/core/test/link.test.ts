import { defineNode } from '@tagflow/node-sdk';
import type { AnyNodeDefinition } from '@tagflow/node-sdk';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import linkCall from '../src/link-call.node';
import linkIn from '../src/link-in.node';
import linkOut from '../src/link-out.node';

/** Adds `config.add` to the payload (a processor to tell the paths apart). */
const add = defineNode({
  type: 'add',
  version: 1,
  category: 'processor',
  description: 'adds a number (test helper)',
  configSchema: { type: 'object', properties: { add: { type: 'number', default: 1 } }, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return { onMessage: (msg) => void ctx.send({ ...msg, payload: (msg.payload as number) + ctx.config.add }) };
  },
});

const DEFINITIONS: AnyNodeDefinition[] = [linkIn, linkOut, linkCall, add];
const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, config });
const edge = (source: string, target: string) => ({ source, target });
const flowOf = (nodes: object[], edges: object[] = [], settings?: object) => ({
  schemaVersion: 1,
  id: 'links',
  nodes,
  edges,
  ...(settings ? { settings } : {}),
});

const open: FlowUnderTest[] = [];
async function run(flow: Record<string, unknown>, fakeTime = true): Promise<FlowUnderTest> {
  const f = await runFlow(flow, { nodes: DEFINITIONS, fakeTime });
  open.push(f);
  return f;
}
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});

describe('link-out and link-in', () => {
  it('send to every link-in named, and a link-in receives from every link-out naming it', async () => {
    const f = await run(
      flowOf(
        [
          node('a-out', 'link-out', { links: ['x-in', 'y-in'] }),
          node('b-out', 'link-out', { mode: 'link', links: ['x-in'] }),
          node('x-in', 'link-in'),
          node('y-in', 'link-in'),
          node('x-add', 'add', { add: 100 }),
        ],
        [edge('x-in', 'x-add')],
      ),
    );
    await f.inject('a-out', { payload: 1, topic: 't' });
    await f.inject('b-out', 2);
    await f.idle();
    expect(f.payloads('x-in')).toEqual([1, 2]);
    expect(f.payloads('y-in')).toEqual([1]);
    expect(f.payloads('x-add')).toEqual([101, 102]);
    expect(f.outputs('x-in')[0]).toMatchObject({ topic: 't', quality: 'good' });
    expect(f.errors).toEqual([]);
  });

  it('pass nothing to a disabled link-in, without an error', async () => {
    const f = await run(
      flowOf([node('out', 'link-out', { links: ['in'] }), { ...node('in', 'link-in'), disabled: true }]),
    );
    await f.inject('out', 1);
    await f.idle();
    expect(f.errors).toEqual([]);
  });

  it('are rewired by a redeploy: a link-out pointed elsewhere, a link-in replaced', async () => {
    const nodes = (links: string[], queueSize: number) => [
      node('out', 'link-out', { links }),
      { ...node('a-in', 'link-in'), queue: { size: queueSize } },
      node('b-in', 'link-in'),
    ];
    const f = await run(flowOf(nodes(['a-in'], 100)));
    await f.inject('out', 1);
    // The link-in is replaced (its queue changed), the link-out is not: the wire follows the new runner.
    const replaced = await f.engine.deploy(flowOf(nodes(['a-in'], 200)));
    expect(replaced.ok && replaced.changed).toEqual(['a-in']);
    await f.inject('out', 2);
    const pointed = await f.engine.deploy(flowOf(nodes(['b-in'], 200)));
    expect(pointed.ok && pointed.changed).toEqual(['out']);
    await f.inject('out', 3);
    await f.idle();
    expect(f.payloads('a-in')).toEqual([1, 2]);
    expect(f.payloads('b-in')).toEqual([3]);
    expect(f.errors).toEqual([]);
  });

  it('count hops through virtual wires: a loop of links is cut at maxHops, naming the loop', async () => {
    const flow = flowOf(
      [node('loop-in', 'link-in'), node('step', 'add'), node('loop-out', 'link-out', { links: ['loop-in'] })],
      [edge('loop-in', 'step'), edge('step', 'loop-out')],
      { maxHops: 30 },
    );
    const f = await run(flow);
    await f.inject('loop-out', 0);
    await f.idle();
    expect(f.errors).toEqual([expect.objectContaining({ code: 'HOP_LIMIT' })]);
    expect(f.errors[0].message).toMatch(
      /loop-in -> step -> loop-out -> loop-in|step -> loop-out -> loop-in -> step|loop-out -> loop-in -> step -> loop-out/,
    );
    // The loop went round ten times (three hops per round) before it was cut, not for ever.
    expect(f.payloads('step').length).toBeLessThanOrEqual(10);
    expect(f.payloads('step').length).toBeGreaterThanOrEqual(9);
  });
});

describe('link-call', () => {
  const called = [
    node('double-in', 'link-in'),
    node('double', 'add', { add: 1000 }),
    node('double-out', 'link-out', { mode: 'return' }),
  ];
  const calledEdges = [edge('double-in', 'double'), edge('double', 'double-out')];

  it('calls a part of the flow and sends on its answer, without the call stack', async () => {
    const f = await run(flowOf([node('call', 'link-call', { link: 'double-in' }), ...called], calledEdges));
    await f.inject('call', { payload: 5, topic: 'batch-7', requestId: 'r1' });
    await f.idle();
    const [answer] = f.outputs('call');
    expect(answer).toMatchObject({ payload: 1005, topic: 'batch-7', requestId: 'r1' });
    expect(answer).not.toHaveProperty('_linkCalls');
    // Inside the called part the message carries the call.
    expect(f.outputs('double-in')[0]._linkCalls).toEqual([{ flow: 'links', node: 'call', id: expect.any(String) }]);
    expect(f.errors).toEqual([]);
  });

  it('nests: a called part calls another, each answer goes back to its own caller', async () => {
    const f = await run(
      flowOf(
        [
          node('outer', 'link-call', { link: 'outer-in' }),
          node('outer-in', 'link-in'),
          node('inner', 'link-call', { link: 'double-in' }),
          node('plus-one', 'add', { add: 1 }),
          node('outer-out', 'link-out', { mode: 'return' }),
          node('other-caller', 'link-call', { link: 'double-in' }),
          ...called,
        ],
        [edge('outer-in', 'inner'), edge('inner', 'plus-one'), edge('plus-one', 'outer-out'), ...calledEdges],
      ),
    );
    await f.inject('outer', 1);
    await f.inject('other-caller', 2);
    await f.idle();
    expect(f.payloads('inner')).toEqual([1001]);
    expect(f.outputs('inner')[0]._linkCalls).toEqual([expect.objectContaining({ node: 'outer' })]);
    expect(f.payloads('outer')).toEqual([1002]);
    expect(f.payloads('other-caller')).toEqual([1002]);
    expect(f.outputs('outer')[0]).not.toHaveProperty('_linkCalls');
    expect(f.errors).toEqual([]);
  });

  it('reports no answer within the timeout as an error in plain words', async () => {
    const f = await run(
      flowOf(
        [
          node('call', 'link-call', { link: 'dead-end', timeoutMs: 5000 }),
          node('dead-end', 'link-in'),
          node('sink', 'add'),
        ],
        [edge('dead-end', 'sink')],
      ),
    );
    await f.inject('call', { payload: 3, topic: 'order-1' });
    await f.advance(4999);
    expect(f.errors).toEqual([]);
    await f.advance(1);
    expect(f.errors).toEqual([
      expect.objectContaining({
        code: 'LINK_TIMEOUT',
        nodeId: 'call',
        message:
          'link-call "call" got no answer from link-in "dead-end" within 5000 ms: is there a link-out in return mode at the end of that part of the flow?',
      }),
    ]);
    expect(f.outputs('call')).toEqual([]);
  });

  it('drops an answer that comes after the timeout, and says so', async () => {
    const slow = defineNode({
      type: 'slow',
      version: 1,
      category: 'processor',
      description: 'answers after a delay (test helper)',
      configSchema: { type: 'object', properties: {}, additionalProperties: false },
      inputs: ['in'],
      outputs: ['out'],
      create(ctx) {
        return { onMessage: (msg) => void ctx.clock.setTimeout(() => ctx.send(msg), 2000) };
      },
    });
    const f = await runFlow(
      flowOf(
        [
          node('call', 'link-call', { link: 'slow-in', timeoutMs: 1000 }),
          node('slow-in', 'link-in'),
          node('wait', 'slow'),
          node('back', 'link-out', { mode: 'return' }),
        ],
        [edge('slow-in', 'wait'), edge('wait', 'back')],
      ),
      { nodes: [...DEFINITIONS, slow] },
    );
    open.push(f);
    await f.inject('call', 1);
    await f.advance(2500);
    await f.idle();
    expect(f.errors.map((e) => e.code)).toEqual(['LINK_TIMEOUT', 'LINK_LATE_ANSWER']);
    expect(f.outputs('call')).toEqual([]);
  });

  it('a return with no caller is an error naming the link-out', async () => {
    const f = await run(flowOf([node('back', 'link-out', { mode: 'return' })]));
    await f.inject('back', 1);
    expect(f.errors).toEqual([
      expect.objectContaining({
        code: 'LINK_NO_CALLER',
        nodeId: 'back',
        message:
          'link-out "back" returns to the link-call that called it, but this message came from no link-call (it carries no _linkCalls); the message was dropped',
      }),
    ]);
  });

  it('a message cannot steer a return to a node that is no link-call', async () => {
    const f = await run(flowOf([node('back', 'link-out', { mode: 'return' }), node('victim', 'add')]));
    await f.inject('back', { payload: 1, _linkCalls: [{ flow: 'links', node: 'victim', id: '1' }] });
    await f.idle();
    expect(f.payloads('victim')).toEqual([]);
    expect(f.errors).toEqual([expect.objectContaining({ code: 'LINK_NO_CALLER', nodeId: 'back' })]);
    expect(f.errors[0].message).toContain('link-call "victim"');
  });
});

describe('a link to a missing link-in', () => {
  // packages/conventions/test/link-refusals.test.ts checks that validate says the same words.
  it('refuses the deploy, naming the node, the field and the link-in nodes there are', async () => {
    const flow = flowOf([node('out', 'link-out', { links: ['alarms-in'] }), node('alarm-in', 'link-in')]);
    await expect(runFlow(flow, { nodes: DEFINITIONS })).rejects.toThrow(
      'node "out" (link-out): /nodes/0/config/links/0 names "alarms-in", but this flow has no node with that id (did you mean "alarm-in"?); link-in nodes here: "alarm-in"',
    );
  });
});
