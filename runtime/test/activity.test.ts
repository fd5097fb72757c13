import { Worker } from 'node:worker_threads';
import { createMessage, defineNode } from '@tagflow/node-sdk';
import { ACTIVITY_NODE, ACTIVITY_PROGRESS, NO_NODE } from '../src';
import type { Engine } from '../src';
import { flow, makeEngine, received } from './helpers';

// What the node code observed of `engine.busyNode()`, filled in by the test nodes below.
const seen: Array<{ where: string; busy: ReturnType<Engine['busyNode']>; atMs: number }> = [];
let engineUnderTest: Engine | undefined;

/** Blocks the thread for `spinMs` inside onMessage, then passes the message on. */
const spinner = defineNode({
  type: 'spinner',
  version: 1,
  category: 'processor',
  description: 'busy-waits, as a node stuck in a loop would',
  configSchema: {
    type: 'object',
    properties: { spinMs: { type: 'number', default: 300 } },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      onMessage(msg) {
        seen.push({ where: 'spinner', busy: engineUnderTest?.busyNode(), atMs: Date.now() });
        const until = Date.now() + ctx.config.spinMs;
        while (Date.now() < until);
        ctx.send(msg);
      },
    };
  },
});

/** Passes messages on and records which node the engine says is running, before and after. */
const observer = defineNode({
  type: 'observer',
  version: 1,
  category: 'processor',
  description: 'records busyNode around its send',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      onMessage(msg) {
        seen.push({ where: 'observer before send', busy: engineUnderTest?.busyNode(), atMs: Date.now() });
        ctx.send(msg);
        seen.push({ where: 'observer after send', busy: engineUnderTest?.busyNode(), atMs: Date.now() });
      },
    };
  },
});

// Samples the shared array from another thread: waits until the engine enters node `index`,
// then reads the progress counter twice 150 ms apart, and reports what it saw.
const watcherSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { shared, index } = workerData;
const nap = new Int32Array(new SharedArrayBuffer(4));
parentPort.postMessage('ready');
const deadline = Date.now() + 5000;
while (Atomics.load(shared, ${ACTIVITY_NODE}) !== index && Date.now() < deadline) Atomics.wait(nap, 0, 0, 1);
const first = { node: Atomics.load(shared, ${ACTIVITY_NODE}), progress: Atomics.load(shared, ${ACTIVITY_PROGRESS}) };
Atomics.wait(nap, 0, 0, 150);
const second = { node: Atomics.load(shared, ${ACTIVITY_NODE}), progress: Atomics.load(shared, ${ACTIVITY_PROGRESS}) };
parentPort.postMessage({ first, second });
`;

describe('busy-node tracking', () => {
  afterEach(() => {
    received.clear();
    seen.length = 0;
    engineUnderTest = undefined;
  });

  it('lets another thread see which node holds the thread and that progress stopped', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const { engine } = makeEngine([spinner, observer], 2000, { activity: shared });
    engineUnderTest = engine;
    const result = await engine.deploy(
      flow(
        [
          { id: 'first', type: 'observer' },
          { id: 'stuck', type: 'spinner', config: { spinMs: 300 } },
          { id: 'out', type: 'sink' },
        ],
        ['first->stuck', 'stuck->out'],
      ),
    );
    expect(result.ok).toBe(true);
    expect(engine.nodeIds()).toEqual(['first', 'stuck', 'out']);
    expect(Atomics.load(shared, ACTIVITY_NODE)).toBe(NO_NODE);

    const worker = new Worker(watcherSource, { eval: true, workerData: { shared, index: 1 } });
    const report = new Promise<{
      first: { node: number; progress: number };
      second: { node: number; progress: number };
    }>((resolve, reject) => {
      worker.on('message', (m: unknown) => m !== 'ready' && resolve(m as never));
      worker.on('error', reject);
    });
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    const before = Atomics.load(shared, ACTIVITY_PROGRESS);
    const startedAt = Date.now();
    await engine.inject('first', createMessage(1));
    const { first, second } = await report;
    await worker.terminate();

    expect(first.node).toBe(1);
    expect(second.node).toBe(1);
    // Two entries (first, stuck) before the spin; none while it lasts.
    expect(first.progress).toBe(before + 2);
    expect(second.progress).toBe(first.progress);
    // Afterwards the engine moved on (out was entered) and no node runs.
    expect(Atomics.load(shared, ACTIVITY_PROGRESS)).toBe(before + 3);
    expect(Atomics.load(shared, ACTIVITY_NODE)).toBe(NO_NODE);
    expect(received.get('out')).toHaveLength(1);

    const inSpinner = seen.find((s) => s.where === 'spinner');
    expect(inSpinner?.busy).toMatchObject({ nodeId: 'stuck', type: 'spinner' });
    // A coarse clock (read once per event-loop turn): at or before entry, never after.
    expect(inSpinner!.busy!.sinceMs).toBeLessThanOrEqual(inSpinner!.atMs);
    expect(inSpinner!.busy!.sinceMs).toBeGreaterThan(startedAt - 1000);
    // Nested delivery: once `stuck` returns inside first's send, `first` is the busy node again.
    expect(seen.find((s) => s.where === 'observer after send')?.busy).toMatchObject({ nodeId: 'first' });
    expect(engine.busyNode()).toBeUndefined();
    await engine.stop();
    expect(engine.nodeIds()).toEqual([]);
  });

  it('indexes nodes in flow order, disabled ones included, and re-indexes on redeploy', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const { engine } = makeEngine([spinner], 2000, { activity: shared });
    await engine.deploy(
      flow(
        [
          { id: 'x', type: 'sink', disabled: true },
          { id: 'slow', type: 'spinner', config: { spinMs: 0 } },
        ],
        [],
      ),
    );
    expect(engine.nodeIds()).toEqual(['x', 'slow']);
    await engine.deploy(flow([{ id: 'slow', type: 'spinner', config: { spinMs: 0 } }], []));
    expect(engine.nodeIds()).toEqual(['slow']);
    engineUnderTest = engine;
    await engine.inject('slow', createMessage(1));
    expect(seen[0].busy).toMatchObject({ nodeId: 'slow' });
    await engine.stop();
  });

  it('refuses an activity array too short to hold both slots', () => {
    expect(() => makeEngine([], 2000, { activity: new Int32Array(new SharedArrayBuffer(4)) })).toThrow(
      /at least 2 slots/,
    );
  });
});
