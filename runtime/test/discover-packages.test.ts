import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeTypeInfo } from '@tagflow/flow-model';
import { SDK_VERSION } from '@tagflow/node-sdk';
import { discoverNodePackages } from '../src/registry/discover-packages';
import type { DiscoveryReport } from '../src/registry/discover-packages';
import { NodeRegistry } from '../src/registry/node-registry';

const fixtures = path.join(__dirname, 'fixtures', 'packages');
const project = path.join(fixtures, 'project');
const highPriority = path.join(fixtures, 'high-priority');

function problemOf(report: DiscoveryReport, name: string): string {
  const found = report.problems.filter((p) => p.package === name);
  expect(found).toHaveLength(1);
  return found[0].message;
}

function packageNames(report: DiscoveryReport): string[] {
  return report.packages.map((p) => p.name).sort();
}

describe('discoverNodePackages in one project', () => {
  let registry: NodeRegistry;
  let report: DiscoveryReport;

  beforeAll(async () => {
    registry = new NodeRegistry();
    report = await discoverNodePackages([project], registry);
  });

  it('installs the good, the scoped and the workspace packages, and nothing else', () => {
    expect(packageNames(report)).toEqual(['@acme/nodes-scoped', 'good-nodes', 'workspace-nodes']);
    expect(
      registry
        .nodeTypes()
        .map((n) => n.definition.type)
        .sort(),
    ).toEqual(['acme-scale', 'double', 'noop']);
    expect(registry.resourceTypes().map((r) => r.definition.type)).toEqual(['counter-store']);
  });

  it('reports each package with its version, real folder and the types it provides', () => {
    const good = report.packages.find((p) => p.name === 'good-nodes');
    expect(good).toEqual({
      name: 'good-nodes',
      version: '1.0.0',
      dir: realpathSync(path.join(project, 'node_modules', 'good-nodes')),
      nodes: ['double'],
      resources: ['counter-store'],
    });
  });

  it('registers the modules the package lists, with the package they came from', async () => {
    const double = registry.node('double');
    expect(double?.package).toEqual({ name: 'good-nodes', version: '1.0.0' });
    // The definition is the module's real export: its create works.
    const sent: unknown[] = [];
    const instance = await double!.definition.create({
      send: (msg: { payload: unknown }) => sent.push(msg.payload),
    } as never);
    await instance.onMessage?.({ payload: 21, timestamp: 0, quality: 'good' }, 'in');
    expect(sent).toEqual([42]);
    const catalog = registry.catalog().nodes as ReadonlyMap<string, NodeTypeInfo>;
    expect(catalog.get('acme-scale')?.package).toEqual({
      name: '@acme/nodes-scoped',
      version: '4.5.6',
    });
  });

  it('accepts module.exports itself as the definition (no default export)', () => {
    expect(registry.node('acme-scale')?.definition.version).toBe(2);
    expect(registry.migrations('acme-scale')?.migrations?.[1]?.({ gain: 3 })).toEqual({ factor: 3 });
  });

  it('refuses a package made for another SDK, naming both versions, without loading it', () => {
    expect(problemOf(report, 'incompatible-sdk')).toBe(
      `incompatible-sdk 1.2.0 needs @tagflow/node-sdk ^2.0.0 but this runtime has ${SDK_VERSION}`,
    );
  });

  it('skips a package whose module throws on load, with none of its types installed', () => {
    expect(problemOf(report, 'broken-module')).toBe(
      'broken-module 0.3.0: cannot load lib/boom.node.js: it threw while loading: boom: cannot initialise the driver',
    );
    expect(registry.node('fine-but-unused')).toBeUndefined();
  });

  it('names every field that makes a definition invalid', () => {
    const message = problemOf(report, 'invalid-definition');
    expect(message).toMatch(
      /^invalid-definition 0\.0\.1: lib\/invalid\.node\.js does not export a valid node definition: /,
    );
    expect(message).toContain('`version` must be an integer of 1 or more (got "1")');
    expect(message).toContain('`inputs` must be an array of port names (got "in")');
    expect(message).toContain('`create` must be a function (got nothing)');
    expect(message).toContain('`docs` must be a string when present (got an array)');
    expect(message).toContain('`errors` must map error codes to their meanings (got an object)');
    expect(registry.node('invalid')).toBeUndefined();
  });

  it('refuses a package whose type another package already provides, installing none of its types', () => {
    expect(problemOf(report, 'other-doubler')).toBe(
      'other-doubler 2.0.0: node type "double" is already installed from good-nodes 1.0.0; the package was skipped',
    );
    expect(registry.node('double')?.package.name).toBe('good-nodes');
    expect(registry.node('triple')).toBeUndefined();
  });

  it('reports a tagflow package.json that is not valid JSON', () => {
    expect(problemOf(report, 'bad-json')).toMatch(/^bad-json: package\.json is not valid JSON: /);
  });

  it('reports a package without an SDK peer range, and one whose module is not built', () => {
    expect(problemOf(report, 'no-peer')).toContain('add it to "peerDependencies"');
    expect(problemOf(report, 'missing-file')).toBe(
      'missing-file 1.0.0: cannot find dist/not-built.node.js (is the package built?)',
    );
  });

  it('ignores packages that are not node packages, even broken ones', () => {
    // plain-lib's main module throws if loaded; broken-unrelated's package.json is not JSON.
    const names = [...report.packages.map((p) => p.name), ...report.problems.map((p) => p.package)];
    expect(names).not.toContain('plain-lib');
    expect(names).not.toContain('broken-unrelated');
    expect(report.problems.map((p) => p.package).sort()).toEqual([
      'bad-json',
      'broken-module',
      'incompatible-sdk',
      'invalid-definition',
      'missing-file',
      'no-peer',
      'other-doubler',
    ]);
  });
});

