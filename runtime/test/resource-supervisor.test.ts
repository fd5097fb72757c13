import { createMessage, defineNode, defineResource } from '@tagflow/node-sdk';
import type { ResourceContext } from '@tagflow/node-sdk';
import { flow, makeEngine, received, until } from './helpers';

/** A fake peer the tests control: refuses the next `refuse` connects, then accepts. */
function makePeer() {
  const peer = { refuse: 0, creates: 0, closes: 0, live: [] as Array<{ id: number; ctx: ResourceContext }> };
  const definition = defineResource({
    type: 'peer',
    version: 1,
    description: 'a controllable peer',
    configSchema: { type: 'object', properties: { name: { type: 'string', default: 'plc' } } },
    create(ctx) {
      peer.creates++;
      if (peer.refuse > 0) {
        peer.refuse--;
        throw new Error('connection refused by 10.0.0.7:502');
      }
      const connection = { id: peer.creates, ctx, close: () => void peer.closes++ };
      peer.live.push(connection);
      return connection;
    },
  });
  return { peer, definition };
}

const user = defineNode({
  type: 'peer-user',
  version: 1,
  category: 'publisher',
  description: 'records connections it is handed',
  configSchema: {
    type: 'object',
    properties: { peer: { type: 'string' }, tag: { type: 'string', default: 'a' } },
    required: ['peer'],
  },
  inputs: ['in'],
  outputs: ['out'],
  resources: { peer: 'peer' },
  create(ctx) {
    const handle = ctx.resource<{ id: number }>(ctx.config.peer);
    handle.onConnect((c) => void ctx.send(createMessage(`${ctx.config.tag}:connected:${c.id}`)));
    handle.onDisconnect((reason) => void ctx.send(createMessage(`${ctx.config.tag}:lost:${reason.message}`)));
    return {
      async onMessage(msg) {
        const c = await handle.ready();
        ctx.send({ ...msg, payload: `${ctx.config.tag}:sent-on:${c.id}` });
      },
    };
  },
});

const make = (tag = 'a') => ({
  ...flow(
    [
      { id: 'u', type: 'peer-user', config: { peer: 'p', tag } },
      { id: 'out', type: 'sink' },
    ],
    ['u->out'],
  ),
  resources: [{ id: 'p', type: 'peer' }],
});

