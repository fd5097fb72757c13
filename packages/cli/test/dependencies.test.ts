import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VENDOR_ROOTS } from '../src/scaffold/vendor-tagflow';

// What an installed `tagflow` needs is what its dependencies list, nothing more: the packages its
// code loads, and those `tagflow new-node` packs into a new package's vendor folder (read from the
// installation at run time, not imported). Test helpers belong in devDependencies.
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

  it('lists exactly the packages its code loads and the ones new-node vendors', () => {
    const needed = new Set([...loaded(), ...VENDOR_ROOTS]);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...needed].sort());
    expect(needed).toContain('@tagflow/runtime');
    expect(needed).toContain('@tagflow/node-test');
  });
});
