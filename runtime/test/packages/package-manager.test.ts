import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { NodeRegistry } from '../../src/registry/node-registry';
import { PackageError, PackageManager } from '../../src/packages';
import type { PackageManagerOptions } from '../../src/packages';
import { MemoryLogger, sink } from '../helpers';
import { packFixture, writeNodePackage } from './node-package-fixture';

// Fixture packages have no dependencies; offline makes sure npm never reaches for a registry.
const work = mkdtempSync(path.join(tmpdir(), 'tagflow-packages-'));
const fixtures = path.join(work, 'fixtures');
const tarballs = path.join(work, 'tarballs');
let dataDirs = 0;

async function open(extra: Partial<PackageManagerOptions> = {}) {
  const dataDir = extra.dataDir ?? path.join(work, `data-${++dataDirs}`);
  const registry = extra.registry ?? new NodeRegistry();
  const events: Array<{ type: string; detail: string }> = [];
  const audit = {
    append: async (e: { type: string; detail: string }) => void events.push(e),
    query: async () => [],
    page: async () => ({ events: [] }),
  };
  const manager = await PackageManager.open({
    dataDir,
    registry,
    audit,
    logger: new MemoryLogger(),
    offline: true,
    ...extra,
  });
  return { manager, registry, dataDir, events };
}

function flowUsing(...nodes: Array<[string, string]>): Flow {
  return {
    schemaVersion: 1,
    id: 'f',
    nodes: nodes.map(([id, type]) => ({ id, type, config: {} })),
    edges: [],
  } as unknown as Flow;
}

const installedJson = (dataDir: string) =>
  JSON.parse(readFileSync(path.join(dataDir, 'nodes', 'installed.json'), 'utf8')) as {
    packages: Array<Record<string, unknown>>;
  };
const packageFolders = (dataDir: string) =>
  existsSync(path.join(dataDir, 'nodes', 'packages')) ? readdirSync(path.join(dataDir, 'nodes', 'packages')) : [];

