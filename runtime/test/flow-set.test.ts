import { createMessage, defineNode, defineResource } from '@tagflow/node-sdk';
import { FlowSet, NodeRegistry } from '../src';
import type { StatusEvent } from '../src';
import { adder, counter, flow, MemoryLogger, received, sink, until } from './helpers';

/** A peer that counts the connections opened to it and closed. */
function makePeer() {
  const peer = { creates: 0, closes: 0 };
  const definition = defineResource({
    type: 'peer',
    version: 1,
    description: 'a counted peer',
    configSchema: { type: 'object', properties: { host: { type: 'string', default: 'plc' } } },
    create(ctx) {
      peer.creates++;
      ctx.status({ state: 'ok', text: `connection ${peer.creates}` });
      return { n: peer.creates, close: () => void peer.closes++ };
    },
  });
  return { peer, definition };
}

const peerUser = defineNode({
  type: 'peer-user',
  version: 1,
  category: 'publisher',
  description: 'passes on which connection it was handed',
  configSchema: { type: 'object', properties: { peer: { type: 'string' } }, required: ['peer'] },
  inputs: ['in'],
  outputs: ['out'],
  resources: { peer: 'peer' },
  create(ctx) {
    const handle = ctx.resource<{ n: number }>(ctx.config.peer);
    return {
      async onMessage(msg) {
        const c = await handle.ready();
        ctx.send({ ...msg, payload: c.n });
      },
    };
  },
});

function makeSet() {
  const registry = new NodeRegistry();
  const { peer, definition } = makePeer();
  for (const def of [counter, adder, sink, peerUser]) registry.registerNode(def);
  registry.registerResource(definition);
  const logger = new MemoryLogger();
  return { set: new FlowSet({ registry, logger, closeTimeoutMs: 1000 }), peer, logger };
}

/** A flow `id` whose node `u` uses a peer resource (named `resourceId`, host `host`), into sink `<id>-out`. */
const usingPeer = (id: string, resourceId = 'plc', host = 'plc') => ({
  ...flow(
    [
      { id: 'u', type: 'peer-user', config: { peer: resourceId } },
      { id: `${id}-out`, type: 'sink' },
    ],
    [`u->${id}-out`],
    id,
  ),
  resources: [{ id: resourceId, type: 'peer', config: { host } }],
});

