import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Deployer } from '../../src/admin/deployer';
import { Engine } from '../../src/engine/engine';
import { PackageManager, writeBundle } from '../../src/packages';
import { npmEnvironment } from '../../src/packages/npm-client';
import { currentPlatform } from '../../src/packages/platform-id';
import { NodeRegistry } from '../../src/registry/node-registry';
import { startAdminServer } from '../../src/server/start-admin-server';
import { counter, MemoryLogger, received, sink } from '../helpers';
import { openStores } from '../server/server-harness';
import { packFixture, writeNodePackage } from './node-package-fixture';

/**
 * Issue 15, "node packages are code": who may install them, and what installing runs. A real
 * admin server over real stores, a real npm (offline: fixtures come from tarballs here), and a
 * secret in the runtime's environment that no package script may ever see.
 */

const SECRET = 'aws-secret-that-must-not-leak';
const work = mkdtempSync(path.join(tmpdir(), 'tagflow-pkg-trust-'));
const markers = path.join(work, 'markers');
mkdirSync(markers);
/** Small limits, so a decompression bomb of a few KB passes them. */
const LIMITS = { maxFileBytes: 1024 * 1024, maxUnpackedBytes: 4 * 1024 * 1024 };

async function startRuntime() {
  const { dataDir, flows, tokens, secrets, audit } = await openStores('tagflow-pkg-trust-data-');
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
    archiveLimits: LIMITS,
    runningFlows: () => (engine.currentFlow ? [engine.currentFlow] : []),
  });
  const deployer = new Deployer({ engine, flows, audit, logger });
  const deps = { engine, registry, flows, tokens, secrets, audit, deployer, logger, version: 't', packages };
  const server = await startAdminServer(deps, { host: '127.0.0.1', port: 0 });
  const token = {
    viewer: (await tokens.create('viewer', 'screen')).token,
    deployer: (await tokens.create('deployer', 'ci')).token,
    admin: (await tokens.create('admin', 'ops')).token,
  };
  const call = async (route: string, init: { method?: string; token?: string; json?: unknown; tgz?: Buffer } = {}) => {
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
  return {
    call,
    dataDir,
    engine,
    flows,
    token,
    async close() {
      await server.close();
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A plain npm package (not a node package) in `<work>/<name>`, packed; returns its .tgz. */
function plainPackage(name: string, extra: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', ...extra }));
  writeFileSync(path.join(dir, 'index.js'), 'exports.triple = (x) => x * 3;\n');
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return packFixture(dir, path.join(work, 'tgz')).file;
}

/** Scripts that would leave a marker holding the secret, one per lifecycle stage. */
function leakScripts(tag: string): Record<string, string> {
  const leak = (stage: string) =>
    `node -e "require('fs').writeFileSync(require('path').join('${markers}', '${tag}-${stage}'), String(process.env.AWS_SECRET_ACCESS_KEY))"`;
  return { preinstall: leak('preinstall'), install: leak('install'), postinstall: leak('postinstall') };
}

/** A node package folder (one type, `type`), with extra package.json fields, packed. */
function nodePackage(name: string, type: string, extra: Record<string, unknown>): string {
  const dir = writeNodePackage(path.join(work, 'fixtures'), { name, version: '1.0.0', types: [type] });
  const file = path.join(dir, 'package.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete json.devDependencies;
  writeFileSync(file, JSON.stringify({ ...json, ...extra }));
  return packFixture(dir, path.join(work, 'tgz')).file;
}

/** Every file under the data dir's nodes folder (empty folders do not count). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const flowWith = (type: string) => ({
  schemaVersion: 1,
  id: 'line',
  nodes: [
    { id: 'src', type: 'counter', typeVersion: 1, config: { count: 3 } },
    { id: 'step', type, typeVersion: 1 },
    { id: 'out', type: 'sink', typeVersion: 1 },
  ],
  edges: [
    { source: 'src', target: 'step' },
    { source: 'step', target: 'out' },
  ],
});

describe('node packages are code (issue 15)', () => {
  let rt: Awaited<ReturnType<typeof startRuntime>>;
  beforeAll(async () => {
    process.env.npm_config_offline = 'true'; // no test may reach a registry
    process.env.AWS_SECRET_ACCESS_KEY = SECRET; // the runtime's environment holds a secret
    rt = await startRuntime();
  });
  afterAll(async () => {
    await rt.close();
    delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  const nodesDir = () => path.join(rt.dataDir, 'nodes');

  it('gives install, remove and bundle to admins only: a deployer token gets 403, a viewer may still list', async () => {
    const tgz = readFileSync(nodePackage('@plant/gate-nodes', 'gate', {}));
    const bundle = path.join(work, 'gate.bundle.tgz');
    await writeBundle(bundle, flowWith('gate'), [
      { name: '@plant/gate-nodes', version: '1.0.0', tarball: nodePackage('@plant/gate-nodes', 'gate', {}) },
    ]);
    const deployer = rt.token.deployer;
    const refused = [
      await rt.call('/api/packages', { method: 'POST', tgz, token: deployer }),
      await rt.call('/api/packages', { method: 'POST', json: { name: 'left-pad' }, token: deployer }),
      await rt.call('/api/packages/bundle', { method: 'POST', tgz: readFileSync(bundle), token: deployer }),
      await rt.call('/api/packages/%40plant%2Fgate-nodes', { method: 'DELETE', token: deployer }),
    ];
    for (const res of refused)
      expect(res).toMatchObject({ status: 403, json: { error: 'this needs the admin role; token "ci" has deployer' } });
    expect(filesUnder(nodesDir())).toEqual([]);
    expect((await rt.call('/api/packages', { token: rt.token.viewer })).status).toBe(200);
  });

  it('runs no lifecycle script of a package, refuses it with how to make a bundle, and leaves nothing', async () => {
    const tgz = nodePackage('@plant/scripted-nodes', 'scripted', { scripts: leakScripts('own') });
    const res = await rt.call('/api/packages', { method: 'POST', tgz: readFileSync(tgz) });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('NEEDS_BUILD');
    expect(res.json.error).toContain(
      '@plant/scripted-nodes 1.0.0 needs a build step (@plant/scripted-nodes 1.0.0 has a preinstall script), and tagflow never runs package scripts',
    );
    expect(res.json.error).toContain('tagflow pack <flow.json> there, then POST /api/packages/bundle');
    expect(readdirSync(markers)).toEqual([]);
    expect(filesUnder(nodesDir())).toEqual([]);
    expect(existsSync(path.join(nodesDir(), '.staging'))).toBe(false);
    expect((await rt.call('/api/nodes')).json.nodes.map((n: { type: string }) => n.type)).not.toContain('scripted');
  });

  it('refuses a package whose dependency has an install script or a binding.gyp, running nothing', async () => {
    const scripted = plainPackage('dep-with-scripts', { scripts: leakScripts('dep') });
    const withDep = nodePackage('@plant/dep-nodes', 'dep-user', {
      dependencies: { 'dep-with-scripts': `file:${scripted}` },
    });
    const res = await rt.call('/api/packages', { method: 'POST', tgz: readFileSync(withDep) });
    expect(res).toMatchObject({ status: 422, json: { code: 'NEEDS_BUILD' } });
    expect(res.json.error).toContain('(dep-with-scripts 1.0.0 has a preinstall script)');

    const native = plainPackage('dep-native', {}, { 'binding.gyp': "{ 'targets': [] }\n" });
    const withNative = nodePackage('@plant/native-nodes', 'native-user', {
      dependencies: { 'dep-native': `file:${native}` },
    });
    const res2 = await rt.call('/api/packages', { method: 'POST', tgz: readFileSync(withNative) });
    expect(res2).toMatchObject({ status: 422, json: { code: 'NEEDS_BUILD' } });
    expect(res2.json.error).toContain('(dep-native 1.0.0 has a binding.gyp (a native addon))');

    expect(readdirSync(markers)).toEqual([]);
    expect(filesUnder(nodesDir())).toEqual([]);
  });

  it('answers 400 for a name or version npm does not accept, before npm runs', async () => {
    const badName = await rt.call('/api/packages', { method: 'POST', json: { name: '../../etc/passwd' } });
    expect(badName).toMatchObject({ status: 400, json: { code: 'INVALID_SPEC' } });
    expect(badName.json.error).toMatch(/^"\.\.\/\.\.\/etc\/passwd" is not an npm package name: /);
    const badVersion = await rt.call('/api/packages', {
      method: 'POST',
      json: { name: 'left-pad', version: '1.0.0 || $(touch /tmp/x)' },
    });
    expect(badVersion).toMatchObject({
      status: 400,
      json: {
        code: 'INVALID_SPEC',
        error:
          '"1.0.0 || $(touch /tmp/x)" is not a version of left-pad npm understands: give a version ("1.2.0"), a range ("^1.2") or a dist-tag ("latest")',
      },
    });
    expect(filesUnder(nodesDir())).toEqual([]);
  });

  it('answers 404 when the registry has no such package, and 502 only when npm cannot reach it', async () => {
    // A registry that answers, and has nothing: what npm hears for a name nobody published.
    const registry = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"Not found"}');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
    const saved = { ...process.env };
    Object.assign(process.env, {
      npm_config_offline: 'false',
      npm_config_registry: url,
      npm_config_fetch_retries: '0',
    });
    try {
      const missing = await rt.call('/api/packages', {
        method: 'POST',
        json: { name: 'tagflow-test-unpublished', version: '1.0.0' },
      });
      expect(missing).toMatchObject({ status: 404, json: { code: 'NOT_IN_REGISTRY' } });
      expect(missing.json.error).toMatch(/^the registry has no tagflow-test-unpublished@1\.0\.0: .*404 Not Found/);
      await new Promise<void>((resolve) => registry.close(() => resolve()));
      const unreachable = await rt.call('/api/packages', {
        method: 'POST',
        json: { name: 'tagflow-test-unpublished', version: '1.0.0' },
      });
      expect(unreachable).toMatchObject({ status: 502, json: { code: 'FETCH_FAILED' } });
    } finally {
      for (const name of ['npm_config_offline', 'npm_config_registry', 'npm_config_fetch_retries']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      registry.close();
    }
    expect(filesUnder(nodesDir())).toEqual([]);
  });

  it('answers 422 naming the limit for a bundle that is not gzip, truncated, too big or a decompression bomb', async () => {
    const post = (tgz: Buffer) => rt.call('/api/packages/bundle', { method: 'POST', tgz });
    const good = path.join(work, 'good.bundle.tgz');
    await writeBundle(good, flowWith('gate'), [
      { name: '@plant/gate-nodes', version: '1.0.0', tarball: nodePackage('@plant/gate-nodes', 'gate', {}) },
    ]);
    const bytes = readFileSync(good);

    const notGzip = await post(Buffer.from('PK\u0003\u0004 this is a zip, not a .tgz'));
    expect(notGzip).toMatchObject({
      status: 422,
      json: {
        code: 'ARCHIVE_INVALID',
        error: 'the bundle was refused, nothing was installed: it is not a gzip file (.tgz)',
      },
    });
    const truncated = await post(bytes.subarray(0, bytes.length >> 1));
    expect(truncated).toMatchObject({
      status: 422,
      json: {
        code: 'ARCHIVE_INVALID',
        error: 'the bundle was refused, nothing was installed: it is truncated (the gzip data ends too early)',
      },
    });
    // 8 MB of zeros gzip to a few KB: past the 4 MB unpacked limit of this runtime.
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(16 * 1024);
    const bombed = await post(bomb);
    expect(bombed).toMatchObject({
      status: 422,
      json: {
        code: 'ARCHIVE_INVALID',
        error:
          'the bundle was refused, nothing was installed: it unpacks to more than 4 MB, the limit for an unpacked package or bundle (a decompression bomb?)',
      },
    });
    const packageBomb = await rt.call('/api/packages', { method: 'POST', tgz: bomb });
    expect(packageBomb).toMatchObject({ status: 422, json: { code: 'ARCHIVE_INVALID' } });
    expect(packageBomb.json.error).toContain('it unpacks to more than 4 MB');
    // Random bytes do not compress: a 2 MB file is past the 1 MB file limit of this runtime.
    const big = gzipSync(randomBytes(2 * 1024 * 1024));
    expect(await post(big)).toMatchObject({
      status: 422,
      json: {
        code: 'ARCHIVE_INVALID',
        error: 'the bundle was refused, nothing was installed: it is 2 MB, more than the 1 MB limit for a .tgz',
      },
    });
    expect(filesUnder(nodesDir())).toEqual([]);
  });

  it('installs a pure JavaScript package with a dependency, and a flow runs its node type', async () => {
    const lib = plainPackage('pure-lib', {});
    const dir = path.join(work, 'tripler');
    mkdirSync(path.join(dir, 'lib'), { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: '@plant/tripler-nodes',
        version: '1.0.0',
        files: ['lib'],
        tagflow: { nodes: ['lib/triple.node.js'] },
        peerDependencies: { '@tagflow/node-sdk': '^0.1.0' },
        dependencies: { 'pure-lib': `file:${lib}` },
      }),
    );
    writeFileSync(
      path.join(dir, 'lib', 'triple.node.js'),
      `const { defineNode } = require('@tagflow/node-sdk');
const { triple } = require('pure-lib');
module.exports = defineNode({ type: 'triple', version: 1, category: 'processor', description: 'x3.',
  configSchema: { type: 'object', properties: {}, additionalProperties: false }, inputs: ['in'], outputs: ['out'],
  create: (ctx) => ({ onMessage: (msg) => ctx.send({ ...msg, payload: triple(msg.payload) }) }) });
`,
    );
    const tgz = packFixture(dir, path.join(work, 'tgz')).file;
    const res = await rt.call('/api/packages', { method: 'POST', tgz: readFileSync(tgz) });
    expect(res).toMatchObject({
      status: 200,
      json: { status: 'installed', package: { name: '@plant/tripler-nodes' } },
    });
    expect(await rt.engine.deploy(flowWith('triple'))).toMatchObject({ ok: true });
    const deadline = Date.now() + 5000;
    while ((received.get('out')?.length ?? 0) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received.get('out')?.map((m) => m.payload)).toEqual([0, 3, 6]);
    expect(readdirSync(markers)).toEqual([]);
  });

  it('installs a package needing a build step from a bundle of this platform only, still running no script', async () => {
    const tarball = nodePackage('@plant/prebuilt-nodes', 'prebuilt', { scripts: leakScripts('bundled') });
    const bundle = path.join(work, 'prebuilt.bundle.tgz');
    const manifest = await writeBundle(bundle, flowWith('prebuilt'), [
      { name: '@plant/prebuilt-nodes', version: '1.0.0', tarball },
    ]);
    const here = currentPlatform();
    expect(manifest.platform).toEqual(here);
    expect(manifest.platform).toMatchObject({
      os: process.platform,
      arch: process.arch,
      nodeAbi: process.versions.modules,
    });

    // The same bundle, as if packed on another machine.
    const elsewhere = mkdtempSync(path.join(work, 'elsewhere-'));
    execFileSync('tar', ['-xzf', bundle, '-C', elsewhere]);
    const other = { ...here, arch: here.arch === 'arm64' ? 'x64' : 'arm64' };
    writeFileSync(path.join(elsewhere, 'bundle.json'), JSON.stringify({ ...manifest, platform: other }));
    const foreign = `${elsewhere}.tgz`;
    execFileSync('tar', ['-czf', foreign, '-C', elsewhere, 'bundle.json', 'flow.json', 'packages']);
    const refused = await rt.call('/api/packages/bundle', { method: 'POST', tgz: readFileSync(foreign) });
    expect(refused).toMatchObject({ status: 422, json: { code: 'NEEDS_BUILD' } });
    expect(refused.json.error).toContain(`the bundle was packed on ${process.platform} ${other.arch}`);
    expect(filesUnder(path.join(nodesDir(), 'packages')).some((f) => f.includes('prebuilt'))).toBe(false);

    const installed = await rt.call('/api/packages/bundle', { method: 'POST', tgz: readFileSync(bundle) });
    expect(installed).toMatchObject({
      status: 200,
      json: { packages: [{ name: '@plant/prebuilt-nodes', status: 'installed' }] },
    });
    expect(readdirSync(markers)).toEqual([]);
  });
});

describe('the environment npm runs with', () => {
  it('keeps PATH, HOME, proxies and npm settings, drops everything else, and switches scripts off', () => {
    const env = npmEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/op',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      npm_config_cache: '/var/cache/npm',
      NPM_CONFIG_USERCONFIG: '/etc/npmrc',
      npm_config_ignore_scripts: 'false',
      AWS_SECRET_ACCESS_KEY: 'x',
      TAGFLOW_TOKEN_PLANT: 'tf_x',
      NODE_OPTIONS: '--require /tmp/evil.js',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/op',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      npm_config_cache: '/var/cache/npm',
      NPM_CONFIG_USERCONFIG: '/etc/npmrc',
      npm_config_ignore_scripts: 'true',
    });
  });
});
