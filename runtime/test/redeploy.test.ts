import { createMessage, defineNode, defineResource } from '@tagflow/node-sdk';
import { flow, makeEngine, received, until } from './helpers';

const deployFlow = (addB: number, extra: Array<{ id: string; type: string; config?: Record<string, unknown> }> = []) =>
  flow(
    [
      { id: 'a', type: 'adder', config: { add: 1 } },
      { id: 'b', type: 'adder', config: { add: addB } },
      { id: 'out', type: 'sink' },
      ...extra,
    ],
    ['a->b', 'b->out'],
  );

describe('deploy and redeploy', () => {
  afterEach(() => received.clear());

  it('refuses an invalid flow with every error, keeping nothing half-started', async () => {
    const { engine } = makeEngine();
    const result = await engine.deploy({
      schemaVersion: 1,
      id: 'bad',
      nodes: [{ id: 'x', type: 'no-such-type', typeVersion: 1 }],
      edges: [{ source: 'x', target: 'ghost' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/TYPE/i), expect.stringMatching(/EDGE|NODE/i)]),
    );
    expect(engine.currentFlow).toBeUndefined();
  });

  it('restarts only changed nodes: an untouched stateful node keeps its state', async () => {
    const { engine } = makeEngine();
    expect((await engine.deploy(deployFlow(10))).ok).toBe(true);
    await engine.inject('a', createMessage(0));
    await engine.inject('a', createMessage(0));
    const result = await engine.deploy(deployFlow(20));
    expect(result).toMatchObject({ ok: true, changed: ['b'], unchanged: ['a', 'out'], added: [], removed: [] });
    await engine.inject('a', createMessage(0));
    const last = received.get('out')!.at(-1)!;
    expect(last.payload).toBe(21); // the new config of b applies
    // `a` kept its count across the redeploy (3rd message); `b` restarted (1st message of the new instance).
    expect(engine.stats().a.in).toBe(3);
    expect(engine.stats().b.in).toBe(1);
    expect(received.get('out')).toHaveLength(3); // the unchanged sink kept its collected messages
    await engine.stop();
  });

  it('rewires without restarting when only edges change', async () => {
    const { engine } = makeEngine();
    await engine.deploy(deployFlow(10));
    await engine.inject('a', createMessage(0));
    const rewired = {
      ...deployFlow(10),
      edges: [
        { source: 'a', target: 'out' },
        { source: 'b', target: 'out' },
      ],
    };
    const result = await engine.deploy(rewired);
    expect(result).toMatchObject({ ok: true, changed: [], added: [], removed: [] });
    await engine.inject('a', createMessage(0));
    expect(received.get('out')!.map((m) => m.payload)).toEqual([11, 1]);
    await engine.stop();
  });

  it('leaves the previous flow running when a new node fails to start', async () => {
    const broken = defineNode({
      type: 'broken',
      version: 1,
      category: 'processor',
      description: 'cannot start',
      configSchema: { type: 'object' },
      inputs: ['in'],
      outputs: ['out'],
      create: () => {
        throw new Error('device 10.0.0.9 refused the connection');
      },
    });
    const { engine } = makeEngine([broken]);
    await engine.deploy(deployFlow(10));
    const result = await engine.deploy(deployFlow(99, [{ id: 'z', type: 'broken' }]));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        expect.objectContaining({ code: 'NODE_START_FAILED', nodeId: 'z', path: '/nodes/3' }),
      ]);
      expect(result.errors[0].message).toContain('device 10.0.0.9 refused the connection');
    }
    await engine.inject('a', createMessage(0));
    expect(received.get('out')!.map((m) => m.payload)).toEqual([11]); // b still has add = 10
    expect(engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['a', 'b', 'out']);
    await engine.stop();
  });

  it('carries messages queued at a changed node over to its replacement', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'io', type: 'slow', config: { delayMs: 30 } },
          { id: 'out', type: 'sink' },
        ],
        ['io->out'],
      ),
    );
    for (let i = 0; i < 5; i++) engine.inject('io', createMessage(i)).catch(() => undefined);
    await engine.deploy(
      flow(
        [
          { id: 'io', type: 'slow', config: { delayMs: 1 } },
          { id: 'out', type: 'sink' },
        ],
        ['io->out'],
      ),
    );
    await engine.idle();
    await until(() => (received.get('out') ?? []).length >= 5, 10_000);
    expect(received.get('out')!.map((m) => m.payload)).toEqual([0, 1, 2, 3, 4]); // none lost, order kept
    await engine.stop();
  });

  it('time-boxes a node that never finishes closing, and cancels its timers', async () => {
    let ticks = 0;
    const stuck = defineNode({
      type: 'stuck',
      version: 1,
      category: 'source',
      description: 'close never resolves',
      configSchema: { type: 'object' },
      inputs: [],
      outputs: ['out'],
      create: (ctx) => {
        ctx.clock.setInterval(() => ticks++, 5);
        return { close: () => new Promise<void>(() => undefined) };
      },
    });
    const { engine, logger } = makeEngine([stuck], 100);
    await engine.deploy(flow([{ id: 's', type: 'stuck' }], []));
    await until(() => ticks >= 2, 10_000); // its timer runs
    await engine.stop();
    const after = ticks;
    await new Promise((r) => setTimeout(r, 40));
    expect(ticks).toBe(after);
    expect(logger.lines.some((l) => l.msg.includes('did not finish closing in time'))).toBe(true);
  });

  it('opens resources before the nodes using them, shares one instance, and restarts users when it changes', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const conn = defineResource({
      type: 'conn',
      version: 1,
      description: 'a shared connection',
      configSchema: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
      create: (ctx) => {
        opened.push(ctx.config.url);
        return { url: ctx.config.url, close: () => void closed.push(ctx.config.url) };
      },
    });
    const user = defineNode({
      type: 'user',
      version: 1,
      category: 'publisher',
      description: 'uses conn',
      configSchema: { type: 'object', properties: { conn: { type: 'string' } }, required: ['conn'] },
      inputs: ['in'],
      outputs: ['out'],
      resources: { conn: 'conn' },
      create: (ctx) => {
        const c = ctx.resource<{ url: string }>(ctx.config.conn);
        return {
          async onMessage(msg) {
            const connection = await c.ready();
            ctx.send({ ...msg, payload: connection.url });
          },
        };
      },
    });
    const { engine, registry } = makeEngine([user]);
    registry.registerResource(conn);
    const make = (url: string) => ({
      ...flow(
        [
          { id: 'u1', type: 'user', config: { conn: 'c' } },
          { id: 'u2', type: 'user', config: { conn: 'c' } },
          { id: 'out', type: 'sink' },
        ],
        ['u1->out', 'u2->out'],
      ),
      resources: [{ id: 'c', type: 'conn', config: { url } }],
    });
    expect((await engine.deploy(make('mqtt://one'))).ok).toBe(true);
    expect(opened).toEqual(['mqtt://one']);
    const result = await engine.deploy(make('mqtt://two'));
    expect(result).toMatchObject({ ok: true, changed: ['u1', 'u2'] });
    expect(opened).toEqual(['mqtt://one', 'mqtt://two']);
    expect(closed).toEqual(['mqtt://one']);
    await engine.inject('u1', createMessage(0));
    expect(received.get('out')!.map((m) => m.payload)).toEqual(['mqtt://two']);
    await engine.stop();
    expect(closed).toEqual(['mqtt://one', 'mqtt://two']);
  });
});

