import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineResource } from '@tagflow/node-sdk';
import type { Clock, NodeStatus, ResourceContext } from '@tagflow/node-sdk';
import { FilesFolder } from '../src/engine/files-folder';
import { MAX_BACKOFF_MS, ResourceRunner, backoffDelay } from '../src/engine/resource-runner';
import { MemoryLogger } from './helpers';

/** A clock whose timers the test fires by hand: the retry schedule is read, never waited for. */
class HandClock implements Clock {
  time = 0;
  timers: Array<{ callback: () => void; ms: number; due: number; live: boolean }> = [];
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number) {
    const timer = { callback, ms, due: this.time + ms, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }
  setInterval(): never {
    throw new Error('the resource runner uses no interval');
  }
  /** Fires the earliest live timer, moving time to it; its delay. */
  fireNext(): number {
    const live = this.timers.filter((t) => t.live).sort((a, b) => a.due - b.due);
    const next = live[0];
    if (!next) throw new Error('no timer is set');
    next.live = false;
    this.time = next.due;
    next.callback();
    return next.ms;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function runnerFor(create: (ctx: ResourceContext) => Promise<object> | object, connectTimeoutMs?: number) {
  const clock = new HandClock();
  const statuses: NodeStatus[] = [];
  const definition = defineResource({
    type: 'peer',
    version: 1,
    description: 'a peer the test controls',
    configSchema: { type: 'object' },
    connectTimeoutMs,
    create,
  });
  const runner = new ResourceRunner({ id: 'p', type: 'peer' }, definition, {
    logger: new MemoryLogger(),
    clock,
    dataDir: mkdtempSync(join(tmpdir(), 'tagflow-backoff-')),
    files: new FilesFolder(mkdtempSync(join(tmpdir(), 'tagflow-backoff-files-'))),
    closeTimeoutMs: 1000,
    secret: () => undefined,
    status: (_runner, status) => statuses.push(status),
  });
  return { runner, clock, statuses };
}

describe('reconnect schedule', () => {
  afterEach(() => jest.restoreAllMocks());

  it('never waits longer than the cap, jitter included', () => {
    // Highest jitter (125 %): below the cap it shows; at the cap it is cut, not added on top.
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, 0.999999))).toEqual([
      625, 1250, 2500, 5000, 10000, 20000, 30000, 30000, 30000,
    ]);
    // Lowest jitter (75 %): a peer down for long is retried every 22.5 s at the soonest.
    expect([1, 7, 20].map((n) => backoffDelay(n, 0))).toEqual([375, 22500, 22500]);
    for (let n = 1; n < 60; n++)
      for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) expect(backoffDelay(n, r)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
  });

  it('retries a peer that stays down at most every 30 s, on the node clock', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    const { runner, clock, statuses } = runnerFor(() => {
      throw new Error('connection refused');
    });
    runner.start();
    await settle();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      delays.push(clock.fireNext());
      await settle();
    }
    expect(delays).toEqual([625, 1250, 2500, 5000, 10000, 20000, 30000, 30000, 30000, 30000, 30000, 30000]);
    // The status's countdown says the same: 37.5 s was shown (and waited) for a 30 s cap before.
    expect(statuses.at(-1)?.text).toBe('retry in 30.0 s: connection refused');
    await runner.close();
  });

  it('gives up a connect the peer accepts but never answers, shown as stalled, and tries again', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    let attempts = 0;
    let aborted = 0;
    const { runner, clock, statuses } = runnerFor((ctx) => {
      attempts++;
      ctx.signal.addEventListener('abort', () => aborted++);
      // Answers from the third attempt on; the first two hang, as a hung database would.
      return attempts >= 3 ? {} : new Promise<object>(() => undefined);
    }, 5000);
    runner.start();
    await settle();
    expect(statuses.at(-1)).toEqual({ state: 'connecting', text: 'connecting' });
    expect(clock.fireNext()).toBe(5000); // the connect timeout
    await settle();
    expect(aborted).toBe(1);
    expect(statuses.at(-1)).toEqual({
      state: 'reconnecting',
      text: 'retry in 0.5 s: stalled: the peer did not answer within 5 s',
    });
    expect(runner.failure).toBe('stalled: the peer did not answer within 5 s');
    expect(clock.fireNext()).toBe(500); // the retry
    await settle();
    expect(clock.fireNext()).toBe(5000); // the second attempt hangs too
    await settle();
    expect(statuses.at(-1)?.text).toBe('retry in 1.0 s: stalled: the peer did not answer within 5 s');
    expect(clock.fireNext()).toBe(1000);
    await settle();
    expect(runner.current).toBeDefined();
    expect(statuses.at(-1)).toEqual({ state: 'ok', text: 'connected' });
    await runner.close();
  });
});
