import { createAdminApp } from '../../src/server/admin-app';
import { buildOpenApi } from '../../src/server/openapi';
import type { Role } from '../../src/store/types';
import { until } from '../helpers';
import { getFrom } from './get-from';
import { samplePath, startHarness } from './server-harness';
import type { Harness } from './server-harness';

const smaller: Record<Role, Role[]> = { viewer: [], deployer: ['viewer'], admin: ['viewer', 'deployer'] };

describe('admin API authentication', () => {
  let h: Harness;
  let routes: ReturnType<typeof createAdminApp>['routes'];
  let revoked: string;

  beforeAll(async () => {
    // Every route is tried with three bad tokens here: raise the limit so it does not cut in.
    h = await startHarness({ loginLimit: { maxFailures: 10_000, maxGlobalFailures: 10_000 } });
    const created = await h.tokens.create('admin', 'soon revoked');
    revoked = created.token;
    await h.tokens.revoke(created.info.id);
    // The route table of an app built from the same kind of deps is the table the server runs.
    const probe = createAdminApp(h.deps());
    routes = probe.routes;
    await probe.hub.close();
  });
  afterAll(() => h.close());

  it('lists every route of the contract, each with a role', () => {
    const listed = routes.map((r) => `${r.method} ${r.path} ${r.role}`).sort();
    expect(listed).toEqual(
      [
        'GET /healthz public',
        'GET /api/openapi.json viewer',
        'GET /api/flow viewer',
        'PUT /api/flow deployer',
        'POST /api/flow/validate deployer',
        'GET /api/flow/versions viewer',
        'GET /api/flow/versions/:version viewer',
        'POST /api/flow/rollback deployer',
        'GET /api/flows viewer',
        'GET /api/flows/:id viewer',
        'PUT /api/flows/:id deployer',
        'POST /api/flows/:id/validate deployer',
        'GET /api/flows/:id/versions viewer',
        'GET /api/flows/:id/versions/:version viewer',
        'POST /api/flows/:id/rollback deployer',
        'POST /api/flows/:id/disable deployer',
        'POST /api/flows/:id/enable deployer',
        'POST /api/flows/:id/nodes/:nodeId/inject deployer',
        'DELETE /api/flows/:id deployer',
        'GET /api/nodes viewer',
        'GET /editor-validators/:file public',
        'GET /api/packages viewer',
        'POST /api/packages admin',
        'DELETE /api/packages/:name admin',
        'POST /api/packages/bundle admin',
        'POST /api/resources/tools/:tool deployer',
        'GET /api/history viewer',
        'GET /api/context viewer',
        'GET /api/context/global viewer',
        'PUT /api/context/global/keys/:key deployer',
        'DELETE /api/context/global/keys/:key deployer',
        'GET /api/context/flows/:flowId viewer',
        'PUT /api/context/flows/:flowId/keys/:key deployer',
        'DELETE /api/context/flows/:flowId/keys/:key deployer',
        'GET /api/context/flows/:flowId/nodes/:nodeId viewer',
        'PUT /api/context/flows/:flowId/nodes/:nodeId/keys/:key deployer',
        'DELETE /api/context/flows/:flowId/nodes/:nodeId/keys/:key deployer',
        'GET /api/status viewer',
        'GET /metrics viewer',
        'GET /api/audit admin',
        'GET /api/tokens admin',
        'POST /api/tokens admin',
        'DELETE /api/tokens/:id admin',
        'GET /api/secrets admin',
        'PUT /api/secrets/:name admin',
        'DELETE /api/secrets/:name admin',
        'GET /api/variables viewer',
        'GET /api/variables/:name viewer',
        'PUT /api/variables/:name deployer',
        'DELETE /api/variables/:name deployer',
        'GET /api/events viewer',
      ].sort(),
    );
  });

  it('refuses a missing, a wrong and a revoked token on every protected route with 401', async () => {
    const protectedRoutes = routes.filter((r) => r.role !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(15);
    for (const route of protectedRoutes) {
      for (const token of [undefined, 'tf_wrong', revoked]) {
        const res = await h.api(samplePath(route.path), {
          method: route.method,
          token,
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 401,
        });
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(typeof res.json.error).toBe('string');
      }
    }
  });

  it('refuses a role below the route role with 403 on every route', async () => {
    let checked = 0;
    for (const route of routes) {
      if (route.role === 'public') continue;
      for (const role of smaller[route.role]) {
        const res = await h.api(samplePath(route.path), {
          method: route.method,
          token: h.token[role],
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        expect({ route: `${route.method} ${route.path}`, role, status: res.status }).toEqual({
          route: `${route.method} ${route.path}`,
          role,
          status: 403,
        });
        expect(res.json.error).toContain(route.role);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("lets a sufficient role through on every GET route, to the route's own answer", async () => {
    // What each GET route answers here once past authentication (no flow deployed, no package
    // folder, no tags asked for): the handler's own answer, with its own error text where it
    // refuses, so that a 500, a 401/403 or a route that fell through to the 404 fails.
    const refused = (status: number, error: string) => ({ status, error: expect.stringContaining(error) });
    const expected: Record<string, { status: number; error?: unknown }> = {
      'GET /healthz': { status: 200 },
      'GET /api/openapi.json': { status: 200 },
      'GET /api/flow': refused(404, 'no flow has been deployed yet'),
      'GET /api/flow/versions': { status: 200 },
      'GET /api/flow/versions/:version': refused(404, 'there is no version 1'),
      'GET /api/flows': { status: 200 },
      'GET /api/flows/:id': refused(404, 'this runtime has no flow "sample"'),
      'GET /api/flows/:id/versions': refused(404, 'this runtime has no flow "sample"'),
      'GET /api/flows/:id/versions/:version': refused(404, 'this runtime has no flow "sample"'),
      'GET /api/nodes': { status: 200 },
      'GET /editor-validators/:file': refused(404, 'reload the editor'),
      'GET /api/packages': refused(503, 'does not install node packages'),
      'GET /api/history': refused(400, 'tags is required'),
      'GET /api/context': { status: 200 },
      'GET /api/context/global': { status: 200 },
      'GET /api/context/flows/:flowId': { status: 200 },
      'GET /api/context/flows/:flowId/nodes/:nodeId': { status: 200 },
      'GET /api/status': { status: 200 },
      'GET /metrics': { status: 200 },
      'GET /api/audit': { status: 200 },
      'GET /api/tokens': { status: 200 },
      'GET /api/secrets': { status: 200 },
      'GET /api/variables': { status: 200 },
      'GET /api/variables/:name': refused(404, 'variable SAMPLE is not set on this runtime'),
      'GET /api/events': refused(426, 'WebSocket'),
    };
    const answered: Record<string, { status: number; error?: unknown }> = {};
    for (const route of routes) {
      if (route.method !== 'GET') continue;
      const token = route.role === 'public' ? undefined : h.token[route.role];
      const res = await h.api(samplePath(route.path), { token });
      answered[`${route.method} ${route.path}`] =
        res.status < 400 ? { status: res.status } : { status: res.status, error: res.json?.error };
    }
    expect(answered).toEqual(expected);
  });

  it('answers /healthz without a token and says nothing else', async () => {
    const res = await h.api('/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await h.api('/api/nope', { token: h.token.admin });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: expect.stringContaining('/api/nope') });
  });

  it('records failed logins in the audit log and the log, never with the presented token', async () => {
    // From an address of its own: the first failure of an address is written at once, later ones summed.
    const res = await getFrom(h.url, '/api/status', { token: 'tf_guessed-value-123', localAddress: '127.0.0.77' });
    expect(res.status).toBe(401);
    await until(() => h.logger.lines.some((l) => l.level === 'warn' && l.data.remoteAddress === '127.0.0.77'));
    let failed: Awaited<ReturnType<typeof h.audit.query>> = [];
    for (let i = 0; i < 100 && failed.length === 0; i++) {
      failed = (await h.audit.query({ type: 'login-failed' })).filter((e) => e.actor === '127.0.0.77');
      if (failed.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(failed[0]).toMatchObject({ type: 'login-failed', count: 1, detail: expect.stringContaining('/api/status') });
    const everything = JSON.stringify(h.logger.lines) + JSON.stringify(await h.audit.query({ limit: 10_000 }));
    expect(everything).not.toContain('tf_guessed-value-123');
    expect(everything).not.toContain(revoked);
  });

  it('serves an OpenAPI 3.1 document describing exactly the route table', async () => {
    const res = await h.api('/api/openapi.json', { token: h.token.viewer });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    const documented = Object.entries(
      res.json.paths as Record<string, Record<string, { 'x-tagflow-role': string }>>,
    ).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `${method.toUpperCase()} ${path} ${op['x-tagflow-role']}`),
    );
    const table = routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')} ${r.role}`);
    expect(documented.sort()).toEqual(table.sort());
    expect(res.json.paths['/api/flow'].put.responses).toHaveProperty('428');
    expect(buildOpenApi([], 'x')).toMatchObject({ openapi: '3.1.0', paths: {} });
  });
});

describe('failed-login rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ loginLimit: { maxFailures: 10, windowMs: 60_000 } });
  });
  afterAll(() => h.close());

  it('answers 429 with Retry-After to failures past 10, while a right token still gets in', async () => {
    for (let i = 0; i < 10; i++) expect((await h.api('/api/status', { token: `tf_wrong${i}` })).status).toBe(401);
    const blocked = await h.api('/api/status', { token: 'tf_wrong-again' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(blocked.json.error).toMatch(/too many failed logins from this address/);
    expect((await h.api('/api/status', { token: h.token.admin })).status).toBe(200);
    // /healthz stays reachable: a monitor is not locked out by someone guessing tokens.
    expect((await h.api('/healthz')).status).toBe(200);
    expect(h.logger.lines.some((l) => l.msg.includes('too many failed logins'))).toBe(true);
  });
});
