import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeRegistry } from '../../src/registry/node-registry';
import { PackageManager, writeBundle } from '../../src/packages';
import { packFixture, writeNodePackage } from './node-package-fixture';

const work = mkdtempSync(path.join(tmpdir(), 'tagflow-bundles-'));
const flow = { schemaVersion: 1, id: 'line-3', nodes: [{ id: 'calibrate', type: 'calibrate', config: {} }], edges: [] };
let count = 0;

async function freshRuntime() {
  const registry = new NodeRegistry();
  const dataDir = path.join(work, `data-${++count}`);
  return { registry, dataDir, manager: await PackageManager.open({ dataDir, registry }) };
}

async function makeBundle(): Promise<string> {
  const dir = writeNodePackage(path.join(work, 'fixtures'), {
    name: '@plant/calibrate-nodes',
    version: '1.2.0',
    types: ['calibrate'],
  });
  const packed = packFixture(dir, path.join(work, 'packed'));
  const out = path.join(work, `bundle-${++count}.tgz`);
  await writeBundle(out, flow, [{ name: '@plant/calibrate-nodes', version: '1.2.0', tarball: packed.file }]);
  return out;
}

/** Unpacks a bundle, lets `change` edit its files, packs it again. */
function tamper(bundle: string, change: (dir: string) => void): string {
  const dir = mkdtempSync(path.join(work, 'tamper-'));
  execFileSync('tar', ['-xzf', bundle, '-C', dir]);
  change(dir);
  const out = `${dir}.tgz`;
  execFileSync('tar', ['-czf', out, '-C', dir, 'bundle.json', 'flow.json', 'packages']);
  return out;
}

const nothingInstalled = (dataDir: string) =>
  !existsSync(path.join(dataDir, 'nodes', 'installed.json')) &&
  readdirSync(path.join(dataDir, 'nodes', 'packages')).length === 0;

describe('bundles', () => {
  it('installs the packages of a bundle with no registry, and hands back its flow', async () => {
    const bundle = await makeBundle();
    const { manager, registry } = await freshRuntime();
    const outcome = await manager.installBundle(bundle, 'tester');
    expect(outcome.flow).toEqual(flow);
    expect(outcome.packages).toEqual([{ name: '@plant/calibrate-nodes', version: '1.2.0', status: 'installed' }]);
    expect(manager.list()[0]).toMatchObject({ source: 'bundle', integrity: outcome.manifest.packages[0]?.integrity });
    expect(registry.node('calibrate')).toBeDefined();
    expect((await manager.installBundle(bundle, 'tester')).packages[0]?.status).toBe('unchanged');
  });

  it('refuses a bundle whose tarball was altered by one byte, installing nothing', async () => {
    const bundle = tamper(await makeBundle(), (dir) => {
      const file = path.join(dir, 'packages', 'plant+calibrate-nodes-1.2.0.tgz');
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      writeFileSync(file, bytes);
    });
    const { manager, registry, dataDir } = await freshRuntime();
    await expect(manager.installBundle(bundle, 'tester')).rejects.toMatchObject({
      code: 'BUNDLE_INVALID',
      message:
        'the bundle was refused, nothing was installed: packages/plant+calibrate-nodes-1.2.0.tgz (@plant/calibrate-nodes 1.2.0) does not match its sha512 in bundle.json: the bundle was damaged or altered',
    });
    expect(registry.node('calibrate')).toBeUndefined();
    mkdirSync(path.join(dataDir, 'nodes', 'packages'), { recursive: true });
    expect(nothingInstalled(dataDir)).toBe(true);
  });

  it('refuses a bundle whose manifest was edited, and a file that is not a bundle', async () => {
    const edited = tamper(await makeBundle(), (dir) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'bundle.json'), 'utf8')) as {
        packages: Array<{ integrity: string }>;
      };
      manifest.packages[0].integrity = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
      writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(manifest));
    });
    const { manager } = await freshRuntime();
    await expect(manager.installBundle(edited, 'tester')).rejects.toThrow(/does not match its sha512 in bundle\.json/);
    const junk = path.join(work, 'junk.tgz');
    writeFileSync(junk, 'not a tarball at all');
    await expect(manager.installBundle(junk, 'tester')).rejects.toThrow(
      /^the bundle was refused, nothing was installed: it is not a gzip file \(\.tgz\)$/,
    );
  });
});
