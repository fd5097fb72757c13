import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VENDOR_ROOTS } from '../src/scaffold/vendor-tagflow';

// What an installed `tagflow` needs is what its dependencies list, nothing more: the packages its
// code loads, those `tagflow new-node` packs into a new package's vendor folder (read from the
// installation at run time, not imported), and the node packages it comes with (found by
// discovery through this very list, never imported). Test helpers belong in devDependencies.
describe('the CLI package.json', () => {
  const root = path.resolve(__dirname, '..');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
  }

  /** Packages named by `from '...'`, `import('...')`, `require('...')` and `require.resolve('...')` in src. */
  function loaded(): string[] {
    const names = new Set<string>();
    for (const file of sources(path.join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/(?:\bfrom |import\(|require\(|require\.resolve\()'([^'.\s;][^'\s;]*)'/g)) {
        if (spec.startsWith('node:')) continue;
        const parts = spec.split('/');
        names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
      }
    }
    return [...names];
  }

  /** Dependencies that are node packages (a `tagflow` field): the node types tagflow comes with. */
  function builtInNodePackages(): string[] {
    return Object.keys(manifest.dependencies).filter((name) => {
      // Read from node_modules, not resolved: a package's `exports` may not export its package.json.
      const pkg = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
        tagflow?: unknown;
      };
      return pkg.tagflow !== undefined;
    });
  }

  it('lists exactly the packages its code loads, the ones new-node vendors and the node packages it comes with', () => {
    const builtIn = builtInNodePackages();
    expect(builtIn).toContain('@tagflow/nodes-core');
    const needed = new Set([...loaded(), ...VENDOR_ROOTS, ...builtIn]);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...needed].sort());
    expect(needed).toContain('@tagflow/runtime');
    expect(needed).toContain('@tagflow/node-test');
  });
});
