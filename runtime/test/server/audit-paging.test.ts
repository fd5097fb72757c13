import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdminServer } from '../../src/server/start-admin-server';
import type { RunningAdminServer } from '../../src/server/start-admin-server';
import { AuditLog } from '../../src/store';
import type { AuditEvent } from '../../src/store';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

describe('GET /api/audit paging over a rotated log', () => {
  let h: Harness;
  let server: RunningAdminServer;
  let dir: string;
  let audit: AuditLog;

  beforeAll(async () => {
    h = await startHarness();
    dir = await mkdtemp(join(tmpdir(), 'tagflow-audit-paging-'));
    audit = await AuditLog.open(dir, { maxBytes: 3000, files: 5 });
    for (let i = 0; i < 120; i++)
      await audit.append({ type: i % 4 === 0 ? 'rollback' : 'deploy', actor: 'ci', detail: `event ${i}` });
    server = await startAdminServer({ ...h.deps(), audit }, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${h.token.admin}` } });
    return { status: res.status, headers: res.headers, json: await res.json() };
  };

  /** The whole log, read straight from its files, oldest first. */
  async function wholeLog(): Promise<AuditEvent[]> {
    const names = (await readdir(dir)).sort((a, b) => Number(b.split('.')[2] ?? 0) - Number(a.split('.')[2] ?? 0));
    const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
    return texts.flatMap((t) =>
      t
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent),
    );
  }

  it('follows X-Next-Cursor (and Link rel="next") through pages that together equal the log, in order', async () => {
    expect((await readdir(dir)).length).toBeGreaterThanOrEqual(3);
    const pages: AuditEvent[][] = [];
    let path: string | undefined = '/api/audit?limit=9';
    while (path) {
      const res = await get(path);
      expect(res.status).toBe(200);
      pages.unshift(res.json as AuditEvent[]);
      const next = res.headers.get('x-next-cursor');
      const link = res.headers.get('link');
      if (next === null) {
        expect(link).toBeNull();
        path = undefined;
      } else {
        path = /^<([^>]+)>; rel="next"$/.exec(link ?? '')?.[1];
        expect(path).toBe(`/api/audit?limit=9&before=${next}`);
      }
    }
    expect(pages.length).toBeGreaterThan(3);
    expect(pages.flat()).toEqual(await wholeLog());
  });

  it('keeps the type filter on every page', async () => {
    const first = await get('/api/audit?type=rollback&limit=5');
    const link = first.headers.get('link');
    expect(link).toMatch(/type=rollback/);
    const second = await get(/^<([^>]+)>/.exec(link ?? '')![1]);
    const both = [...(second.json as AuditEvent[]), ...(first.json as AuditEvent[])];
    expect(both).toEqual((await wholeLog()).filter((e) => e.type === 'rollback').slice(-10));
  });

  it('answers a cursor that is not one with 400, and one whose events were rotated away with 410', async () => {
    const bad = await get('/api/audit?before=yesterday');
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toMatch(/is not a cursor: pass the X-Next-Cursor of an earlier page/);
    const oldest = (await get('/api/audit?limit=1')).headers.get('x-next-cursor')!;
    for (let i = 0; i < 200; i++) await audit.append({ type: 'deploy', actor: 'ci', detail: `later ${i}` });
    const gone = await get(`/api/audit?before=${oldest}`);
    expect(gone.status).toBe(410);
    expect((gone.json as { error: string }).error).toMatch(/no longer in the audit log \(rotated away\)/);
  });
});
