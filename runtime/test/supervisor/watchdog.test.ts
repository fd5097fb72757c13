import { Watchdog } from '../../src/supervisor/watchdog';

/** Moves the clock by `ms`, checking every 250 ms as the supervisor does; the last verdict. */
function checkedFor(dog: Watchdog, clock: { now: number }, ms: number) {
  let verdict;
  for (let left = ms; left > 0; left -= 250) {
    clock.now += Math.min(250, left);
    verdict = dog.check();
  }
  return verdict;
}

describe('watchdog', () => {
  it('ends an engine that sent no heartbeat for its timeout, not before', () => {
    const clock = { now: 1000 };
    const dog = new Watchdog({ timeoutMs: 5000, memoryMb: 100 }, () => clock.now);
    expect(checkedFor(dog, clock, 4999)).toBeUndefined();
    dog.beat(10 * 1024 * 1024);
    expect(checkedFor(dog, clock, 4999)).toBeUndefined();
    expect(checkedFor(dog, clock, 1)).toEqual({
      kind: 'watchdog',
      reason: 'the engine sent no heartbeat for 5000 ms (limit 5000 ms, --watchdog-ms): it was stuck',
    });
  });

  it("does not count the supervisor's own stall as the engine's silence", () => {
    const clock = { now: 0 };
    const dog = new Watchdog({ timeoutMs: 5000, memoryMb: 100 }, () => clock.now);
    expect(checkedFor(dog, clock, 1000)).toBeUndefined();
    // The supervisor's loop stops for 11 s (a heap snapshot): the engine's heartbeats wait unread.
    clock.now += 11_000;
    expect(dog.check()).toBeUndefined();
    dog.beat(0);
    // An engine that really stopped is still ended once its silence after the stall is long enough.
    expect(checkedFor(dog, clock, 4999)).toBeUndefined();
    expect(checkedFor(dog, clock, 1)?.kind).toBe('watchdog');
  });

  it('still ends an engine silent before and after a stall of the supervisor, counting both', () => {
    const clock = { now: 0 };
    const dog = new Watchdog({ timeoutMs: 5000, memoryMb: 100 }, () => clock.now);
    expect(checkedFor(dog, clock, 3000)).toBeUndefined();
    clock.now += 11_000;
    expect(dog.check()).toBeUndefined();
    // 3,000 ms before, one check period of the stall, then 1,500 ms after: 4,750 ms of silence.
    expect(checkedFor(dog, clock, 1500)).toBeUndefined();
    expect(checkedFor(dog, clock, 250)?.kind).toBe('watchdog');
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
