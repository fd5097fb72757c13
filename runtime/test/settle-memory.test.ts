import { getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as settle from '../src/engine/settle-memory';
import { flow, makeEngine, received } from './helpers';

// The engine's call is watched; what it would do is the real thing, tested by itself below.
jest.mock('../src/engine/settle-memory', () => ({
  ...jest.requireActual<typeof settle>('../src/engine/settle-memory'),
  settleMemoryAfter: jest.fn(),
}));

const newSpaceBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Objects that survive a few young collections, as start-up's do: the young generation grows. */
function growYoungGeneration(): void {
  let kept: number[][] = [];
  for (let i = 0; i < 4000; i++) {
    kept.push(new Array<number>(2000).fill(i));
    if (kept.length > 400) kept = [];
  }
}

describe('settling the memory after a deploy', () => {
  afterEach(() => {
    received.clear();
    jest.clearAllMocks();
  });

  it('shrinks the young generation that start-up grew', () => {
    growYoungGeneration();
    const before = newSpaceBytes();
    settle.settleMemory();
    expect(newSpaceBytes()).toBeLessThan(before);
  });

  it('leaves no gc function to contexts made afterwards (a sandbox must not call it)', () => {
    settle.settleMemory();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });

  it('is asked for after a deploy only by a host that set settleMemoryAfterMs', async () => {
    const asked = jest.mocked(settle.settleMemoryAfter);
    const plain = makeEngine().engine;
    expect((await plain.deploy(flow([{ id: 'out', type: 'sink' }], []))).ok).toBe(true);
    expect(asked).not.toHaveBeenCalled();

    const { engine } = makeEngine([], 2000, { settleMemoryAfterMs: 250 });
    expect((await engine.deploy(flow([{ id: 'out', type: 'sink' }], []))).ok).toBe(true);
    expect(asked).toHaveBeenCalledWith(250);
    // A refused deploy started nothing: nothing to settle.
    asked.mockClear();
    expect((await engine.deploy({ schemaVersion: 1, id: 'bad', nodes: 'none', edges: [] })).ok).toBe(false);
    expect(asked).not.toHaveBeenCalled();
    await Promise.all([plain.stop(), engine.stop()]);
  });
});
