import { createMessage, defineNode } from '@tagflow/node-sdk';
import { flow, makeEngine, received, until } from './helpers';

describe('error handling', () => {
  afterEach(() => received.clear());

  it('keeps the flow running after a node throws, and logs the error with node id and message', async () => {
    const { engine, logger } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'counter', config: { count: 6 } },
          { id: 'p', type: 'picky', config: { failOn: 3 } },
          { id: 'out', type: 'sink' },
        ],
        ['src->p', 'p->out'],
      ),
    );
    await until(() => (received.get('out')?.length ?? 0) === 5);
    expect(received.get('out')!.map((m) => m.payload)).toEqual([0, 1, 2, 4, 5]);
    const line = logger.lines.find((l) => l.level === 'error');
    expect(line?.msg).toBe('node "p" (picky): refuses 3');
    expect(line?.data).toMatchObject({ node: 'p', code: 'PICKY' });
    expect(engine.stats().p.errors).toBe(1);
    await engine.stop();
  });

  it('sends errors to the node error port when it has one wired', async () => {
    const { engine, logger } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'p', type: 'picky-error-port', config: { failOn: 7 } },
          { id: 'ok', type: 'sink' },
          { id: 'bad', type: 'sink' },
          { id: 'c', type: 'catcher' },
          { id: 'caught', type: 'sink' },
        ],
        ['p->ok', 'p:error->bad', 'c->caught'],
      ),
    );
    await engine.inject('p', createMessage(7, { topic: 'line1' }));
    await engine.inject('p', createMessage(8));
    expect(received.get('ok')!.map((m) => m.payload)).toEqual([8]);
    const failed = received.get('bad')!;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      payload: 7,
      topic: 'line1',
      error: { code: 'PICKY', nodeId: 'p', message: 'refuses 7', depth: 0 },
    });
    expect(received.get('caught')).toHaveLength(0);
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(0);
    await engine.stop();
  });

  it('routes errors to catch nodes in scope when there is no error port', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'p1', type: 'picky', config: { failOn: 1 } },
          { id: 'p2', type: 'picky', config: { failOn: 1 } },
          { id: 'only-p1', type: 'catcher', config: { scope: ['p1'] } },
          { id: 'all', type: 'catcher' },
          { id: 's1', type: 'sink' },
          { id: 's2', type: 'sink' },
        ],
        ['only-p1->s1', 'all->s2'],
      ),
    );
    await engine.inject('p1', createMessage(1));
    await engine.inject('p2', createMessage(1));
    await engine.idle();
    expect(received.get('s1')!.map((m) => m.error?.nodeId)).toEqual(['p1']);
    expect(received.get('s2')!.map((m) => m.error?.nodeId)).toEqual(['p1', 'p2']);
    await engine.stop();
  });

  it('reports unexpected errors with their stack, async rejections included', async () => {
    const failing = defineNode({
      type: 'failing',
      version: 1,
      category: 'processor',
      description: 'rejects',
      configSchema: { type: 'object' },
      inputs: ['in'],
      outputs: ['out'],
      create: () => ({
        onMessage: async () => {
          throw new TypeError('boom');
        },
      }),
    });
    const { engine } = makeEngine([failing]);
    const events: Array<{ code: string; stack?: string; handled: boolean }> = [];
    engine.on('node-error', (e) => events.push(e));
    await engine.deploy(flow([{ id: 'f', type: 'failing' }], []));
    await engine.inject('f', createMessage(1));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ code: 'UNEXPECTED', handled: false });
    expect(events[0].stack).toContain('TypeError: boom');
    await engine.stop();
  });

  it('cuts an error loop instead of running away', async () => {
    const rethrow = defineNode({
      type: 'rethrow',
      version: 1,
      category: 'processor',
      description: 'throws on every message',
      configSchema: { type: 'object' },
      inputs: ['in'],
      outputs: ['out'],
      create: () => ({
        onMessage: () => {
          throw new Error('still failing');
        },
      }),
    });
    const { engine, logger } = makeEngine([rethrow]);
    const events: unknown[] = [];
    engine.on('node-error', (e) => events.push(e));
    // catch -> rethrow: each caught error makes a new error, which the catch node receives again.
    await engine.deploy(
      flow(
        [
          { id: 'c', type: 'catcher' },
          { id: 'r', type: 'rethrow' },
        ],
        ['c->r'],
      ),
    );
    await engine.inject('r', createMessage(1));
    await engine.idle();
    expect(events.length).toBe(12); // depth 0..10 routed, the 11th is cut
    expect(logger.lines.some((l) => l.msg.startsWith('error loop stopped'))).toBe(true);
    await engine.stop();
  });

  it('reports a send on an undeclared port as the node error', async () => {
    const wrongPort = defineNode({
      type: 'wrong-port',
      version: 1,
      category: 'processor',
      description: 'sends on a port it does not declare',
      configSchema: { type: 'object' },
      inputs: ['in'],
      outputs: ['out'],
      create: (ctx) => ({ onMessage: (msg) => void ctx.send(msg, 'nope') }),
    });
    const { engine, logger } = makeEngine([wrongPort]);
    await engine.deploy(flow([{ id: 'w', type: 'wrong-port' }], []));
    await engine.inject('w', createMessage(1));
    expect(logger.lines.find((l) => l.level === 'error')?.msg).toContain('sent on port "nope"');
    await engine.stop();
  });
});
