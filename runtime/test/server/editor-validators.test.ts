import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadValidatorModule } from '@tagflow/flow-model';
import { Deployer } from '../../src/admin/deployer';
import { Engine } from '../../src/engine/engine';
import { PackageManager } from '../../src/packages';
import { NodeRegistry } from '../../src/registry/node-registry';
import { startAdminServer } from '../../src/server/start-admin-server';
import type { RunningAdminServer } from '../../src/server/start-admin-server';
import { counter, MemoryLogger } from '../helpers';
import { packFixture, writeNodePackage } from '../packages/node-package-fixture';
import { openStores } from './server-harness';

// The editor's config validators, compiled by the runtime for its installed types: a module at a
// URL named by its content, which only GET /api/nodes (signed in) reveals, fetched without a token.

async function startRuntime() {
  const { dataDir, flows, tokens, secrets, audit } = await openStores('tagflow-editor-validators-');
  const registry = new NodeRegistry();
  registry.registerNode(counter, { name: '@tagflow/nodes-core', version: '0.1.0' });
  const logger = new MemoryLogger();
  const engine = new Engine({ registry, logger, closeTimeoutMs: 2000, dataDir });
  const packages = await PackageManager.open({
    dataDir,
    registry,
    audit,
    logger,
    offline: true,
    runningFlows: () => [],
  });
  const deployer = new Deployer({ engine, flows, audit, logger });
  const deps = { engine, registry, flows, tokens, secrets, audit, deployer, logger, version: 't', packages };
  const server: RunningAdminServer = await startAdminServer(deps, { host: '127.0.0.1', port: 0 });
  const admin = (await tokens.create('admin', 'ops')).token;
  const viewer = (await tokens.create('viewer', 'v')).token;
  return {
    url: server.url,
    admin,
    viewer,
    async close() {
      await server.close();
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A GET on a fresh connection: npm runs during an install can outlast the server's keep-alive,
 * which would close an idle socket just as fetch reuses it.
 */
function get(url: string, token?: string, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { connection: 'close', ...extra };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(url, { headers });
}

/** The module's default export, as the browser's import() gets it (jest runs CommonJS). */
function factoryOf(code: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- stands in for the browser's import()
  return new Function(code.replace('export default function', 'return function'))() as unknown;
}

describe('GET /editor-validators/<sha256>.js', () => {
  let rt: Awaited<ReturnType<typeof startRuntime>>;
  const fixtures = path.join(tmpdir(), `tagflow-editor-validators-fixtures-${process.pid}`);
  beforeAll(async () => {
    // No test may reach a registry: npm answers from its cache or fails.
    process.env.npm_config_offline = 'true';
    rt = await startRuntime();
  });
  afterAll(async () => {
    await rt.close();
    await rm(fixtures, { recursive: true, force: true });
  });

  const nodesUrl = async () => {
    const res = await get(`${rt.url}/api/nodes`, rt.viewer);
    expect(res.status).toBe(200);
    return ((await res.json()) as { validators: string }).validators;
  };

  it('is named in GET /api/nodes, served without a token, named by the sha256 of its code, cached for good', async () => {
    const url = await nodesUrl();
    expect(url).toMatch(/^editor-validators\/[0-9a-f]{64}\.js$/);
    const res = await get(`${rt.url}/${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const code = await res.text();
    const { createHash } = await import('node:crypto');
    expect(url).toBe(`editor-validators/${createHash('sha256').update(code).digest('hex')}.js`);
    // Nothing to fetch but itself: ajv's helpers come from the editor's bundle, through the factory.
    expect(code).not.toMatch(/\brequire\(|\bimport\b/);
    expect(code).toMatch(/^export default function \(runtimeModule\)/m);
    // Compressed for who accepts it (fetch unpacks it), as it is for who does not.
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const again = await get(`${rt.url}/${url}`, undefined, { 'accept-encoding': accept });
      expect(again.headers.get('content-encoding')).toBe(encoding);
      expect(again.headers.get('vary')).toBe('Accept-Encoding');
      expect(await again.text()).toBe(code);
    }
    // The same catalog gives the same module.
    expect(await nodesUrl()).toBe(url);
    // The module's validators run, with ajv's errors (all of them, verbose).
    const validators = [...loadValidatorModule(factoryOf(code)).values()];
    // The counter's config and a subflow's empty parameters.
    expect(validators.length).toBeGreaterThanOrEqual(2);
  });

  it('answers 404 in words for a module it does not have, and for anything but a sha256 name', async () => {
    for (const name of ['0'.repeat(64) + '.js', 'sample', `${'a'.repeat(64)}.js.map`]) {
      const res = await get(`${rt.url}/editor-validators/${name}`);
      expect(res.status).toBe(404);
    }
    const res = await get(`${rt.url}/editor-validators/${'0'.repeat(64)}.js`);
    expect(((await res.json()) as { error: string }).error).toMatch(/reload the editor/);
  });

  it('changes its URL when a package is installed, and still serves the one an open editor holds', async () => {
    const before = await nodesUrl();
    const packed = packFixture(
      writeNodePackage(fixtures, { name: '@plant/calib-nodes', version: '1.0.0', types: ['calib'] }),
      fixtures,
    );
    const installed = await fetch(`${rt.url}/api/packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rt.admin}`, 'content-type': 'application/gzip', connection: 'close' },
      body: readFileSync(packed.file),
    });
    expect(installed.status).toBe(200);
    const after = await nodesUrl();
    expect(after).not.toBe(before);
    const count = async (url: string) => {
      const res = await get(`${rt.url}/${url}`);
      expect(res.status).toBe(200);
      return loadValidatorModule(factoryOf(await res.text())).size;
    };
    // One validator more: the new type's config schema. The older module is still served.
    expect(await count(after)).toBe((await count(before)) + 1);
  }, 120_000);
});
