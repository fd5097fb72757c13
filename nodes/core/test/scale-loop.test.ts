import { sdkErrors } from '@tagflow/node-sdk';
import { runFlow } from '@tagflow/node-test';
import scale from '../src/scale.node';
import timer from '../src/timer.node';
import flow from './fixtures/scale-loop.flow.json';

// Issue 14's reproduction with the real nodes: `timer -> a -> b -> a` spun the runtime for good.
it('drops what loops timer -> a -> b -> a after 1,000 hops, naming the loop, while time and the other branch go on', async () => {
  const running = await runFlow(flow, { nodes: [timer, scale], fakeTime: false });
  try {
    // A starved event loop would never fire these 20 ticks (the test would time out): no clock
    // figure is asserted, since a loaded machine stretches any of them.
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const interval = setInterval(() => {
        ticks++;
        if (ticks === 20) {
          clearInterval(interval);
          resolve();
        }
      }, 50);
    });
    expect(running.errors.length).toBeGreaterThanOrEqual(3);
    for (const error of running.errors) {
      expect(error.code).toBe(sdkErrors.code.HOP_LIMIT);
      expect(error.message).toMatch(
        /^message dropped after 1000 hops: it went round the cycle (a -> b -> a|b -> a -> b); a loop needs a node that delays or limits it, or a switch that ends it$/,
      );
    }
    expect(running.engine.stats().b.dropped + running.engine.stats().a.dropped).toBe(running.errors.length);
    // The branch beside the loop kept its pace.
    expect(running.payloads('pct').length).toBeGreaterThan(20);
  } finally {
    await running.stop();
  }
}, 30_000);