describe('PackageManager', () => {
  it('installs a package folder: its types are usable at once, and installed.json records it', async () => {
    const dir = writeNodePackage(fixtures, { name: '@acme/scale-nodes', version: '1.0.0', types: ['scale'] });
    const { manager, registry, dataDir, events } = await open();
    const outcome = await manager.install({ source: 'dir', dir }, 'tester');
    expect(outcome).toMatchObject({
      status: 'installed',
      package: { name: '@acme/scale-nodes', version: '1.0.0', source: 'dir', nodes: ['scale'] },
    });
    expect(registry.node('scale')?.package).toEqual({ name: '@acme/scale-nodes', version: '1.0.0' });
    const [record] = installedJson(dataDir).packages;
    expect(record).toMatchObject({
      name: '@acme/scale-nodes',
      version: '1.0.0',
      source: 'dir',
      integrity: expect.stringMatching(/^sha512-[A-Za-z0-9+/]+=*$/),
      installedAt: expect.any(String),
    });
    // The package resolved @tagflow/node-sdk to the runtime's own copy, through the data dir's link.
    expect(lstatSync(path.join(dataDir, 'nodes', 'node_modules', '@tagflow', 'node-sdk')).isSymbolicLink()).toBe(true);
    expect(existsSync(manager.tarballOf(outcome.package))).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['package-installed']);
  });

  it('installs a .tgz with the integrity npm gives it, and does nothing for the same tarball again', async () => {
    const packed = packFixture(
      writeNodePackage(fixtures, { name: 'tgz-nodes', version: '2.1.0', types: ['tgz-a', 'tgz-b'] }),
      tarballs,
    );
    const { manager, registry } = await open();
    const first = await manager.install({ source: 'file', file: packed.file }, 'tester');
    expect(first.package).toMatchObject({ source: 'file', integrity: packed.integrity, nodes: ['tgz-a', 'tgz-b'] });
    expect(registry.node('tgz-b')).toBeDefined();
    expect((await manager.install({ source: 'file', file: packed.file }, 'tester')).status).toBe('unchanged');
  });

  it('refuses a package written for another SDK, with the message, and leaves nothing behind', async () => {
    const dir = writeNodePackage(fixtures, {
      name: 'future-nodes',
      version: '3.0.0',
      types: ['future'],
      sdkRange: '^9.0.0',
    });
    const { manager, registry, dataDir } = await open();
    const refused = manager.install({ source: 'dir', dir }, 'tester');
    await expect(refused).rejects.toThrow(PackageError);
    await expect(refused).rejects.toThrow(
      'future-nodes 3.0.0 needs @tagflow/node-sdk ^9.0.0 but this runtime has 0.1.0; nothing was installed',
    );
    expect(registry.node('future')).toBeUndefined();
    expect(existsSync(path.join(dataDir, 'nodes', 'installed.json'))).toBe(false);
    expect(packageFolders(dataDir)).toEqual([]);
  });

  it('refuses a package whose module throws while the packages already installed keep working', async () => {
    const good = writeNodePackage(fixtures, { name: 'steady-nodes', version: '1.0.0', types: ['steady'] });
    const broken = writeNodePackage(fixtures, {
      name: 'buggy-nodes',
      version: '0.1.0',
      types: ['buggy-ok', 'buggy'],
      throwOnLoad: 'buggy',
    });
    const { manager, registry, dataDir } = await open();
    await manager.install({ source: 'dir', dir: good }, 'tester');
    const refused = manager.install({ source: 'dir', dir: broken }, 'tester');
    await expect(refused).rejects.toMatchObject({
      code: 'REFUSED',
      message: expect.stringContaining(
        'buggy-nodes 0.1.0: cannot load lib/buggy.node.js: it threw while loading: buggy cannot find its calibration table',
      ),
    });
    expect(registry.node('buggy-ok')).toBeUndefined();
    expect(registry.node('steady')).toBeDefined();
    expect(installedJson(dataDir).packages.map((p) => p.name)).toEqual(['steady-nodes']);
    expect(packageFolders(dataDir)).toHaveLength(1);
  });

  it('refuses a type another package provides, and a package that comes with the runtime', async () => {
    const registry = new NodeRegistry();
    registry.registerNode(sink, { name: '@tagflow/nodes-core', version: '0.1.0' });
    const { manager } = await open({ registry });
    const clash = writeNodePackage(fixtures, { name: 'copycat-nodes', version: '1.0.0', types: ['sink'] });
    await expect(manager.install({ source: 'dir', dir: clash }, 'tester')).rejects.toThrow(
      'copycat-nodes 1.0.0 provides node type "sink" (already provided by @tagflow/nodes-core 0.1.0)',
    );
    const core = writeNodePackage(fixtures, { name: '@tagflow/nodes-core', version: '0.2.0', types: ['sink2'] });
    await expect(manager.install({ source: 'dir', dir: core }, 'tester')).rejects.toMatchObject({ code: 'BUILT_IN' });
    await expect(manager.remove('@tagflow/nodes-core', 'tester')).rejects.toMatchObject({ code: 'BUILT_IN' });
  });

  it('replaces an older version of the same package, types and files', async () => {
    const { manager, registry, dataDir } = await open();
    await manager.install(
      {
        source: 'dir',
        dir: writeNodePackage(fixtures, { name: 'evolving-nodes', version: '1.0.0', types: ['evolve', 'legacy'] }),
      },
      'tester',
    );
    const outcome = await manager.install(
      {
        source: 'dir',
        dir: writeNodePackage(fixtures, { name: 'evolving-nodes', version: '1.1.0', types: ['evolve'] }),
      },
      'tester',
    );
    expect(outcome).toMatchObject({ status: 'replaced', previousVersion: '1.0.0' });
    expect(registry.node('evolve')?.package.version).toBe('1.1.0');
    expect(registry.node('evolve')?.definition.description).toBe('evolve from evolving-nodes 1.1.0');
    expect(registry.node('legacy')).toBeUndefined();
    expect(packageFolders(dataDir)).toEqual([expect.stringMatching(/^evolving-nodes-1\.1\.0-[0-9a-f]{8}$/)]);
  });

  it('refuses to remove a package the running flow uses, naming the nodes; removes an unused one', async () => {
    let running: Flow | undefined = flowUsing(['scale-1', 'used'], ['scale-2', 'used'], ['other', 'sink']);
    const { manager, registry, dataDir, events } = await open({ runningFlows: () => (running ? [running] : []) });
    await manager.install(
      { source: 'dir', dir: writeNodePackage(fixtures, { name: 'used-nodes', version: '1.0.0', types: ['used'] }) },
      'tester',
    );
    const refused = manager.remove('used-nodes', 'tester');
    await expect(refused).rejects.toMatchObject({ code: 'IN_USE', usedBy: ['scale-1', 'scale-2'] });
    await expect(refused).rejects.toThrow(
      'used-nodes 1.0.0 is used by the running flow: node "scale-1" (used), node "scale-2" (used); deploy a flow without them first',
    );
    expect(registry.node('used')).toBeDefined();

    running = flowUsing(['other', 'sink']);
    await manager.remove('used-nodes', 'tester');
    expect(registry.node('used')).toBeUndefined();
    expect(packageFolders(dataDir)).toEqual([]);
    expect(installedJson(dataDir).packages).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['package-installed', 'package-removed']);
    await expect(manager.remove('used-nodes', 'tester')).rejects.toMatchObject({ code: 'NOT_INSTALLED' });
  });

  it('loads the installed packages again when the runtime starts', async () => {
    const first = await open();
    await first.manager.install(
      {
        source: 'dir',
        dir: writeNodePackage(fixtures, { name: 'lasting-nodes', version: '1.0.0', types: ['lasting'] }),
      },
      'tester',
    );
    const again = await open({ dataDir: first.dataDir });
    expect(again.registry.node('lasting')?.package).toEqual({ name: 'lasting-nodes', version: '1.0.0' });
    expect(again.manager.report).toEqual({
      packages: [expect.objectContaining({ name: 'lasting-nodes', nodes: ['lasting'] })],
      problems: [],
    });
    expect(again.manager.list().map((p) => p.name)).toEqual(['lasting-nodes']);
  });
});
