import { RateLimitedLogger } from '../../src';
import { MemoryLogger } from '../helpers';

/** A MemoryLogger that writes only from `threshold` up, as pino does. */
class LevelledLogger extends MemoryLogger {
  constructor(private readonly threshold: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
    super();
  }
  isLevelEnabled(level: string): boolean {
    const order = ['debug', 'info', 'warn', 'error'];
    return order.indexOf(level) >= order.indexOf(this.threshold);
  }
}

describe('RateLimitedLogger', () => {
  it('writes at most `lines` per node and interval, then one line with the count of the rest', () => {
    let now = 1_000_000;
    const base = new LevelledLogger();
    const log = new RateLimitedLogger(base, { lines: 3, intervalMs: 10_000 }, () => now);
    for (let i = 0; i < 50; i++) log.error({ node: 'avg', code: 'NOT_A_NUMBER' }, `bad value ${i}`);
    expect(base.lines.map((l) => l.msg)).toEqual(['bad value 0', 'bad value 1', 'bad value 2']);

    now += 10_000; // the interval is over: the next line passes, after the summary of the last one
    log.error({ node: 'avg' }, 'bad value 50');
    expect(base.lines.slice(3)).toEqual([
      {
        level: 'error',
        msg: expect.stringMatching(/^47 more log lines from node "avg" suppressed in 10 s .*the last: bad value 49$/),
        data: { node: 'avg', suppressed: 47, intervalMs: 10_000, lastMsg: 'bad value 49' },
      },
      { level: 'error', msg: 'bad value 50', data: { node: 'avg' } },
    ]);
    log.flush();
  });

  it('writes the summary when the interval ends, even if the node falls silent', async () => {
    const base = new LevelledLogger();
    const summary = new Promise<{ level: string; data: Record<string, unknown> }>((resolve) => {
      const write = base.warn.bind(base);
      base.warn = (data: object, msg?: string) => {
        write(data, msg);
        if ('suppressed' in data) resolve({ level: 'warn', data: data });
      };
    });
    const log = new RateLimitedLogger(base, { lines: 2, intervalMs: 200 });
    for (let i = 0; i < 7; i++) log.warn({ resource: 'plc' }, 'connection lost');
    expect(base.lines).toHaveLength(2);
    expect((await summary).data).toMatchObject({ resource: 'plc', suppressed: 5 });
    expect(log.trackedKeys).toBe(0);
  });

  it('limits each node and resource on its own, and never limits lines about neither', () => {
    const base = new LevelledLogger();
    const log = new RateLimitedLogger(base, { lines: 2, intervalMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      log.error({ node: 'a' }, 'a failed');
      log.error({ node: 'b' }, 'b failed');
      log.warn({ resource: 'a' }, 'resource a lost'); // a resource may share a node's id
      log.info({ flowId: 'f' }, 'deployed');
    }
    const count = (msg: string) => base.lines.filter((l) => l.msg === msg).length;
    expect([count('a failed'), count('b failed'), count('resource a lost'), count('deployed')]).toEqual([2, 2, 2, 5]);
    log.flush();
    expect(
      base.lines.filter((l) => 'suppressed' in l.data).map((l) => [l.data.node ?? l.data.resource, l.data.suppressed]),
    ).toEqual([
      ['a', 3],
      ['b', 3],
      ['a', 3],
    ]);
  });

  it('writes the summary at the most severe level it holds, and does not count lines the level hides', () => {
    const base = new LevelledLogger('warn');
    const log = new RateLimitedLogger(base, { lines: 2, intervalMs: 60_000 });
    for (let i = 0; i < 100; i++) log.info({ node: 'n' }, 'chatty'); // hidden: must not use the budget
    log.warn({ node: 'n' }, 'w1');
    log.warn({ node: 'n' }, 'w2');
    log.warn({ node: 'n' }, 'w3');
    log.error({ node: 'n' }, 'e1');
    log.warn({ node: 'n' }, 'w4');
    log.flush();
    expect(base.lines.map((l) => [l.level, l.msg.slice(0, 20)])).toEqual([
      ['warn', 'w1'],
      ['warn', 'w2'],
      ['error', '3 more log lines fro'],
    ]);
  });

  it('lets debug lines through unlimited: they are asked for to see everything', () => {
    const base = new LevelledLogger('debug');
    const log = new RateLimitedLogger(base, { lines: 2, intervalMs: 60_000 });
    for (let i = 0; i < 50; i++) log.debug({ node: 'n' }, `status ok: ${i} values`);
    log.error({ node: 'n' }, 'e1');
    log.error({ node: 'n' }, 'e2');
    log.error({ node: 'n' }, 'e3');
    log.flush();
    expect(base.lines.filter((l) => l.level === 'debug')).toHaveLength(50);
    expect(base.lines.filter((l) => l.level === 'error').map((l) => l.msg.slice(0, 6))).toEqual(['e1', 'e2', '1 more']);
  });

  it('keeps its memory bounded by maxKeys however many nodes log, writing what it forgets', () => {
    const base = new LevelledLogger();
    const log = new RateLimitedLogger(base, { lines: 1, intervalMs: 60_000, maxKeys: 100 });
    for (let n = 0; n < 5000; n++) {
      log.error({ node: `n${n}` }, 'first');
      log.error({ node: `n${n}` }, 'second');
      expect(log.trackedKeys).toBeLessThanOrEqual(100);
    }
    log.flush();
    expect(log.trackedKeys).toBe(0);
    const summaries = base.lines.filter((l) => 'suppressed' in l.data);
    // Every node's second line was suppressed and reported once, evicted or flushed.
    expect(summaries).toHaveLength(5000);
    expect(base.lines.filter((l) => l.msg === 'first')).toHaveLength(5000);
  });
});
