import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  nodeIdentifier,
  nodeTypeFromPackage,
  nodeTypeProblem,
  packageNameProblem,
  unscopedName,
} from '../../src/scaffold/package-name';
import { publishedManifest } from '../../src/scaffold/vendor-tagflow';

describe('package names', () => {
  it.each(['nodes-foo', '@acme/nodes-foo', 'a', 'x.y_z-1', '@a-b/c.d'])('accepts %j', (name) => {
    expect(packageNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'the package name is empty'],
    ['Nodes', '"Nodes" is not a valid npm package name: npm package names are lowercase'],
    ['_x', '"_x" is not a valid npm package name: "_x" starts with "_"'],
    ['@.acme/x', '"@.acme/x" is not a valid npm package name: ".acme" starts with "."'],
    ['a b', '"a b" is not a valid npm package name: use only lowercase letters, digits, "-", "." and "_"'],
    ['@acme', '"@acme" is not a valid npm package name: use only lowercase letters, digits, "-", "." and "_"'],
    ['x~y', '"x~y" is not a valid npm package name: use only lowercase letters, digits, "-", "." and "_"'],
    ['fs', '"fs" is not a valid npm package name: "fs" is reserved (a Node.js core module or an npm special name)'],
    ['x'.repeat(215), `"${'x'.repeat(215)}" is not a valid npm package name: it is longer than 214 characters`],
  ])('refuses %j', (name, problem) => {
    expect(packageNameProblem(name)).toBe(problem);
  });

  it('derives the folder and the node type from the name', () => {
    expect(unscopedName('@acme/nodes-foo')).toBe('nodes-foo');
    expect(nodeTypeFromPackage('@acme/nodes-unit-convert')).toBe('unit-convert');
    expect(nodeTypeFromPackage('tagflow-nodes-weigh')).toBe('weigh');
    expect(nodeTypeFromPackage('acme-weigh-nodes')).toBe('acme-weigh');
    expect(nodeTypeFromPackage('@plant/calib.v2')).toBe('calib-v2');
    expect(nodeTypeFromPackage('@acme/nodes')).toBe('unit-convert');
    expect(nodeTypeFromPackage('42')).toBe('unit-convert');
  });

  it('checks node type names and makes identifiers of them', () => {
    expect(nodeTypeProblem('net-weight')).toBeUndefined();
    expect(nodeTypeProblem('Net_Weight')).toMatch(/is not a valid node type name/);
    expect(nodeTypeProblem('-x')).toMatch(/is not a valid node type name/);
    expect(nodeIdentifier('unit-convert')).toBe('unitConvert');
    expect(nodeIdentifier('v2-scale')).toBe('v2Scale');
    expect(nodeIdentifier('delete')).toBe('deleteNode');
  });
});

describe('vendored package.json', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tagflow-manifest-'));
    mkdirSync(path.join(dir, 'node_modules', 'pino'), { recursive: true });
    writeFileSync(
      path.join(dir, 'node_modules', 'pino', 'package.json'),
      JSON.stringify({ name: 'pino', version: '10.4.0' }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is written as pnpm publishes it: workspace and catalog ranges resolved, no dev dependencies or scripts', () => {
    const versions = new Map([
      ['@tagflow/node-sdk', '0.1.0'],
      ['@tagflow/flow-model', '0.2.0'],
    ]);
    const manifest = {
      name: '@tagflow/runtime',
      version: '0.1.0',
      main: 'dist/index.js',
      files: ['dist'],
      scripts: { build: 'tsc' },
      dependencies: {
        '@tagflow/flow-model': 'workspace:*',
        '@tagflow/node-sdk': 'workspace:^',
        pino: 'catalog:',
        ws: '^8.0.0',
      },
      peerDependencies: { '@tagflow/node-sdk': 'workspace:~0.1.0' },
      devDependencies: { '@types/ws': 'catalog:' },
    };
    expect(publishedManifest(manifest, dir, versions)).toEqual({
      name: '@tagflow/runtime',
      version: '0.1.0',
      main: 'dist/index.js',
      files: ['dist'],
      dependencies: { '@tagflow/flow-model': '0.2.0', '@tagflow/node-sdk': '^0.1.0', pino: '10.4.0', ws: '^8.0.0' },
      peerDependencies: { '@tagflow/node-sdk': '~0.1.0' },
    });
  });

  it('names a catalog dependency it cannot find', () => {
    expect(() =>
      publishedManifest({ name: 'x', version: '1.0.0', dependencies: { express: 'catalog:' } }, dir, new Map()),
    ).toThrow(`cannot find express, a dependency of x, from ${dir}`);
  });
});