describe('discoverNodePackages across search dirs', () => {
  it('uses the copy in the first search dir when a package is in several', async () => {
    const registry = new NodeRegistry();
    const report = await discoverNodePackages([highPriority, project], registry);
    const good = report.packages.filter((p) => p.name === 'good-nodes');
    expect(good).toEqual([
      expect.objectContaining({
        version: '9.9.9',
        dir: realpathSync(path.join(highPriority, 'node_modules', 'good-nodes')),
      }),
    ]);
    expect(registry.node('double')?.definition.version).toBe(3);
    // The other copy is ignored, not reported as a clash with itself.
    expect(report.problems.map((p) => p.package)).not.toContain('good-nodes');
  });

  it('follows the priority order given, not the folder names', async () => {
    const registry = new NodeRegistry();
    const report = await discoverNodePackages([project, highPriority], registry);
    expect(report.packages.find((p) => p.name === 'good-nodes')?.version).toBe('1.0.0');
    expect(registry.node('double')?.definition.version).toBe(1);
  });

  it('loads a search dir that is itself a node package (a package being written)', async () => {
    const registry = new NodeRegistry();
    const report = await discoverNodePackages([path.join(fixtures, 'author-package')], registry);
    expect(report).toEqual({
      packages: [
        {
          name: 'author-package',
          version: '0.0.1',
          dir: realpathSync(path.join(fixtures, 'author-package')),
          nodes: ['draft'],
          resources: [],
        },
      ],
      problems: [],
    });
  });

  it('finds nothing, and reports nothing, in a folder without node_modules or one that does not exist', async () => {
    const registry = new NodeRegistry();
    const report = await discoverNodePackages(
      [path.join(fixtures, 'linked-source'), path.join(fixtures, 'no-such-dir')],
      registry,
    );
    expect(report).toEqual({ packages: [], problems: [] });
  });

  it('checks peer ranges against the SDK version it is given', async () => {
    const registry = new NodeRegistry();
    const report = await discoverNodePackages([project], registry, { sdkVersion: '2.1.0' });
    // Only a workspace range accepts any SDK; every other package here was written for 0.x.
    expect(packageNames(report)).toEqual(['workspace-nodes']);
    expect(problemOf(report, '@acme/nodes-scoped')).toBe(
      '@acme/nodes-scoped 4.5.6 needs @tagflow/node-sdk 0.x || ^1.0.0 but this runtime has 2.1.0',
    );
    expect(problemOf(report, 'good-nodes')).toBe(
      'good-nodes 1.0.0 needs @tagflow/node-sdk ^0.1.0 but this runtime has 2.1.0',
    );
    // incompatible-sdk fits 2.1.0 and is loaded: its module throws, which proves the range check came first above.
    expect(problemOf(report, 'incompatible-sdk')).toContain('it threw while loading');
  });
});

describe('discoverNodePackages with symlinked packages (pnpm layout)', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'tagflow-discover-'));
    mkdirSync(path.join(project, 'node_modules', '@links'), { recursive: true });
    const source = path.join(fixtures, 'linked-source', 'linked-nodes');
    symlinkSync(source, path.join(project, 'node_modules', 'linked-nodes'), 'dir');
    symlinkSync(source, path.join(project, 'node_modules', '@links', 'same-package'), 'dir');
    symlinkSync(path.join(project, 'gone'), path.join(project, 'node_modules', 'dangling'), 'dir');
  });

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('follows the link and loads modules from the real folder, so their dependencies resolve', async () => {
    const registry = new NodeRegistry();
    const report = await discoverNodePackages([project], registry);
    expect(report.problems).toEqual([]);
    expect(report.packages).toEqual([
      {
        name: 'linked-nodes',
        version: '0.5.0',
        dir: realpathSync(path.join(fixtures, 'linked-source', 'linked-nodes')),
        nodes: ['greet'],
        resources: [],
      },
    ]);
    expect(registry.node('greet')?.definition.description).toBe('Says hello, with a word from its own dependency.');
  });
});
