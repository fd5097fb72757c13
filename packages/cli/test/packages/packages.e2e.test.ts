import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, runTagflow, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import type { TagflowProcess, TagflowResult } from '@tagflow/test-support';
import { logLines } from '../cli-process';

/**
 * Package management end to end: the real `tagflow nodes`, `pack` and `deploy` against data dirs
 * and real `tagflow start` runtimes. No registry is reached: packages come from the fixture
 * folders here (no dependencies), and npm runs offline.
 */

const here = path.join(__dirname, 'fixtures');
const calib = path.join(here, 'calib-nodes');
const lineFlow = path.join(here, 'line.flow.json');
const TOKEN_ENV = 'TAGFLOW_TOKEN_PKG_E2E';

let work: string;

beforeAll(() => {
  ensureCliBuilt();
  work = mkdtempSync(path.join(tmpdir(), 'tagflow-packages-e2e-'));
}, 120_000);

afterAll(async () => {
  await stopAllTagflow();
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  npm_config_offline: 'true',
  TAGFLOW_LOG_LEVEL: 'info',
  FORCE_COLOR: '0',
  ...extra,
});

/** Runs the real CLI in the work folder. */
function tagflow(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<TagflowResult> {
  return runTagflow(args, { cwd: work, env: env(extraEnv) });
}

interface Runtime {
  url: string;
  token: string;
  fleet: string;
  process: TagflowProcess;
  stderr: () => string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the body's fields as the API documents them
  api(route: string, init?: RequestInit): Promise<{ status: number; json: any }>;
  /** Runs the CLI with this runtime's fleet file and token. */
  cli(args: string[]): Promise<TagflowResult>;
}

/** `tagflow start` on a data dir, with a fleet file naming it `rt`; the token is kept for restarts. */
async function startRuntime(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Runtime> {
  const started = await startTagflow({ dataDir, cwd: work, env: env(extraEnv) });
  const url = started.url;
  const token = started.token ?? readFileSync(path.join(dataDir, 'token.txt'), 'utf8');
  writeFileSync(path.join(dataDir, 'token.txt'), token);
  const fleet = path.join(dataDir, 'fleet.json');
  writeFileSync(fleet, JSON.stringify({ runtimes: [{ name: 'rt', url, tokenEnv: TOKEN_ENV }] }));
  return {
    url,
    token,
    fleet,
    process: started,
    stderr: started.stderr,
    async api(route, init = {}) {
      const res = await fetch(url + route, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      });
      return { status: res.status, json: await res.json() };
    },
    cli: (args) => tagflow([...args, '--fleet', fleet], { [TOKEN_ENV]: token }),
  };
}

async function stop(rt: Runtime): Promise<void> {
  await rt.process.stop();
}

const nodeTypes = async (rt: Runtime): Promise<string[]> =>
  (await rt.api('/api/nodes')).json.nodes.map((n: { type: string }) => n.type);

describe('tagflow nodes install|list|remove on a data dir', () => {
  it('installs from a folder and from a .tgz, lists them with the built-in ones, and removes them', async () => {
    const dataDir = path.join(work, 'local-1');
    const installed = await tagflow(['nodes', 'install', calib, '--data-dir', dataDir]);
    expect(installed.stderr).toContain('loads it at its next start');
    expect(installed).toMatchObject({
      code: 0,
      stdout: `installed @plant/calib-nodes 1.0.0 in ${dataDir}: calibrate\n`,
    });

    const listed = JSON.parse((await tagflow(['nodes', 'list', '--json', '--data-dir', dataDir])).stdout);
    expect(listed.installed).toEqual([
      expect.objectContaining({
        name: '@plant/calib-nodes',
        version: '1.0.0',
        source: 'dir',
        integrity: expect.stringMatching(/^sha512-/),
      }),
    ]);
    expect(listed.nodes.find((n: { type: string }) => n.type === 'calibrate')).toMatchObject({
      package: { name: '@plant/calib-nodes', version: '1.0.0' },
      origin: 'data-dir',
    });
    expect(listed.nodes.find((n: { type: string }) => n.type === 'moving-average').origin).toBe('built-in');
    expect(listed.nodes.find((n: { type: string }) => n.type === 'moving-average').package.name).toBe(
      '@tagflow/nodes-core',
    );
    const table = await tagflow(['nodes', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/^ {2}calibrate +@plant\/calib-nodes 1\.0\.0 +installed in the data dir +\S/m);
    expect(table.stdout).toMatch(
      new RegExp(`installed in ${dataDir.replace(/[/\\]/g, '.')}:\\n {2}@plant/calib-nodes +1\\.0\\.0 +dir +sha512-`),
    );

    expect(await tagflow(['nodes', 'remove', '@plant/calib-nodes', '--data-dir', dataDir])).toMatchObject({
      code: 0,
      stdout: `removed @plant/calib-nodes 1.0.0 from ${dataDir}\n`,
    });
    const tgzDir = path.join(work, 'tgz');
    mkdirSync(tgzDir);
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', calib, '--pack-destination', tgzDir, '--json', '--loglevel=error'], {
        cwd: tgzDir,
        encoding: 'utf8',
      }),
    ) as Array<{ filename: string; integrity: string }>;
    const tgz = path.join(tgzDir, (packed as { filename: string }).filename.replace(/^@/, '').replace('/', '-'));
    expect((await tagflow(['nodes', 'install', tgz, '--data-dir', dataDir])).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'nodes', 'installed.json'), 'utf8')).packages[0]).toMatchObject({
      source: 'file',
      integrity: (packed as { integrity: string }).integrity,
    });
  }, 60_000);

  it('refuses a package written for another SDK, and a broken one, with their reasons', async () => {
    const dataDir = path.join(work, 'local-2');
    const future = await tagflow(['nodes', 'install', path.join(here, 'future-nodes'), '--data-dir', dataDir]);
    expect(future).toMatchObject({
      code: 1,
      stderr:
        'error: future-nodes 3.0.0 needs @tagflow/node-sdk ^9.0.0 but this runtime has 0.1.0; nothing was installed\n',
    });
    const buggy = await tagflow(['nodes', 'install', path.join(here, 'buggy-nodes'), '--data-dir', dataDir]);
    expect(buggy.code).toBe(1);
    expect(buggy.stderr).toContain(
      'buggy-nodes 0.1.0: cannot load lib/buggy.node.js: it threw while loading: buggy cannot open its calibration table',
    );
    expect(JSON.parse((await tagflow(['nodes', 'list', '--json', '--data-dir', dataDir])).stdout).installed).toEqual(
      [],
    );
  }, 60_000);
});

