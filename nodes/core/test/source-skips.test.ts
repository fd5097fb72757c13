import { defineNode } from '@tagflow/node-sdk';
import { runFlow } from '@tagflow/node-test';
import simulate from '../src/simulate.node';
import timer from '../src/timer.node';

// A publisher stuck on its peer (an MQTT broker away, its buffer full under `block`): it takes one
// message and holds it until the test opens the gate; the engine queues the next ones.
let open: () => void = () => undefined;
const stuck = defineNode({
  type: 'stuck',
  version: 1,
  category: 'publisher',
  description: 'holds its first message until the test opens the gate.',
  configSchema: { type: 'object' },
  inputs: ['in'],
  outputs: [],
  create() {
    const gate = new Promise<void>((resolve) => (open = resolve));
    return { onMessage: () => gate };
  },
});

const flowOf = (source: Record<string, unknown>) => ({
  schemaVersion: 1,
  id: 'skips',
  nodes: [
    { id: 'src', typeVersion: 1, ...source },
    { id: 'pub', type: 'stuck', typeVersion: 1, queue: { size: 4 } },
  ],
  edges: [{ source: 'src', target: 'pub' }],
});

describe('timer sources under backpressure (overflow block)', () => {
  it('simulate skips the ticks that come due while the flow is full, counts them, and drops nothing', async () => {
    const f = await runFlow(
      flowOf({ type: 'simulate', config: { tag: 't', intervalMs: 100, seed: 1, signal: { kind: 'ramp' } } }),
      { nodes: [simulate, stuck] },
    );
    // The first sample at start, then one per 100 ms: 1 in progress + 4 queued fill the flow.
    await f.advance(1000);
    const held = f.engine.stats();
    expect(held.src).toMatchObject({ out: 5, skipped: 6, skips: { held: 6 } });
    expect(held.pub).toMatchObject({ queued: 4, dropped: 0 });
    open();
    await f.idle();
    await f.advance(100);
    const after = f.engine.stats();
    expect(after.src).toMatchObject({ out: 6, skipped: 6 });
    expect(Object.values(after).reduce((sum, c) => sum + c.dropped, 0)).toBe(0);
    expect(f.engine.statuses().src).toMatchObject({ state: 'ok', skipped: 6 });
    expect(f.engine.statuses().src.text).toMatch(/ · 6 skipped$/);
    await f.stop();
  });

  it('timer skips its repeats while held, and sends again once there is room', async () => {
    const f = await runFlow(flowOf({ type: 'timer', config: { intervalMs: 1000, payload: 'poll' } }), {
      nodes: [timer, stuck],
    });
    await f.advance(8000);
    expect(f.engine.stats().src).toMatchObject({ out: 5, skipped: 3 });
    expect(f.statuses('src').at(-1)?.text).toMatch(/^every 1 s · [1-3] skipped$/);
    open();
    await f.idle();
    await f.advance(1000);
    expect(f.engine.stats().src).toMatchObject({ out: 6, skipped: 3, dropped: 0 });
    expect(f.engine.statuses().src).toEqual({ state: 'ok', text: 'every 1 s · 3 skipped', skipped: 3 });
    await f.stop();
  });
});
