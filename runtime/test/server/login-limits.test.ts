import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FailedLoginAudit } from '../../src/server/failed-login-audit';
import { startAdminServer } from '../../src/server/start-admin-server';
import { addressGroup, FailedLoginLimiter } from '../../src/server/login-limiter';
import { AuditLog } from '../../src/store';
import type { AuditEvent } from '../../src/store';
import { MemoryLogger, until } from '../helpers';
import { agentFrom, getFrom } from './get-from';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

/** A second server over the harness's stores, with an audit log of its own to measure. */
async function serverWithOwnAudit(h: Harness) {
  const dir = await mkdtemp(join(tmpdir(), 'tagflow-login-limits-'));
  const audit = await AuditLog.open(dir);
  const server = await startAdminServer({ ...h.deps(), audit }, { host: '127.0.0.1', port: 0 });
  const path = join(dir, 'audit.log');
  const lines = async () =>
    (await readFile(path, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);
  return { server, audit, path, lines, remove: () => rm(dir, { recursive: true, force: true }) };
}

describe('sign-in limits (default budgets)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('lets the admin in from 127.0.0.1 after 200 bad tokens from 127.0.0.1', async () => {
    const agent = agentFrom('127.0.0.1');
    const statuses = new Set<number>();
    for (let i = 0; i < 200; i++)
      statuses.add((await getFrom(h.url, '/api/status', { token: `tf_bad${i}`, agent })).status);
    expect([...statuses].sort()).toEqual([401, 429]);
    const admin = await getFrom(h.url, '/api/status', { token: h.token.admin, agent });
    expect(admin.status).toBe(200);
    agent.destroy();
  });

  it('limits bad tokens from 200 loopback addresses by the global budget, and a valid token still passes', async () => {
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    for (let x = 2; x <= 201; x++) {
      const res = await getFrom(h.url, '/api/status', { token: `tf_bad${x}`, localAddress: `127.0.0.${x}` });
      statuses.push(res.status);
      if (res.status === 429) retryAfter ??= res.headers['retry-after'];
    }
    // Each address failed once: only the budget of all addresses together (100 a minute) can refuse them.
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(100).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    for (const from of ['127.0.0.1', '127.0.0.150', '127.0.0.250']) {
      const res = await getFrom(h.url, '/api/status', { token: h.token.viewer, localAddress: from });
      expect({ from, status: res.status }).toEqual({ from, status: 200 });
    }
    const fresh = await getFrom(h.url, '/api/status', { token: 'tf_bad', localAddress: '127.0.0.250' });
    expect(fresh.status).toBe(429);
    expect(fresh.text).toMatch(/too many failed logins on this runtime/);
  });

  it('lets a valid token open the events WebSocket from a limited address, and refuses bad ones with 429', async () => {
    const agent = agentFrom('127.0.0.1');
    for (let i = 0; i < 20; i++) await getFrom(h.url, '/api/status', { token: `tf_bad${i}`, agent });
    agent.destroy();
    const upgrade = (token: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/api/events`, {
          headers: { authorization: `Bearer ${token}` },
          localAddress: '127.0.0.1',
        });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', reject);
      });
    expect(await upgrade('tf_bad')).toBe(429);
    expect(await upgrade(h.token.viewer)).toBe(101);
  });

  it('sums 5,000 failures into a few audit lines whose counts add up to 5,000', async () => {
    const own = await serverWithOwnAudit(h);
    const before = (await stat(own.path).catch(() => ({ size: 0 }))).size;
    const agent = agentFrom('127.0.0.1');
    const url = own.server.url;
    for (let i = 0; i < 5000; i++) await getFrom(url, '/api/status', { token: `tf_bad${i}`, agent });
    agent.destroy();
    await own.server.close(); // a graceful stop writes the sums still open
    const failed = (await own.lines()).filter((e) => e.type === 'login-failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.length).toBeLessThanOrEqual(6);
    expect(failed.reduce((sum, e) => sum + (e.count ?? 1), 0)).toBe(5000);
    expect(failed.every((e) => e.actor === '127.0.0.1')).toBe(true);
    const grown = (await stat(own.path)).size - before;
    expect(grown).toBeLessThan(5000); // was +493 KB: one fsynced line per failure
    await own.remove();
  });

  it('writes failures refused by the global budget into one "many addresses" sum', async () => {
    const own = await serverWithOwnAudit(h);
    for (let x = 2; x <= 151; x++)
      await getFrom(own.server.url, '/api/status', { token: 'tf_bad', localAddress: `127.0.0.${x}` });
    await own.server.close();
    const failed = (await own.lines()).filter((e) => e.type === 'login-failed');
    expect(failed.filter((e) => e.count === 1)).toHaveLength(100);
    expect(failed.filter((e) => e.actor === 'many addresses')).toEqual([
      expect.objectContaining({ count: 50, data: expect.objectContaining({ refused: 50 }) }),
    ]);
    expect(failed.reduce((sum, e) => sum + (e.count ?? 1), 0)).toBe(150);
    await own.remove();
  });
});

describe('FailedLoginAudit', () => {
  it('writes the sum of a window when the window ends, not only at a stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tagflow-login-audit-'));
    const audit = await AuditLog.open(dir);
    const failures = new FailedLoginAudit({ audit, logger: new MemoryLogger() }, { windowMs: 200 });
    const failure = { address: '2001:db8::7', key: '2001:db8::/64', reason: 'no bearer token', what: 'GET /api/flow' };
    for (let i = 0; i < 5; i++) failures.record(failure);
    failures.record({ ...failure, address: '2001:db8::8', refusedBy: 'address' });
    let events: AuditEvent[] = [];
    await until(() => {
      void audit.query().then((e) => (events = e));
      return events.length === 2;
    });
    expect(events).toEqual([
      expect.objectContaining({ actor: '2001:db8::7', count: 1, detail: 'no bearer token on GET /api/flow' }),
      expect.objectContaining({ actor: '2001:db8::/64', count: 5, data: expect.objectContaining({ refused: 1 }) }),
    ]);
    await failures.settled();
    expect(await audit.query()).toHaveLength(2); // nothing left to write at the stop
    await rm(dir, { recursive: true, force: true });
  });
});

describe('FailedLoginLimiter', () => {
  it('groups IPv6 addresses by /64 and IPv4 (also IPv4-mapped) by address', () => {
    expect(addressGroup('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('2001:db8:0:1:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('2001:0db8:0000:0001::9%eth0')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressGroup('10.1.2.3')).toBe('10.1.2.3');
  });

  it('limits a whole /64 together, and frees it a window after its last counted failure', () => {
    let now = 0;
    const limiter = new FailedLoginLimiter({ maxFailures: 3, maxGlobalFailures: 100, windowMs: 1000, now: () => now });
    for (let i = 1; i <= 3; i++) expect(limiter.fail(`2001:db8::${i}`).retryAfter).toBe(0);
    expect(limiter.fail('2001:db8::ff')).toMatchObject({ refusedBy: 'address', retryAfter: 1 });
    expect(limiter.fail('2001:db8:0:2::1').retryAfter).toBe(0);
    now = 1001;
    expect(limiter.fail('2001:db8::ff').retryAfter).toBe(0);
  });

  it('holds at most maxAddresses addresses, forgetting the least recently failed one', () => {
    const limiter = new FailedLoginLimiter({ maxFailures: 2, maxGlobalFailures: 1e6, maxAddresses: 50 });
    limiter.fail('10.0.0.1');
    limiter.fail('10.0.0.1');
    for (let i = 0; i < 1000; i++) limiter.fail(`10.1.${i >> 8}.${i & 255}`);
    expect(limiter.trackedAddresses).toBe(50);
    expect(limiter.fail('10.0.0.1').retryAfter).toBe(0); // forgotten at the cap: free again, within the global budget
    expect(limiter.fail('10.1.3.231').refusedBy).toBeUndefined();
    expect(limiter.fail('10.1.3.231').refusedBy).toBe('address');
  });
});