describe('packages on a running runtime', () => {
  let rt: Runtime;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = path.join(work, 'runtime-1');
    rt = await startRuntime(dataDir);
  }, 30_000);
  afterAll(() => stop(rt));

  it('hot-loads a package installed with --to: the type is usable without restart and a flow using it deploys', async () => {
    expect(await nodeTypes(rt)).not.toContain('calibrate');
    const local = path.join(work, 'hint-local');
    expect((await tagflow(['nodes', 'install', calib, '--data-dir', local])).code).toBe(0);
    const refused = await rt.cli(['deploy', lineFlow, '--to', 'rt', '--data-dir', local]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/rt +\S+ +rejected/);
    expect(refused.stderr).toContain(
      `hint: node type "calibrate" is provided by @plant/calib-nodes 1.0.0 (installed here): tagflow nodes install @plant/calib-nodes@1.0.0 --to rt, or deploy a bundle: tagflow pack ${lineFlow}`,
    );

    const installed = await rt.cli(['nodes', 'install', calib, '--to', 'rt']);
    expect(installed).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^rt +installed @plant\/calib-nodes 1\.0\.0: calibrate\n$/),
    });
    expect(await nodeTypes(rt)).toContain('calibrate');
    const deployed = await rt.cli(['deploy', lineFlow, '--to', 'rt']);
    expect(deployed).toMatchObject({ code: 0, stdout: expect.stringMatching(/rt +\S+ +deployed v1/) });

    const listed = JSON.parse((await rt.cli(['nodes', 'list', '--to', 'rt', '--json'])).stdout);
    expect(listed.runtimes[0].packages).toEqual([
      expect.objectContaining({ name: '@plant/calib-nodes', version: '1.0.0', source: 'file', nodes: ['calibrate'] }),
    ]);
    expect(listed.runtimes[0].builtIn.map((p: { name: string }) => p.name)).toContain('@tagflow/nodes-core');
  }, 60_000);

  it('refuses a broken package while the installed ones keep working, and removal of one in use', async () => {
    const buggy = await rt.cli(['nodes', 'install', path.join(here, 'buggy-nodes'), '--to', 'rt']);
    expect(buggy.code).toBe(1);
    expect(buggy.stdout).toContain(
      'rt  failed: buggy-nodes 0.1.0: cannot load lib/buggy.node.js: it threw while loading',
    );
    expect(await nodeTypes(rt)).toContain('calibrate');
    expect((await rt.api('/api/status')).json.nodes.scale.counters.in).toBeGreaterThan(0);

    const inUse = await rt.cli(['nodes', 'remove', '@plant/calib-nodes', '--to', 'rt']);
    expect(inUse.code).toBe(1);
    expect(inUse.stdout).toContain(
      'failed: @plant/calib-nodes 1.0.0 is used by the running flow: node "scale" (calibrate); deploy a flow without it first',
    );
  }, 60_000);

  it('installs and removes packages for an admin token only: a deployer token is told so', async () => {
    const created = await tagflow(['token', 'create', '--role', 'deployer', '--name', 'ci', '--data-dir', dataDir]);
    expect(created.code).toBe(0);
    const deployerCli = (args: string[]) =>
      tagflow([...args, '--fleet', rt.fleet], { [TOKEN_ENV]: created.stdout.trim() });
    const install = await deployerCli(['nodes', 'install', calib, '--to', 'rt']);
    expect(install.code).toBe(1);
    expect(install.stdout).toContain(
      'failed: installing or removing node packages (POST /api/packages) needs an admin token (403): this needs the admin role; token "ci" has deployer',
    );
    const remove = await deployerCli(['nodes', 'remove', '@plant/calib-nodes', '--to', 'rt']);
    expect(remove.stdout).toContain('DELETE /api/packages) needs an admin token (403)');
    const listed = await deployerCli(['nodes', 'list', '--to', 'rt', '--json']);
    expect(JSON.parse(listed.stdout).runtimes[0].packages.map((p: { name: string }) => p.name)).toEqual([
      '@plant/calib-nodes',
    ]);
  }, 60_000);

  it('loads the installed packages again after a restart', async () => {
    await stop(rt);
    rt = await startRuntime(dataDir);
    expect(logLines(rt.stderr()).map((l) => l.msg)).toContain('running flow "line-3" version 1 from the data dir');
    expect(await nodeTypes(rt)).toContain('calibrate');
  }, 60_000);
});

