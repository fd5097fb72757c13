import { createLogger, formatTextLine } from '../../src';
import type { LogRecord } from '../../src';

function capture(): { stream: { write(text: string): void }; lines: () => string[] } {
  let text = '';
  return {
    stream: { write: (chunk: string) => void (text += chunk) },
    lines: () => text.split('\n').filter((l) => l !== ''),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time, msg and the record fields', () => {
    const out = capture();
    const log = createLogger({ stream: out.stream });
    log.info({ url: 'http://127.0.0.1:1990' }, 'admin API listening');
    log.error({ node: 'avg', type: 'moving-average', code: 'NOT_A_NUMBER' }, 'payload is not a number');
    log.warn({ resource: 'plc', err: new Error('ECONNREFUSED') }, 'connection lost');
    const records = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      { level: 'info', time: expect.any(String), msg: 'admin API listening', url: 'http://127.0.0.1:1990' },
      {
        level: 'error',
        time: expect.any(String),
        msg: 'payload is not a number',
        node: 'avg',
        type: 'moving-average',
        code: 'NOT_A_NUMBER',
      },
      {
        level: 'warn',
        time: expect.any(String),
        msg: 'connection lost',
        resource: 'plc',
        err: expect.objectContaining({
          message: 'ECONNREFUSED',
          stack: expect.stringContaining('Error: ECONNREFUSED'),
        }),
      },
    ]);
    for (const r of records) expect(new Date(r.time as string).toISOString()).toBe(r.time);
  });

  it('writes nothing below its level, and nothing at all when silent', () => {
    const out = capture();
    const warn = createLogger({ stream: out.stream, level: 'warn' });
    warn.debug({}, 'd');
    warn.info({}, 'i');
    warn.warn({}, 'w');
    warn.error({}, 'e');
    expect(out.lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w', 'e']);
    expect(warn.isLevelEnabled('info')).toBe(false);

    const quiet = capture();
    const silent = createLogger({ stream: quiet.stream, level: 'silent' });
    silent.error({ node: 'x' }, 'failed');
    expect(quiet.lines()).toEqual([]);
  });

  it('writes readable lines in the text format, with stacks only at level debug', () => {
    const out = capture();
    const err = new Error('boom');
    const log = createLogger({ stream: out.stream, format: 'text' });
    log.error(
      { node: 'avg', type: 'moving-average', code: 'NOT_A_NUMBER' },
      'node "avg" (moving-average): not a number',
    );
    log.info({ flowId: 'pump', added: ['a', 'b'], removed: [] }, 'deployed flow "pump"');
    log.error({ node: 'fn', err }, 'failed while closing');
    expect(out.lines()).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} error \[avg\] not a number \(NOT_A_NUMBER\)$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} info {2}deployed flow "pump" added=\["a","b"\]$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} error \[fn\] failed while closing: boom$/),
    ]);

    const verbose = capture();
    createLogger({ stream: verbose.stream, format: 'text', level: 'debug' }).error({ node: 'fn', err }, 'failed');
    expect(verbose.lines()[0]).toMatch(/\[fn\] failed: boom$/);
    expect(verbose.lines()[1]).toMatch(/^ {4}Error: boom$/);
  });

  it('colours the level only when asked', () => {
    const record = { level: 'warn', time: '2026-01-01T08:00:00.000Z', msg: 'careful' };
    expect(formatTextLine(record, { stacks: false, color: true })).toContain('\u001b[33mwarn \u001b[39m careful');
    expect(formatTextLine(record, { stacks: false, color: false })).not.toContain('\u001b');
  });

  it('tells onLog listeners what it writes, after the level and the rate limit', () => {
    const out = capture();
    const log = createLogger({ stream: out.stream, level: 'warn', rateLimit: { lines: 2, intervalMs: 60_000 } });
    const seen: LogRecord[] = [];
    const stop = log.onLog((r) => seen.push(r));
    log.info({ node: 'n' }, 'hidden'); // below the level: not told, and not counted
    for (let i = 0; i < 5; i++) log.error({ node: 'n', err: new Error(`e${i}`) }, 'failed');
    log.flush();
    stop();
    log.warn({}, 'after unsubscribing');
    expect(seen.map((r) => [r.level, r.message.slice(0, 12), r.data?.err ?? r.data?.suppressed])).toEqual([
      ['error', 'failed', 'e0'],
      ['error', 'failed', 'e1'],
      ['error', '3 more log l', 3],
    ]);
    expect(out.lines()).toHaveLength(4);
  });

  it('can be asked not to limit', () => {
    const out = capture();
    const log = createLogger({ stream: out.stream, rateLimit: false });
    for (let i = 0; i < 100; i++) log.error({ node: 'n' }, 'failed');
    expect(out.lines()).toHaveLength(100);
  });
});
