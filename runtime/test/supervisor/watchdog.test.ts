import { Watchdog } from '../../src/supervisor/watchdog';

describe('watchdog', () => {
  it('ends an engine that sent no heartbeat for its timeout, not before', () => {
    let now = 1000;
    const dog = new Watchdog({ timeoutMs: 5000, memoryMb: 100 }, () => now);
    now += 4999;
    expect(dog.check()).toBeUndefined();
    dog.beat(10 * 1024 * 1024);
    now += 4999;
    expect(dog.check()).toBeUndefined();
    now += 1;
    expect(dog.check()).toEqual({
      kind: 'watchdog',
      reason: 'the engine sent no heartbeat for 5000 ms (limit 5000 ms, --watchdog-ms): it was stuck',
    });
  });

  it('ends an engine over its memory cap, as its monitor thread measures it while the engine is stuck', () => {
    const now = 0;
    const dog = new Watchdog({ timeoutMs: 5000, memoryMb: 100 }, () => now);
    dog.memory(100 * 1024 * 1024);
    expect(dog.check()).toBeUndefined();
    dog.memory(101 * 1024 * 1024);
    expect(dog.check()).toEqual({
      kind: 'memory',
      reason: 'the engine used 101 MB of memory, over its cap of 100 MB (--engine-memory-mb)',
    });
  });
});