describe('a package with install scripts, on a runtime whose environment holds a cloud secret', () => {
  it('runs none of its scripts, refuses it with how to make a bundle, and keeps nothing of it', async () => {
    const markers = path.join(work, 'markers');
    mkdirSync(markers, { recursive: true });
    const leak = (stage: string) =>
      `node -e "require('fs').writeFileSync(require('path').join('${markers}', '${stage}'), String(process.env.AWS_SECRET_ACCESS_KEY))"`;
    const pkg = path.join(work, 'scripted-nodes');
    mkdirSync(path.join(pkg, 'lib'), { recursive: true });
    writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({
        name: '@plant/scripted-nodes',
        version: '1.0.0',
        files: ['lib'],
        tagflow: { nodes: ['lib/scripted.node.js'] },
        peerDependencies: { '@tagflow/node-sdk': '^0.1.0' },
        scripts: { preinstall: leak('preinstall'), install: leak('install'), postinstall: leak('postinstall') },
      }),
    );
    writeFileSync(
      path.join(pkg, 'lib', 'scripted.node.js'),
      `require('fs').writeFileSync(require('path').join('${markers}', 'loaded'), 'module code ran');\n`,
    );
    const dataDir = path.join(work, 'runtime-secret');
    const rt = await startRuntime(dataDir, { AWS_SECRET_ACCESS_KEY: 'aws-secret-that-must-not-leak' });
    try {
      const res = await rt.cli(['nodes', 'install', pkg, '--to', 'rt']);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain(
        'failed: @plant/scripted-nodes 1.0.0 was refused, nothing was installed: @plant/scripted-nodes 1.0.0 needs a build step (@plant/scripted-nodes 1.0.0 has a preinstall script), and tagflow never runs package scripts',
      );
      expect(res.stdout).toContain('tagflow pack <flow.json> there, then POST /api/packages/bundle');
      expect(readdirSync(markers)).toEqual([]);
      expect((await rt.api('/api/packages')).json.packages).toEqual([]);
      const nodes = path.join(dataDir, 'nodes');
      const left = existsSync(nodes) ? readdirSync(nodes, { recursive: true }).map(String) : [];
      expect(left.filter((f) => f.includes('scripted') || f.startsWith('.staging'))).toEqual([]);
    } finally {
      await stop(rt);
    }
  }, 60_000);
});

