import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/store';

const freshDataDir = () => mkdtempSync(join(tmpdir(), 'tagflow-audit-log-test-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AuditLog', () => {
  it('appends events as JSON lines with their time, and queries them oldest first', async () => {
    const dir = freshDataDir();
    const log = await AuditLog.open(dir);
    expect(await log.query()).toEqual([]);
    await log.append({ type: 'start', actor: 'boot', detail: 'runtime started' });
    await log.append({ type: 'deploy', actor: 'ci', detail: 'deployed version 1', data: { version: 1 } });

    const events = await log.query();
    expect(events.map((e) => e.type)).toEqual(['start', 'deploy']);
    expect(events[1]).toMatchObject({ actor: 'ci', detail: 'deployed version 1', data: { version: 1 } });
    expect(Date.parse(events[0].time)).not.toBeNaN();
    const lines = readFileSync(join(dir, 'audit.log'), 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0])).toEqual(events[0]);
    expect(statSync(join(dir, 'audit.log')).mode & 0o777).toBe(0o600);
  });

  it('keeps events across reopen, appending after them', async () => {
    const dir = freshDataDir();
    await (await AuditLog.open(dir)).append({ type: 'start', actor: 'boot', detail: 'first run' });
    const log = await AuditLog.open(dir);
    await log.append({ type: 'stop', actor: 'boot', detail: 'stopping' });
    expect((await log.query()).map((e) => e.detail)).toEqual(['first run', 'stopping']);
  });

  it('keeps call order for overlapping appends', async () => {
    const log = await AuditLog.open(freshDataDir());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => log.append({ type: 'deploy', actor: 'ci', detail: String(i) })),
    );
    expect((await log.query()).map((e) => e.detail)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it('filters by type, since (epoch ms or ISO) and limit (the newest N)', async () => {
    const log = await AuditLog.open(freshDataDir());
    await log.append({ type: 'login-failed', actor: '10.0.0.9', detail: 'bad token' });
    await sleep(5);
    const middle = Date.now();
    await log.append({ type: 'deploy', actor: 'ci', detail: 'v1' });
    await log.append({ type: 'login-failed', actor: '10.0.0.9', detail: 'bad token again' });
    await log.append({ type: 'deploy', actor: 'ci', detail: 'v2' });

    expect((await log.query({ type: 'deploy' })).map((e) => e.detail)).toEqual(['v1', 'v2']);
    expect((await log.query({ since: middle })).map((e) => e.detail)).toEqual(['v1', 'bad token again', 'v2']);
    const iso = new Date(middle).toISOString() as unknown as number; // a query-string value passed through
    expect(await log.query({ since: iso })).toHaveLength(3);
    expect((await log.query({ limit: 2 })).map((e) => e.detail)).toEqual(['bad token again', 'v2']);
    expect((await log.query({ type: 'login-failed', limit: 1 })).map((e) => e.detail)).toEqual(['bad token again']);
    expect(await log.query({ limit: 0 })).toEqual([]);
    await expect(log.query({ since: 'yesterday' as unknown as number })).rejects.toThrow('invalid "since" "yesterday"');
  });

  it('defaults to the newest 1000 events', async () => {
    const dir = freshDataDir();
    appendFileSync(
      join(dir, 'audit.log'),
      Array.from(
        { length: 1005 },
        (_, i) =>
          `${JSON.stringify({ time: new Date(i).toISOString(), type: 'deploy', actor: 'ci', detail: String(i) })}\n`,
      ).join(''),
    );
    const events = await (await AuditLog.open(dir)).query();
    expect(events).toHaveLength(1000);
    expect(events[0].detail).toBe('5');
  });

  it('skips a last line torn by a crash, and the next event still gets its own line', async () => {
    const dir = freshDataDir();
    await (await AuditLog.open(dir)).append({ type: 'start', actor: 'boot', detail: 'before the crash' });
    appendFileSync(join(dir, 'audit.log'), '{"time":"2024-01-01T00:00:00.000Z","type":"depl');

    const log = await AuditLog.open(dir);
    expect((await log.query()).map((e) => e.detail)).toEqual(['before the crash']);
    await log.append({ type: 'start', actor: 'boot', detail: 'after the crash' });
    expect((await log.query()).map((e) => e.detail)).toEqual(['before the crash', 'after the crash']);
  });

  it('skips a torn last line even when read before any reopen', async () => {
    const dir = freshDataDir();
    const log = await AuditLog.open(dir);
    await log.append({ type: 'start', actor: 'boot', detail: 'ok' });
    appendFileSync(join(dir, 'audit.log'), '{"time":"2024');
    expect((await log.query()).map((e) => e.detail)).toEqual(['ok']);
  });
});