describe('many flows in one process (FlowSet)', () => {
  beforeEach(() => received.clear());

  it('deploys each flow under its own id; one flow redeployed leaves the others running untouched', async () => {
    const { set } = makeSet();
    const a = flow(
      [
        { id: 'n', type: 'adder', config: { add: 1 } },
        { id: 'a-out', type: 'sink' },
      ],
      ['n->a-out'],
      'a',
    );
    const b = { ...a, id: 'b', edges: [{ source: 'n', target: 'b-out' }] };
    b.nodes = [a.nodes[0], { id: 'b-out', type: 'sink', typeVersion: 1 }];
    expect(await set.deploy('a', a)).toMatchObject({ ok: true, flowId: 'a' });
    expect(await set.deploy('b', b)).toMatchObject({ ok: true, flowId: 'b' });
    expect(set.flowIds()).toEqual(['a', 'b']);
    // The same node id in both flows: two nodes, each with its own state.
    await set.engine('a')?.inject('n', createMessage(1));
    await set.engine('a')?.inject('n', createMessage(2));
    await set.engine('b')?.inject('n', createMessage(10));
    expect(received.get('a-out')?.map((m) => [m.payload, (m as { seen?: number }).seen])).toEqual([
      [2, 1],
      [3, 2],
    ]);
    expect(received.get('b-out')?.map((m) => m.payload)).toEqual([11]);

    // b changes: a's node is the same runner, its state and counters carry on.
    const before = set.engine('a')?.stats().n.in;
    const b2 = { ...b, nodes: [{ ...b.nodes[0], config: { add: 100 } }, b.nodes[1]] };
    expect(await set.deploy('b', b2)).toMatchObject({ ok: true, changed: ['n'] });
    await set.engine('a')?.inject('n', createMessage(3));
    expect(received.get('a-out')?.at(-1)).toMatchObject({ payload: 4, seen: 3 });
    expect(set.engine('a')?.stats().n.in).toBe((before ?? 0) + 1);
    await set.engine('b')?.inject('n', createMessage(1));
    expect(received.get('b-out')?.at(-1)).toMatchObject({ payload: 101, seen: 1 });

    await set.stop('b');
    expect(set.flowIds()).toEqual(['a']);
    expect(set.engine('b')).toBeUndefined();
    await set.engine('a')?.inject('n', createMessage(4));
    expect(received.get('a-out')?.at(-1)).toMatchObject({ payload: 5 });
    await set.stopAll();
    expect(set.flowIds()).toEqual([]);
  });

  it('refuses a flow whose id is not the one it is deployed under, in plain words, and keeps no engine for it', async () => {
    const { set } = makeSet();
    const result = await set.deploy('pumps', flow([{ id: 'x', type: 'sink' }], [], 'boilers'));
    expect(result).toMatchObject({
      ok: false,
      errors: [{ code: 'FLOW_ID_MISMATCH', message: expect.stringContaining('"boilers", not "pumps"') }],
    });
    expect(set.flowIds()).toEqual([]);
    // A flow refused on its first deploy leaves nothing behind either.
    expect(await set.deploy('bad', flow([{ id: 'x', type: 'no-such-type' }], [], 'bad'))).toMatchObject({ ok: false });
    expect(set.flowIds()).toEqual([]);
  });

  it('shares one connection between flows that define the same resource, closing it with the last of them', async () => {
    const { set, peer } = makeSet();
    const statuses: StatusEvent[] = [];
    set.on('status', (e) => statuses.push(e));
    // Each flow names the connection its own way: same type and config is the same connection.
    await set.deploy('a', usingPeer('a', 'plc'));
    await set.deploy('b', usingPeer('b', 'line-3-plc'));
    await set.engine('a')?.inject('u', createMessage(0));
    await set.engine('b')?.inject('u', createMessage(0));
    expect(peer.creates).toBe(1);
    expect(received.get('a-out')?.[0].payload).toBe(1);
    expect(received.get('b-out')?.[0].payload).toBe(1);
    expect(set.sharedConnections).toBe(1);
    // Each flow hears the connection's state for its own nodes, with its own id on the event.
    await until(() => statuses.some((s) => s.flowId === 'b'));
    expect(statuses.filter((s) => s.nodeId === 'u').map((s) => s.flowId)).toEqual(expect.arrayContaining(['a', 'b']));
    expect(set.engine('b')?.resourceList()).toEqual([
      expect.objectContaining({ id: 'line-3-plc', type: 'peer', connected: true }),
    ]);

    // Another config is another connection.
    await set.deploy('c', usingPeer('c', 'plc', 'other-plc'));
    expect(set.sharedConnections).toBe(2);

    await set.stop('a');
    expect(peer.closes).toBe(0); // b still holds it
    await set.engine('b')?.inject('u', createMessage(0));
    expect(received.get('b-out')?.at(-1)?.payload).toBe(1);
    await set.stop('b');
    expect(peer.closes).toBe(1);
    // A flow that changes its resource's config moves to the new connection; the old one closes.
    await set.deploy('c', usingPeer('c', 'plc', 'third-plc'));
    expect(peer.closes).toBe(2);
    expect(set.sharedConnections).toBe(1);
    await set.stopAll();
    expect(peer.closes).toBe(3);
    expect(set.sharedConnections).toBe(0);
  });

  it('deploys of one flow do not wait for a slow deploy of another', async () => {
    const { set } = makeSet();
    const slowStart = defineNode({
      type: 'slow-start',
      version: 1,
      category: 'processor',
      description: 'takes a while to start',
      configSchema: { type: 'object', properties: {} },
      inputs: ['in'],
      outputs: ['out'],
      async create() {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return { onMessage: () => undefined };
      },
    });
    (set as unknown as { options: { registry: NodeRegistry } }).options.registry.registerNode(slowStart);
    const order: string[] = [];
    const slowDeploy = set.deploy('slow', flow([{ id: 's', type: 'slow-start' }], [], 'slow')).then((r) => {
      order.push('slow');
      return r;
    });
    const quick = await set.deploy('quick', flow([{ id: 'q', type: 'sink' }], [], 'quick'));
    order.push('quick');
    expect(quick.ok).toBe(true);
    expect((await slowDeploy).ok).toBe(true);
    expect(order).toEqual(['quick', 'slow']);
    await set.stopAll();
  });

  it('tells which flow and node an activity index names, each flow from its own slot', async () => {
    const activity = new Int32Array(new SharedArrayBuffer(8));
    const registry = new NodeRegistry();
    for (const def of [adder, sink]) registry.registerNode(def);
    const set = new FlowSet({ registry, logger: new MemoryLogger(), activity });
    await set.deploy('a', flow([{ id: 'x', type: 'sink' }], [], 'a'));
    await set.deploy(
      'b',
      flow(
        [
          { id: 'y', type: 'adder' },
          { id: 'z', type: 'sink' },
        ],
        ['y->z'],
        'b',
      ),
    );
    const slot = set.slotOf('b') as number;
    expect(slot).not.toBe(set.slotOf('a'));
    expect(set.nodeAt(slot * 1_000_000 + 1)).toEqual({ flowId: 'b', nodeId: 'z' });
    expect(set.nodeAt((set.slotOf('a') as number) * 1_000_000)).toEqual({ flowId: 'a', nodeId: 'x' });
    // While a node of b runs, the shared array names it at b's offset.
    const seen: number[] = [];
    const spy = defineNode({
      type: 'spy',
      version: 1,
      category: 'processor',
      description: 'reads the activity array while it runs',
      configSchema: { type: 'object', properties: {} },
      inputs: ['in'],
      outputs: ['out'],
      create: () => ({ onMessage: () => void seen.push(activity[1]) }),
    });
    registry.registerNode(spy);
    await set.deploy('b', flow([{ id: 'y', type: 'spy' }], [], 'b'));
    await set.engine('b')?.inject('y', createMessage(1));
    expect(seen).toEqual([slot * 1_000_000]);
    expect(set.nodeAt(seen[0])).toEqual({ flowId: 'b', nodeId: 'y' });
    await set.stopAll();
  });
});