describe('tagflow pack and bundle deploys', () => {
  let bundle: string;
  beforeAll(async () => {
    const local = path.join(work, 'packer');
    expect((await tagflow(['nodes', 'install', calib, '--data-dir', local])).code).toBe(0);
    bundle = path.join(work, 'line.bundle.tgz');
    const packed = await tagflow(['pack', lineFlow, '-o', bundle, '--data-dir', local]);
    expect(packed).toMatchObject({
      code: 0,
      stdout: `${bundle}\n`,
      stderr: 'packed the flow with 1 node package: @plant/calib-nodes 1.0.0\n',
    });
  }, 60_000);

  it('deploys a bundle to a runtime started with an empty data dir', async () => {
    const rt = await startRuntime(path.join(work, 'runtime-empty'));
    try {
      const deployed = await rt.cli(['deploy', bundle, '--to', 'rt']);
      expect(deployed).toMatchObject({ code: 0, stdout: expect.stringMatching(/rt +\S+ +deployed v1/) });
      const packages = (await rt.api('/api/packages')).json.packages;
      expect(packages).toEqual([
        expect.objectContaining({ name: '@plant/calib-nodes', version: '1.0.0', source: 'bundle' }),
      ]);
      expect((await rt.api('/api/flow')).json.flow.id).toBe('line-3');
    } finally {
      await stop(rt);
    }
  }, 60_000);

  it("carries a package's own dependencies inside the bundle, so the target needs no registry", async () => {
    // A library the node package depends on, reachable only while packing (then deleted).
    const lib = path.join(work, 'dep-lib');
    mkdirSync(lib, { recursive: true });
    writeFileSync(
      path.join(lib, 'package.json'),
      JSON.stringify({ name: 'dep-lib', version: '1.0.0', main: 'index.js' }),
    );
    writeFileSync(path.join(lib, 'index.js'), 'exports.triple = (x) => x * 3;\n');
    const libTgz = path.join(work, 'dep-lib-1.0.0.tgz');
    expect(spawnSync('npm', ['pack', lib, '--pack-destination', work, '--loglevel=error'], { env: env() }).status).toBe(
      0,
    );
    const pkg = path.join(work, 'tripler-nodes');
    mkdirSync(path.join(pkg, 'lib'), { recursive: true });
    writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({
        name: '@plant/tripler-nodes',
        version: '1.0.0',
        keywords: ['tagflow-nodes'],
        files: ['lib'],
        tagflow: { nodes: ['lib/tripler.node.js'] },
        peerDependencies: { '@tagflow/node-sdk': '^0.1.0' },
        dependencies: { 'dep-lib': `file:${libTgz}` },
      }),
    );
    writeFileSync(
      path.join(pkg, 'lib', 'tripler.node.js'),
      [
        "const { defineNode } = require('@tagflow/node-sdk');",
        "const { triple } = require('dep-lib');",
        "module.exports = defineNode({ type: 'triple', version: 1, category: 'processor', description: 'x3 (test fixture with a dependency)', inputs: ['in'], outputs: ['out'],",
        "  configSchema: { type: 'object', properties: {}, additionalProperties: false },",
        '  create: (ctx) => ({ onMessage: (msg) => ctx.send({ ...msg, payload: triple(msg.payload) }) }) });',
      ].join('\n'),
    );
    const local = path.join(work, 'packer-deps');
    expect((await tagflow(['nodes', 'install', pkg, '--data-dir', local])).code).toBe(0);
    const flowFile = path.join(work, 'tripler.flow.json');
    writeFileSync(
      flowFile,
      JSON.stringify({
        schemaVersion: 1,
        id: 'tripler',
        nodes: [
          { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100, payload: 5 } },
          { id: 'x3', type: 'triple', typeVersion: 1 },
          { id: 'show', type: 'debug', typeVersion: 1 },
        ],
        edges: [
          { source: 'tick', target: 'x3' },
          { source: 'x3', target: 'show' },
        ],
      }),
    );
    const bundle2 = path.join(work, 'tripler.bundle.tgz');
    const packed = await tagflow(['pack', flowFile, '-o', bundle2, '--data-dir', local]);
    expect(packed.code).toBe(0);
    rmSync(libTgz); // from here on, dep-lib exists only inside the bundle

    const rt = await startRuntime(path.join(work, 'runtime-deps'));
    try {
      const deployed = await rt.cli(['deploy', bundle2, '--to', 'rt']);
      expect(deployed).toMatchObject({ code: 0, stdout: expect.stringMatching(/rt +\S+ +deployed v1/) });
      const deadline = Date.now() + 10_000;
      let out = 0;
      while (out < 3 && Date.now() < deadline) {
        out = (await rt.api('/api/status')).json.nodes.x3?.counters?.out ?? 0;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toBeGreaterThanOrEqual(3); // the node ran, its dependency loaded from the bundle
    } finally {
      await stop(rt);
    }
  }, 90_000);

  it('packs a package that needs a build step with a warning; a runtime of this platform installs it, no script run', async () => {
    const markers = path.join(work, 'markers-pack');
    mkdirSync(markers, { recursive: true });
    const nodesDir = path.join(work, 'native-plugins');
    const pkg = path.join(nodesDir, 'node_modules', '@plant', 'prebuilt-nodes');
    mkdirSync(path.join(pkg, 'lib'), { recursive: true });
    writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({
        name: '@plant/prebuilt-nodes',
        version: '1.0.0',
        files: ['lib'],
        tagflow: { nodes: ['lib/double.node.js'] },
        peerDependencies: { '@tagflow/node-sdk': '^0.1.0' },
        gypfile: true,
        scripts: {
          install: `node -e "require('fs').writeFileSync(require('path').join('${markers}', 'install'), String(process.env.AWS_SECRET_ACCESS_KEY))"`,
        },
      }),
    );
    // Stands in for a native addon that ships its binary prebuilt: it works without its install script.
    writeFileSync(
      path.join(pkg, 'lib', 'double.node.js'),
      `module.exports = { type: 'double', version: 1, category: 'processor', description: 'x2 (test fixture).',
  configSchema: { type: 'object', properties: {}, additionalProperties: false }, inputs: ['in'], outputs: ['out'],
  create: (ctx) => ({ onMessage: (msg) => ctx.send({ ...msg, payload: msg.payload * 2 }) }) };\n`,
    );
    const flowFile = path.join(work, 'double.flow.json');
    writeFileSync(
      flowFile,
      JSON.stringify({
        schemaVersion: 1,
        id: 'double',
        nodes: [
          { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100, payload: 5 } },
          { id: 'x2', type: 'double', typeVersion: 1 },
          { id: 'show', type: 'debug', typeVersion: 1 },
        ],
        edges: [
          { source: 'tick', target: 'x2' },
          { source: 'x2', target: 'show' },
        ],
      }),
    );
    const bundle3 = path.join(work, 'double.bundle.tgz');
    const packed = await tagflow(['pack', flowFile, '-o', bundle3, '--nodes-dir', nodesDir], {
      AWS_SECRET_ACCESS_KEY: 'aws-secret-that-must-not-leak',
    });
    expect(packed.code).toBe(0);
    expect(packed.stderr).toContain(
      'warning: @plant/prebuilt-nodes 1.0.0 needs a build step (@plant/prebuilt-nodes 1.0.0 has an install script): no package script runs, here or on the runtime; it installs from this bundle only on ',
    );
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', bundle3, 'bundle.json'], { encoding: 'utf8' }));
    expect(manifest.platform).toMatchObject({
      os: process.platform,
      arch: process.arch,
      nodeAbi: process.versions.modules,
    });

    const rt = await startRuntime(path.join(work, 'runtime-native'), {
      AWS_SECRET_ACCESS_KEY: 'aws-secret-that-must-not-leak',
    });
    try {
      const deployed = await rt.cli(['deploy', bundle3, '--to', 'rt']);
      expect(deployed).toMatchObject({ code: 0, stdout: expect.stringMatching(/rt +\S+ +deployed v1/) });
      const deadline = Date.now() + 10_000;
      let out = 0;
      while (out < 2 && Date.now() < deadline) {
        out = (await rt.api('/api/status')).json.nodes.x2?.counters?.out ?? 0;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toBeGreaterThanOrEqual(2);
      expect(readdirSync(markers)).toEqual([]);
    } finally {
      await stop(rt);
    }
  }, 90_000);

  it('refuses a bundle whose tarball was altered, here and on the runtime, installing nothing', async () => {
    const dir = mkdtempSync(path.join(work, 'tamper-'));
    execFileSync('tar', ['-xzf', bundle, '-C', dir]);
    const tarball = path.join(dir, 'packages', 'plant+calib-nodes-1.0.0.tgz');
    const bytes = readFileSync(tarball);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(tarball, bytes);
    const corrupt = path.join(work, 'corrupt.bundle.tgz');
    execFileSync('tar', ['-czf', corrupt, '-C', dir, 'bundle.json', 'flow.json', 'packages']);

    const rt = await startRuntime(path.join(work, 'runtime-corrupt'));
    try {
      const local = await rt.cli(['deploy', corrupt, '--to', 'rt']);
      expect(local.code).toBe(1);
      expect(local.stderr).toContain(
        'error: the bundle was refused, nothing was installed: packages/plant+calib-nodes-1.0.0.tgz (@plant/calib-nodes 1.0.0) does not match its sha512 in bundle.json',
      );
      const direct = await rt.api('/api/packages/bundle', {
        method: 'POST',
        headers: { 'content-type': 'application/gzip' },
        body: readFileSync(corrupt),
      });
      expect(direct).toMatchObject({ status: 422, json: { code: 'BUNDLE_INVALID' } });
      expect((await rt.api('/api/packages')).json.packages).toEqual([]);
      expect(await nodeTypes(rt)).not.toContain('calibrate');
    } finally {
      await stop(rt);
    }
  }, 60_000);
});
