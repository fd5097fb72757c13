import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Deployer } from '../../src/admin/deployer';
import { Engine } from '../../src/engine/engine';
import { PackageManager, writeBundle } from '../../src/packages';
import { NodeRegistry } from '../../src/registry/node-registry';
import { startAdminServer } from '../../src/server/start-admin-server';
import type { RunningAdminServer } from '../../src/server/start-admin-server';
import { counter, MemoryLogger, sink } from '../helpers';
import { openStores } from '../server/server-harness';
import { packFixture, writeNodePackage } from './node-package-fixture';

/** An admin server over real stores, an engine and a package manager, in a temp data dir. */
async function startRuntime() {
  const { dataDir, flows, tokens, secrets, audit } = await openStores('tagflow-pkg-api-');
  const registry = new NodeRegistry();
  registry.registerNode(counter, { name: '@tagflow/nodes-core', version: '0.1.0' });
  registry.registerNode(sink, { name: '@tagflow/nodes-core', version: '0.1.0' });
  const logger = new MemoryLogger();
  const engine = new Engine({ registry, logger, closeTimeoutMs: 2000, dataDir });
  const packages = await PackageManager.open({
    dataDir,
    registry,
    audit,
    logger,
    offline: true,
    runningFlows: () => (engine.currentFlow ? [engine.currentFlow] : []),
  });
  const deployer = new Deployer({ engine, flows, audit, logger });
  const deps = { engine, registry, flows, tokens, secrets, audit, deployer, logger, version: 't', packages };
  const server: RunningAdminServer = await startAdminServer(deps, { host: '127.0.0.1', port: 0 });
  const token = {
    viewer: (await tokens.create('viewer', 'v')).token,
    deployer: (await tokens.create('deployer', 'ci')).token,
    admin: (await tokens.create('admin', 'ops')).token,
  };
  const call = async (route: string, init: { method?: string; token?: string; json?: unknown; tgz?: Buffer } = {}) => {
    // Installing and removing packages is for admins (package-trust.test.ts has the 403s).
    // A fresh connection each time: npm runs between calls can outlast the server's keep-alive,
    // which would close the idle socket just as fetch reuses it.
    const headers: Record<string, string> = {
      authorization: `Bearer ${init.token ?? token.admin}`,
      connection: 'close',
    };
    let body: string | Buffer | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (init.tgz) {
      headers['content-type'] = 'application/gzip';
      body = init.tgz;
    }
    const res = await fetch(server.url + route, { method: init.method ?? 'GET', headers, body });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the body's fields as the API documents them
    return { status: res.status, json: (await res.json()) as any };
  };
  const deploy = async (flow: unknown) => {
    const current = flows.current()?.version.version ?? 0;
    const res = await fetch(`${server.url}/api/flow`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token.deployer}`,
        'content-type': 'application/json',
        'if-match': `"${current}"`,
      },
      body: JSON.stringify(flow),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the body's fields as the API documents them
    return { status: res.status, json: (await res.json()) as any };
  };
  return {
    call,
    deploy,
    audit,
    token,
    hub: server.hub,
    async close() {
      await server.close();
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const fixtures = path.join(tmpdir(), `tagflow-pkg-api-fixtures-${process.pid}`);
const flowWith = (type: string) => ({
  schemaVersion: 1,
  id: 'line',
  name: 'Line 1',
  nodes: [
    { id: 'src', type: 'counter', typeVersion: 1, config: { count: 1 } },
    { id: 'calib', type, typeVersion: 1, name: 'Flow meter scale' },
    { id: 'out', type: 'sink', typeVersion: 1 },
  ],
  edges: [
    { source: 'src', target: 'calib' },
    { source: 'calib', target: 'out' },
  ],
});

describe('admin API: node packages', () => {
  let rt: Awaited<ReturnType<typeof startRuntime>>;
  beforeAll(async () => {
    // No test may reach a registry: npm answers from its cache or fails.
    process.env.npm_config_offline = 'true';
    rt = await startRuntime();
  });
  afterAll(() => rt.close());

  it('installs an uploaded .tgz, hot: GET /api/nodes shows its type and a flow using it deploys', async () => {
    const packed = packFixture(
      writeNodePackage(fixtures, { name: '@plant/calib-nodes', version: '1.0.0', types: ['calib'] }),
      fixtures,
    );
    expect((await rt.deploy(flowWith('calib'))).status).toBe(422);
    // Open editors are told, so that their palettes read the types again.
    const frames = jest.spyOn(rt.hub, 'broadcast');
    const installed = await rt.call('/api/packages', { method: 'POST', tgz: readFileSync(packed.file) });
    expect(frames).toHaveBeenCalledWith({ type: 'packages', change: 'installed', name: '@plant/calib-nodes' });
    frames.mockRestore();
    expect(installed).toMatchObject({
      status: 200,
      json: {
        status: 'installed',
        package: { name: '@plant/calib-nodes', integrity: packed.integrity, source: 'file' },
      },
    });
    const nodes = await rt.call('/api/nodes', { token: rt.token.viewer });
    expect(nodes.json.nodes.map((n: { type: string }) => n.type)).toContain('calib');
    expect((await rt.deploy(flowWith('calib'))).json).toMatchObject({ status: 'deployed' });

    const listed = await rt.call('/api/packages');
    expect(listed.json.packages).toEqual([
      expect.objectContaining({
        name: '@plant/calib-nodes',
        version: '1.0.0',
        integrity: packed.integrity,
        nodes: ['calib'],
        loaded: true,
      }),
    ]);
    expect(listed.json.builtIn).toEqual([
      { name: '@tagflow/nodes-core', version: '0.1.0', nodes: ['counter', 'sink'], resources: [] },
    ]);
    // Whose token asked: the editor offers install and remove to an admin only.
    expect(listed.json.caller).toEqual({ name: 'ops', role: 'admin' });
    expect((await rt.call('/api/packages', { token: rt.token.viewer })).json.caller).toEqual({
      name: 'v',
      role: 'viewer',
    });
    expect((await rt.audit.query()).map((e) => e.type)).toContain('package-installed');
  });

  it('refuses to remove a package in use, naming the node ids; a viewer may list but not change', async () => {
    const refused = await rt.call(`/api/packages/${encodeURIComponent('@plant/calib-nodes')}`, { method: 'DELETE' });
    expect(refused).toMatchObject({
      status: 409,
      json: {
        code: 'IN_USE',
        usedBy: ['calib'],
        // For a person: the node's label and the flow's name (the editor shows these).
        users: [
          { kind: 'node', id: 'calib', label: 'Flow meter scale', type: 'calib', flowId: 'line', flowName: 'Line 1' },
        ],
        error: expect.stringContaining('node "calib" (calib)'),
      },
    });
    expect((await rt.call('/api/packages', { token: rt.token.viewer })).status).toBe(200);
    const viewer = await rt.call(`/api/packages/${encodeURIComponent('@plant/calib-nodes')}`, {
      method: 'DELETE',
      token: rt.token.viewer,
    });
    expect(viewer.status).toBe(403);
  });

  it('refuses a package for another SDK and a broken package with 422, nothing installed', async () => {
    const future = packFixture(
      writeNodePackage(fixtures, { name: 'future-nodes', version: '1.0.0', types: ['future'], sdkRange: '>=2.0.0' }),
      fixtures,
    );
    const res = await rt.call('/api/packages', { method: 'POST', tgz: readFileSync(future.file) });
    expect(res).toMatchObject({
      status: 422,
      json: {
        code: 'REFUSED',
        error: 'future-nodes 1.0.0 needs @tagflow/node-sdk >=2.0.0 but this runtime has 0.1.0; nothing was installed',
      },
    });
    const bad = await rt.call('/api/packages', { method: 'POST', tgz: Buffer.from('garbage') });
    expect(bad.status).toBe(422);
    expect((await rt.call('/api/packages')).json.packages.map((p: { name: string }) => p.name)).toEqual([
      '@plant/calib-nodes',
    ]);
  });

  it('installs a bundle, removes an unused package, and answers 404 for one not installed', async () => {
    const packed = packFixture(
      writeNodePackage(fixtures, { name: 'spare-nodes', version: '0.3.0', types: ['spare'] }),
      fixtures,
    );
    const bundle = path.join(fixtures, 'spare.bundle.tgz');
    await writeBundle(bundle, flowWith('spare'), [{ name: 'spare-nodes', version: '0.3.0', tarball: packed.file }]);
    const res = await rt.call('/api/packages/bundle', { method: 'POST', tgz: readFileSync(bundle) });
    expect(res).toMatchObject({
      status: 200,
      json: { flowId: 'line', packages: [{ name: 'spare-nodes', version: '0.3.0', status: 'installed' }] },
    });
    const frames = jest.spyOn(rt.hub, 'broadcast');
    expect((await rt.call('/api/packages/spare-nodes', { method: 'DELETE' })).json).toEqual({
      removed: { name: 'spare-nodes', version: '0.3.0' },
    });
    expect(frames).toHaveBeenCalledWith({ type: 'packages', change: 'removed', name: 'spare-nodes' });
    frames.mockRestore();
    expect((await rt.call('/api/packages/spare-nodes', { method: 'DELETE' })).status).toBe(404);
    const unknown = await rt.call('/api/packages', {
      method: 'POST',
      json: { name: 'tagflow-test-no-such-package', version: '9.9.9' },
    });
    expect(unknown).toMatchObject({
      status: 502,
      json: {
        code: 'FETCH_FAILED',
        error: expect.stringContaining('tagflow-test-no-such-package@9.9.9 could not be packed'),
      },
    });
    expect((await rt.audit.query()).map((e) => e.type)).toContain('package-removed');
  });
});
