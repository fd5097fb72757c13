import { createMessage, defineNode } from '@tagflow/node-sdk';
import type { RuntimeFlowsApi } from '../src/admin/runtime-flows-types';
import { createMetrics } from '../src/server/metrics';
import { flow, makeEngine, received, until } from './helpers';

describe('bounded queues and backpressure', () => {
  afterEach(() => received.clear());

  it('pauses a source behind a slow node (policy block): nothing dropped, queue stays bounded', async () => {
    const { engine } = makeEngine();
    let maxQueued = 0;
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'counter', config: { count: 3000 } },
          { id: 'plus', type: 'adder' },
          { id: 'io', type: 'slow', config: { delayMs: 0 }, queue: { size: 50 } },
          { id: 'out', type: 'sink' },
        ],
        ['src->plus', 'plus->io', 'io->out'],
      ),
    );
    await until(() => {
      maxQueued = Math.max(maxQueued, engine.stats().io.queued);
      return (received.get('out')?.length ?? 0) === 3000;
    }, 30000);
    expect(received.get('out')!.map((m) => m.payload)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(engine.stats().io.dropped).toBe(0);
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(50 + 1024); // bound plus at most one burst in flight
    await engine.stop();
  });

  it('drops and counts the newest messages under policy drop-newest', async () => {
    const { engine, logger } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'io', type: 'slow', config: { delayMs: 20 }, queue: { size: 3, overflow: 'drop-newest' } },
          { id: 'out', type: 'sink' },
        ],
        ['io->out'],
      ),
    );
    for (let i = 0; i < 10; i++) engine.inject('io', createMessage(i)).catch(() => undefined);
    await engine.idle();
    // 0 is in progress, 1..3 queued, 4..9 dropped.
    expect(received.get('out')!.map((m) => m.payload)).toEqual([0, 1, 2, 3]);
    expect(engine.stats().io.dropped).toBe(6);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg.includes('drops messages'))).toBe(true);
    // The drops reach /metrics, where an operator (and `pnpm soak`) counts them.
    const runtime = { ids: () => ['t'], get: () => ({ engine }) } as unknown as RuntimeFlowsApi;
    expect(await createMetrics(runtime, engine).registry.metrics()).toContain(
      'tagflow_messages_dropped_total{flow="t",node="io",reason="queue-full"} 6',
    );
    await engine.stop();
  });

  it('drops and counts the oldest queued messages under policy drop-oldest', async () => {
    const { engine } = makeEngine();
    await engine.deploy(
      flow(
        [
          { id: 'io', type: 'slow', config: { delayMs: 20 }, queue: { size: 3, overflow: 'drop-oldest' } },
          { id: 'out', type: 'sink' },
        ],
        ['io->out'],
      ),
    );
    for (let i = 0; i < 10; i++) engine.inject('io', createMessage(i)).catch(() => undefined);
    await engine.idle();
    expect(received.get('out')!.map((m) => m.payload)).toEqual([0, 7, 8, 9]);
    expect(engine.stats().io.dropped).toBe(6);
    await engine.stop();
  });

  it('a source that ignores backpressure is cut at twice the bound, with drops counted', async () => {
    const rude = defineNode({
      type: 'rude',
      version: 1,
      category: 'source',
      description: 'ignores send() returning false',
      configSchema: { type: 'object' },
      inputs: [],
      outputs: ['out'],
      create: (ctx) => ({
        start() {
          for (let i = 0; i < 100; i++) ctx.send(createMessage(i));
        },
      }),
    });
    const { engine } = makeEngine([rude]);
    await engine.deploy(
      flow(
        [
          { id: 'r', type: 'rude' },
          { id: 'io', type: 'slow', config: { delayMs: 0 }, queue: { size: 10 } },
          { id: 'out', type: 'sink' },
        ],
        ['r->io', 'io->out'],
      ),
    );
    await engine.idle();
    const delivered = received.get('out')!.length;
    expect(delivered + engine.stats().io.dropped).toBe(100);
    expect(delivered).toBe(21); // one in progress + 2 x 10 queued
    // Counted where an operator looks, not only in a log line: the status says so, by how many.
    expect(engine.stats().io.drops).toEqual({ 'queue-full': 79 });
    expect(engine.statuses().io).toEqual({ state: 'ok', text: '79 dropped', dropped: 79 });
    await engine.stop();
  });

  it('a source on a timer skips its ticks while held: counted in status and metrics, nothing dropped', async () => {
    // The test plays the timer: each call is one tick of a polling source that follows the contract.
    let tick: () => void = () => undefined;
    const poller = defineNode({
      type: 'poller',
      version: 1,
      category: 'source',
      description: 'sends one reading per tick, skipping while held',
      configSchema: { type: 'object' },
      inputs: [],
      outputs: ['out'],
      create(ctx) {
        let n = 0;
        tick = () => {
          if (ctx.held) ctx.skipped();
          else ctx.send(createMessage(n++));
        };
        return { start: () => ctx.status({ state: 'ok', text: 'polling' }) };
      },
    });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated = defineNode({
      type: 'gated',
      version: 1,
      category: 'publisher',
      description: 'holds every message until the test opens the gate',
      configSchema: { type: 'object' },
      inputs: ['in'],
      outputs: ['out'],
      create: (ctx) => ({
        async onMessage(msg) {
          await gate;
          ctx.send(msg);
        },
      }),
    });
    const { engine } = makeEngine([poller, gated]);
    const statuses: Array<{ nodeId: string; text?: string }> = [];
    engine.on('status', ({ nodeId, status }) => statuses.push({ nodeId, text: status.text }));
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'poller' },
          { id: 'plus', type: 'adder' },
          { id: 'io', type: 'gated', queue: { size: 10 } },
          { id: 'out', type: 'sink' },
        ],
        ['src->plus', 'plus->io', 'io->out'],
        't',
      ),
    );
    for (let i = 0; i < 100; i++) tick();
    // One in progress, 10 queued: the source two hops upstream is held from then on.
    expect(engine.stats().src).toMatchObject({ out: 11, skipped: 89, skips: { held: 89 }, dropped: 0 });
    expect(statuses).toContainEqual({ nodeId: 'src', text: 'polling · 1 skipped' });
    open();
    await engine.idle();
    tick();
    await engine.idle();
    // Every tick is accounted for: delivered, or skipped and counted; nothing dropped anywhere.
    expect(received.get('out')!.map((m) => m.payload)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const stats = engine.stats();
    expect(Object.values(stats).reduce((sum, c) => sum + c.dropped, 0)).toBe(0);
    expect(engine.statuses().src).toMatchObject({ text: 'polling · 89 skipped', skipped: 89 });
    const runtime = { ids: () => ['t'], get: () => ({ engine }) } as unknown as RuntimeFlowsApi;
    const metrics = await createMetrics(runtime, engine).registry.metrics();
    expect(metrics).toContain('tagflow_source_skipped_total{flow="t",node="src",reason="held"} 89');
    expect(metrics).not.toMatch(/tagflow_messages_dropped_total\{/);
    await engine.stop();
  });
});
