import { FAKE_EPOCH, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import timer from '../src/timer.node';

let open: NodeUnderTest[] = [];
async function start(config: Record<string, unknown>): Promise<NodeUnderTest> {
  const h = await testNode(timer, { config });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

describe('timer', () => {
  it('sends the current time every interval, not at start by default', async () => {
    const h = await start({ intervalMs: 5000 });
    expect(h.outputs()).toHaveLength(0);
    await h.advance(4999);
    expect(h.outputs()).toHaveLength(0);
    await h.advance(10_001);
    const out = h.outputs();
    expect(out.map((m) => m.payload)).toEqual([5000, 10_000, 15_000].map((t) => FAKE_EPOCH + t));
    expect(out.map((m) => m.timestamp)).toEqual(out.map((m) => m.payload));
    expect(out[0].quality).toBe('good');
    expect(out[0]).not.toHaveProperty('topic');
    expect(h.status).toEqual({ state: 'ok', text: 'every 5 s' });
  });

  it('sends the configured payload and topic, once at start when asked', async () => {
    const h = await start({ onStart: true, payload: { cmd: 'reset', pumps: [1, 2] }, topic: 'plant/cmd' });
    expect(h.outputs()).toEqual([
      { payload: { cmd: 'reset', pumps: [1, 2] }, topic: 'plant/cmd', timestamp: FAKE_EPOCH, quality: 'good' },
    ]);
    await h.advance(3_600_000);
    expect(h.outputs()).toHaveLength(1);
  });

  it('combines onStart with a repeat interval', async () => {
    const h = await start({ onStart: true, intervalMs: 60_000, payload: 0 });
    await h.advance(180_000);
    expect(h.outputs().map((m) => m.timestamp - FAKE_EPOCH)).toEqual([0, 60_000, 120_000, 180_000]);
    expect(h.payloads()).toEqual([0, 0, 0, 0]);
    expect(h.status?.text).toBe('every 1 min');
  });

  it('sends falsy payloads as they are (null, false, empty string)', async () => {
    for (const payload of [null, false, '']) {
      const h = await start({ onStart: true, payload });
      expect(h.payloads()).toEqual([payload]);
    }
  });

  it('says so in its status when it would never send', async () => {
    const h = await start({});
    await h.advance(86_400_000);
    expect(h.outputs()).toHaveLength(0);
    expect(h.status?.state).toBe('idle');
    expect(h.status?.text).toMatch(/never sends/);
  });

  it('refuses a zero interval and cron (not supported yet)', async () => {
    await expect(testNode(timer, { config: { intervalMs: 0 } })).rejects.toThrow(/intervalMs/);
    await expect(testNode(timer, { config: { cron: '*/5 * * * *' } })).rejects.toThrow(/cron/);
  });

  it('sends one message when its inject button is pressed, the schedule unchanged', async () => {
    const h = await start({ intervalMs: 5000, payload: 'batch', topic: 'line/start' });
    await h.advance(1000);
    await h.trigger();
    expect(h.outputs()).toEqual([
      { payload: 'batch', topic: 'line/start', timestamp: FAKE_EPOCH + 1000, quality: 'good' },
    ]);
    await h.advance(4000);
    expect(h.outputs().map((m) => m.timestamp)).toEqual([FAKE_EPOCH + 1000, FAKE_EPOCH + 5000]);
    // Also without any schedule: the button is how such a timer sends.
    const idle = await start({});
    await idle.trigger();
    expect(idle.payloads()).toEqual([idle.now()]);
  });
});