describe('shared connections (resources)', () => {
  afterEach(() => received.clear());

  it('deploys without waiting for the peer, retries with backoff, and tells the nodes when it connects', async () => {
    const { peer, definition } = makePeer();
    peer.refuse = 2;
    const { engine, registry, logger } = makeEngine([user]);
    registry.registerResource(definition);
    const statuses: string[] = [];
    engine.on('status', ({ nodeId, status }) => nodeId === 'u' && statuses.push(`${status.state}: ${status.text}`));
    const started = Date.now();
    expect((await engine.deploy(make())).ok).toBe(true);
    expect(peer.creates).toBe(1); // tried at once, refused, and the deploy did not wait

    // A message sent while disconnected waits for the connection instead of failing.
    const sent = engine.inject('u', createMessage('x'));
    await until(() => (received.get('out') ?? []).length === 2, 10_000);
    await sent;
    const elapsed = Date.now() - started;
    expect(peer.creates).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(0.75 * (500 + 1000)); // two backoffs: 0.5 s, then 1 s (jitter 75-125 %)
    expect(received.get('out')!.map((m) => m.payload)).toEqual(['a:connected:3', 'a:sent-on:3']);
    expect(statuses[0]).toMatch(/^reconnecting: retry in \d+\.\d s: connection refused by 10\.0\.0\.7:502$/);
    expect(statuses).toContain('reconnecting: reconnecting (attempt 2): connection refused by 10.0.0.7:502');
    expect(statuses.at(-1)).toBe('ok: connected');
    // The log says it once per reason (the status shows every retry), then that it connected.
    const lines = logger.lines.filter((l) => l.data.resource === 'p' && l.level !== 'debug');
    expect(lines.map((l) => [l.level, l.msg, l.data.reason])).toEqual([
      ['warn', 'cannot connect; retrying with backoff', 'connection refused by 10.0.0.7:502'],
      ['info', 'connected after 2 failed attempts', undefined],
    ]);
    expect(logger.lines.filter((l) => l.data.resource === 'p' && l.level === 'debug')).toHaveLength(1);
    await engine.stop();
    expect(peer.closes).toBe(1);
  });

  it("keeps a node's backlog in its status when its connection's status replaces the text", async () => {
    const { peer, definition } = makePeer();
    peer.refuse = 1000;
    // A publisher that buffers while the peer is away and says how much it holds.
    const buffering = defineNode({
      type: 'buffering-user',
      version: 1,
      category: 'publisher',
      description: 'counts what it would buffer',
      configSchema: { type: 'object', properties: { peer: { type: 'string' } }, required: ['peer'] },
      inputs: ['in'],
      outputs: [],
      resources: { peer: 'peer' },
      create(ctx) {
        ctx.resource(ctx.config.peer);
        let held = 0;
        return {
          onMessage() {
            held++;
            ctx.status({ state: 'reconnecting', text: `${held} buffered`, backlog: held });
          },
        };
      },
    });
    const { engine, registry } = makeEngine([buffering]);
    registry.registerResource(definition);
    const seen: Array<{ text?: string; backlog?: number }> = [];
    engine.on('status', ({ nodeId, status }) => nodeId === 'b' && seen.push(status));
    const deployed = await engine.deploy({
      ...flow([{ id: 'b', type: 'buffering-user', config: { peer: 'p' } }], []),
      resources: [{ id: 'p', type: 'peer' }],
    });
    expect(deployed.ok).toBe(true);
    try {
      await engine.inject('b', createMessage(1));
      await engine.inject('b', createMessage(2));
      const mine = seen.length;
      // The next retry's status comes from the connection: its words, the node's backlog.
      await until(() => seen.length > mine, 5000);
      expect(seen.at(-1)!.text).toMatch(/^retry in/);
      expect(seen.at(-1)!.backlog).toBe(2);
      expect(engine.statuses().b.backlog).toBe(2);
    } finally {
      await engine.stop();
    }
  });

  it('reconnects by itself when the connection is lost, handing the new one to the nodes', async () => {
    const { peer, definition } = makePeer();
    const { engine, registry, logger } = makeEngine([user]);
    registry.registerResource(definition);
    await engine.deploy(make());
    await until(() => (received.get('out') ?? []).length === 1);
    peer.live[0].ctx.lost(new Error('socket closed by peer'));
    await until(() => (received.get('out') ?? []).length === 3, 5000);
    expect(received.get('out')!.map((m) => m.payload)).toEqual([
      'a:connected:1',
      'a:lost:socket closed by peer',
      'a:connected:2',
    ]);
    expect(peer.closes).toBe(1); // the lost connection was closed
    expect(logger.lines.filter((l) => l.data.resource === 'p').map((l) => [l.level, l.msg])).toEqual([
      ['info', 'connected'],
      ['warn', 'connection lost; reconnecting'],
      ['debug', 'cannot connect; retrying with backoff'], // the loss already said why
      ['info', 'connected after 1 failed attempt'],
    ]);
    // A second report of the same loss changes nothing: a message sent after it still goes out on
    // connection 2, with no loss reported to the node in between.
    peer.live[0].ctx.lost(new Error('again'));
    await engine.inject('u', createMessage('x'));
    await until(() => (received.get('out') ?? []).length >= 4, 5000);
    expect(
      received
        .get('out')!
        .map((m) => m.payload)
        .slice(3),
    ).toEqual(['a:sent-on:2']);
    expect(peer.creates).toBe(2);
    await engine.stop();
  });

  it('detaches a replaced node from the connection, so only the new node hears of reconnects', async () => {
    const { peer, definition } = makePeer();
    const { engine, registry } = makeEngine([user]);
    registry.registerResource(definition);
    await engine.deploy(make('old'));
    await until(() => (received.get('out') ?? []).length === 1);
    expect(await engine.deploy(make('new'))).toMatchObject({ ok: true, changed: ['u'] });
    await until(() => (received.get('out') ?? []).length === 2);
    peer.live[0].ctx.lost(new Error('cable pulled'));
    await until(() => (received.get('out') ?? []).length >= 4, 5000);
    expect(received.get('out')!.map((m) => m.payload)).toEqual([
      'old:connected:1',
      'new:connected:1',
      'new:lost:cable pulled',
      'new:connected:2',
    ]);
    expect(peer.creates).toBe(2); // the resource was unchanged by the redeploy: one connection throughout
    await engine.stop();
  });
});