describe('start order', () => {
  it('starts processors before sources, so a first message finds them ready', async () => {
    const order: string[] = [];
    const early = defineNode({
      type: 'early-source',
      version: 1,
      category: 'source',
      description: 'sends in start()',
      configSchema: { type: 'object' },
      inputs: [],
      outputs: ['out'],
      create: (ctx) => ({
        start() {
          order.push('source start');
          ctx.send(createMessage(1));
        },
      }),
    });
    const ready = defineNode({
      type: 'needs-start',
      version: 1,
      category: 'processor',
      description: 'records whether start ran before its first message',
      configSchema: { type: 'object' },
      inputs: ['in'],
      outputs: [],
      create: () => ({
        start() {
          order.push('processor start');
        },
        onMessage() {
          order.push('processor message');
        },
      }),
    });
    const { engine } = makeEngine([early, ready]);
    // The source comes first in the file, which must not matter.
    await engine.deploy(
      flow(
        [
          { id: 's', type: 'early-source' },
          { id: 'p', type: 'needs-start' },
        ],
        ['s->p'],
      ),
    );
    expect(order).toEqual(['processor start', 'source start', 'processor message']);
    await engine.stop();
  });
});

describe('stop', () => {
  it('processes messages still queued at slow nodes before closing them', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'io', type: 'slow', config: { delayMs: 5 } },
          { id: 'out', type: 'sink' },
        ],
        ['io->out'],
      ),
    );
    for (let i = 0; i < 20; i++) engine.inject('io', createMessage(i)).catch(() => undefined);
    expect(engine.stats().io.queued).toBeGreaterThan(10);
    await engine.stop();
    expect(received.get('out')!.map((m) => m.payload)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
