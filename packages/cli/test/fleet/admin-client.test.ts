import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient, AdminError } from '../../src/fleet/admin-client';
import { deployFlowsToRuntime } from '../../src/fleet/deploy-plan';
import { freePort } from '@tagflow/node-test';

const TOKEN = 'tf_test_secret_token';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in admin API answering from `handle`; records every request. */
async function fakeRuntime(handle: (req: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      handle(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url, seen, close, server };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const version = (n: number) => ({
  version: n,
  flowId: 'pump',
  hash: 'abc',
  deployedAt: '2026-01-01T00:00:00.000Z',
  deployedBy: 'first-admin',
});

/** The AdminError a promise rejects with. */
async function adminError(promise: Promise<unknown>): Promise<AdminError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AdminError) return err;
    throw err;
  }
  throw new Error('expected an AdminError');
}

describe('AdminClient', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it("reads each flow's version, and deploys it by its id with that If-Match, the token as bearer and the health window", async () => {
    const rt = await fakeRuntime((req, res) => {
      if (req.method === 'GET' && req.url === '/api/flows/pump')
        return json(res, 200, { version: version(3), flow: {}, state: 'running' }, { ETag: '"3"' });
      if (req.method === 'GET') return json(res, 404, { error: 'no flow "alarms" on this runtime' });
      json(res, 200, {
        status: 'deployed',
        version: version(req.url.startsWith('/api/flows/pump') ? 4 : 1),
        warnings: [],
      });
    });
    closers.push(rt.close);
    const target = { name: 'lab', url: rt.url, tokenEnv: 'T_LAB', labels: {}, token: TOKEN };
    const flows = [
      { id: 'pump', flow: { id: 'pump' }, file: 'pump.json' },
      { id: 'alarms', flow: { id: 'alarms' }, file: 'alarms.json' },
    ];
    const outcomes = await deployFlowsToRuntime(target, flows, { healthMs: 250 });
    expect(outcomes).toEqual([
      { status: 'deployed', version: version(4), warnings: [] },
      { status: 'deployed', version: version(1), warnings: [] },
    ]);
    expect(rt.seen.map((r) => `${r.method} ${r.url} ${r.headers['if-match'] ?? ''}`.trim())).toEqual([
      'GET /api/flows/pump',
      'PUT /api/flows/pump?healthMs=250 "3"',
      'GET /api/flows/alarms',
      'PUT /api/flows/alarms?healthMs=250 "0"',
    ]);
    expect(rt.seen.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(JSON.parse(rt.seen[1]?.body ?? '')).toEqual({ id: 'pump' });
  });

  it('lists flows, rolls one back by its id, and tells a runtime without /api/flows to be upgraded', async () => {
    const summary = {
      id: 'pump',
      name: 'Pump 3',
      state: 'running',
      version: 2,
      hash: 'h',
      deployedAt: '2026-12-04T10:00:00.000Z',
      deployedBy: 'ci',
      nodes: 4,
      counters: { in: 1, out: 1, errors: 0, dropped: 0 },
    };
    const rt = await fakeRuntime((req, res) => {
      if (req.url === '/api/flows') return json(res, 200, { flows: [summary] });
      if (req.url === '/api/flows/pump/rollback') return json(res, 200, { status: 'deployed', version: version(3) });
      json(res, 404, { error: 'no flow "ghost" on this runtime' });
    });
    closers.push(rt.close);
    const client = new AdminClient({ name: 'lab', url: rt.url, token: TOKEN });
    expect(await client.flows()).toEqual([summary]);
    expect(await client.rollbackFlow('pump', { version: 1 })).toEqual({ status: 'deployed', version: version(3) });
    expect(rt.seen[1]).toMatchObject({ method: 'POST', body: '{"version":1}' });
    const unknown = await adminError(client.rollbackFlow('ghost'));
    expect(unknown.reason).toBe('no flow "ghost" on this runtime (404)');

    const old = await fakeRuntime((req, res) => json(res, 404, { error: `there is no ${req.method} ${req.url} here` }));
    closers.push(old.close);
    const oldClient = new AdminClient({ name: 'old', url: old.url, token: TOKEN });
    expect((await adminError(oldClient.flows())).reason).toBe(
      'GET /api/flows was not found (404): this runtime is older than many flows per runtime (it has no /api/flows); upgrade it',
    );
    const target = { name: 'old', url: old.url, tokenEnv: 'T_OLD', labels: {}, token: TOKEN };
    expect(await deployFlowsToRuntime(target, [{ id: 'pump', flow: {}, file: 'p.json' }], {})).toEqual([
      {
        status: 'failed',
        error:
          'PUT /api/flows/pump was not found (404): this runtime is older than many flows per runtime (it has no /api/flows); upgrade it',
      },
    ]);
  });

  it('sends no flow when the bundle is refused: every flow of the runtime gets the reason', async () => {
    const rt = await fakeRuntime((_req, res) =>
      json(res, 422, { error: 'the bundle was refused, nothing was installed: it is damaged', code: 'BUNDLE_INVALID' }),
    );
    closers.push(rt.close);
    const target = { name: 'lab', url: rt.url, tokenEnv: 'T_LAB', labels: {}, token: TOKEN };
    const flows = [
      { id: 'pump', flow: { id: 'pump' }, file: 'b.tgz' },
      { id: 'alarms', flow: { id: 'alarms' }, file: 'b.tgz' },
    ];
    const outcomes = await deployFlowsToRuntime(target, flows, { bundles: [Buffer.from('tgz')] });
    const failed = {
      status: 'failed',
      error:
        'the bundle was not installed, so no flow was sent: the bundle was refused, nothing was installed: it is damaged',
    };
    expect(outcomes).toEqual([failed, failed]);
    expect(rt.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/packages/bundle']);
  });

  it("asks for one flow's status, keeping the engine and the flows of the answer", async () => {
    const rt = await fakeRuntime((_req, res) =>
      json(res, 200, {
        flow: { id: 'alarms', version: 1, hash: 'h' },
        flows: [],
        engine: { state: 'running', pid: 7 },
        nodes: {},
        uptimeSeconds: 3,
      }),
    );
    closers.push(rt.close);
    const status = await new AdminClient({ name: 'lab', url: rt.url, token: TOKEN }).status('alarms');
    expect(rt.seen[0]?.url).toBe('/api/status?flow=alarms');
    expect(status).toMatchObject({ flows: [], engine: { state: 'running', pid: 7 } });
  });

  it('sends If-Match "0" to a runtime without a flow, and returns rejections, conflicts and rollbacks as outcomes', async () => {
    const answers = [
      [
        422,
        {
          status: 'rejected',
          errors: [{ code: 'UNKNOWN_NODE_TYPE', message: 'node "x" (mystery): no such type', path: '/nodes/0/type' }],
        },
      ],
      [409, { status: 'conflict', current: 7 }],
      [422, { status: 'rolled-back', failedVersion: version(2), restored: version(1), reason: 'node "fn" failed' }],
    ] as const;
    let put = 0;
    const rt = await fakeRuntime((req, res) => {
      if (req.method === 'GET') return json(res, 404, { error: 'no flow "pump" on this runtime' });
      const [status, body] = answers[put++ % answers.length];
      json(res, status, body);
    });
    closers.push(rt.close);
    const target = { name: 'lab', url: rt.url, tokenEnv: 'T_LAB', labels: {}, token: TOKEN };
    const outcomes = [];
    const flows = [{ id: 'pump', flow: {}, file: 'pump.json' }];
    for (let i = 0; i < answers.length; i++) outcomes.push(...(await deployFlowsToRuntime(target, flows, {})));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'conflict', 'rolled-back']);
    expect(rt.seen.filter((r) => r.method === 'PUT').map((r) => [r.url, r.headers['if-match']])).toEqual([
      ['/api/flows/pump', '"0"'],
      ['/api/flows/pump', '"0"'],
      ['/api/flows/pump', '"0"'],
    ]);
  });

  it('keeps a path prefix of the URL (a reverse proxy) and posts rollbacks', async () => {
    const rt = await fakeRuntime((_req, res) =>
      json(res, 200, { status: 'deployed', version: { ...version(5), note: 'rollback to 3' } }),
    );
    closers.push(rt.close);
    const outcome = await new AdminClient({ name: 'lab', url: `${rt.url}/edge/b1`, token: TOKEN }).rollback({
      version: 3,
    });
    expect(outcome).toMatchObject({ status: 'deployed', version: { version: 5 } });
    expect(rt.seen[0]).toMatchObject({ method: 'POST', url: '/edge/b1/api/flow/rollback', body: '{"version":3}' });
  });

  it('explains a refused token, naming the variable but never the token', async () => {
    const rt = await fakeRuntime((_req, res) => json(res, 401, { error: 'invalid token' }));
    closers.push(rt.close);
    const err = await adminError(
      new AdminClient({ name: 'lab', url: rt.url, token: TOKEN, tokenEnv: 'T_LAB' }).status(),
    );
    expect(err.message).toBe(`lab (${rt.url}): the token was refused (401); check T_LAB`);
    expect(err).toMatchObject({ kind: 'http', httpStatus: 401 });
    expect(JSON.stringify(err) + err.message + err.stack).not.toContain(TOKEN);
  });

  it.each([
    [
      403,
      { error: 'this needs the deployer role' },
      "the token's role does not allow this (403): this needs the deployer role",
    ],
    [429, { error: 'slow down' }, 'too many failed logins from here; the runtime refuses for a while (429)'],
    [500, { error: 'disk full' }, 'GET /api/status failed (500): disk full'],
    [502, '<html>Bad Gateway</html>', 'GET /api/status failed (502): <html>Bad Gateway</html>'],
  ])('explains HTTP %d in plain words', async (status, body, reason) => {
    const rt = await fakeRuntime((_req, res) => {
      res.writeHead(status);
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    closers.push(rt.close);
    const err = await adminError(new AdminClient({ name: 'lab', url: rt.url, token: TOKEN }).status());
    expect(err.reason).toBe(reason);
  });

  it('says "connection refused" when nothing listens', async () => {
    const port = await freePort();
    const err = await adminError(
      new AdminClient({ name: 'plant-a-l1', url: `http://127.0.0.1:${port}`, token: TOKEN }).status(),
    );
    expect(err.message).toBe(`plant-a-l1 (http://127.0.0.1:${port}): connection refused`);
    expect(err.kind).toBe('unreachable');
  });

  it('gives up on a runtime that does not answer in time', async () => {
    const rt = await fakeRuntime(() => {
      // Never answers.
    });
    closers.push(async () => {
      rt.server.closeAllConnections();
      await rt.close();
    });
    const started = Date.now();
    const err = await adminError(
      new AdminClient({ name: 'lab', url: rt.url, token: TOKEN }, { requestTimeoutMs: 300 }).status(),
    );
    expect(err.reason).toBe('no answer within 0.3s');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('waits for the health window on top of the request timeout', async () => {
    const rt = await fakeRuntime((req, res) => {
      if (req.method === 'GET') return json(res, 404, {});
      setTimeout(() => json(res, 200, { status: 'deployed', version: version(1) }), 500);
    });
    closers.push(rt.close);
    const client = new AdminClient({ name: 'lab', url: rt.url, token: TOKEN }, { requestTimeoutMs: 200 });
    await expect(client.deploy({}, { expectedVersion: 0, healthMs: 400 })).resolves.toMatchObject({
      status: 'deployed',
    });
  });

  it('does not mistake another web server for a runtime', async () => {
    const rt = await fakeRuntime((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>router login</html>');
    });
    closers.push(rt.close);
    const err = await adminError(new AdminClient({ name: 'lab', url: rt.url, token: TOKEN }).status());
    expect(err.reason).toBe('GET /api/status: no nodes in the answer; is this a tagflow runtime of the same version?');
  });
});

/** A port nothing listens on (taken and released). */
