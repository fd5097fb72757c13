import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeRegistry } from '../../src/registry/node-registry';
import { openBundle, PackageManager, writeBundle, writeFlowsBundle } from '../../src/packages';
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

  it('carries several flows (format version 2), each read back in order; one flow stays version 1', async () => {
    const alarms = { ...flow, id: 'alarms' };
    const report = { ...flow, id: 'report' };
    const several = path.join(work, `several-${++count}.tgz`);
    const manifest = await writeFlowsBundle(several, [flow, alarms, report], []);
    expect(manifest).toMatchObject({
      formatVersion: 2,
      flow: 'flow.json',
      flows: ['flow.json', 'flows/alarms.json', 'flows/report.json'],
    });
    const opened = await openBundle(several, work);
    expect(opened.flows).toEqual([flow, alarms, report]);
    expect(opened.flow).toEqual(flow);
    await opened.close();
    // The runtime's bundle route installs the packages and names the first flow, as before.
    const { manager } = await freshRuntime();
    expect((await manager.installBundle(several, 'tester')).flow).toEqual(flow);

    const one = await openBundle(await makeBundle(), work);
    expect(one.manifest.formatVersion).toBe(1);
    expect(one.manifest.flows).toBeUndefined();
    expect(one.flows).toEqual([flow]);
    await one.close();
  });

  it('refuses a bundle whose "flows" list is malformed or names a missing file', async () => {
    const several = path.join(work, `several-${++count}.tgz`);
    await writeFlowsBundle(several, [flow, { ...flow, id: 'alarms' }], []);
    const edit = (change: (m: Record<string, unknown>) => void) => {
      const dir = mkdtempSync(path.join(work, 'flows-'));
      execFileSync('tar', ['-xzf', several, '-C', dir]);
      const manifest = JSON.parse(readFileSync(path.join(dir, 'bundle.json'), 'utf8')) as Record<string, unknown>;
      change(manifest);
      writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(manifest));
      const out = `${dir}.tgz`;
      execFileSync('tar', ['-czf', out, '-C', dir, 'bundle.json', 'flow.json', 'flows', 'packages']);
      return out;
    };
    await expect(
      openBundle(
        edit((m) => (m.flows = 'flow.json')),
        work,
      ),
    ).rejects.toThrow(/"flows" that is not a list of file names/);
    await expect(
      openBundle(
        edit((m) => (m.flows = ['flows/alarms.json', 'flow.json'])),
        work,
      ),
    ).rejects.toThrow(/lists its "flow" other than first in "flows"/);
    await expect(
      openBundle(
        edit((m) => (m.flows = ['flow.json', 'flows/gone.json'])),
        work,
      ),
    ).rejects.toThrow(/it has no flows\/gone\.json/);
    await expect(
      openBundle(
        edit((m) => (m.flows = ['flow.json', '../../etc/passwd'])),
        work,
      ),
    ).rejects.toThrow(/outside the bundle/);
    await expect(
      openBundle(
        edit((m) => (m.formatVersion = 3)),
        work,
      ),
    ).rejects.toThrow(/format version 3; this runtime reads versions 1 and 2/);
  });
});
