import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildWhenStale } from './build-when-stale';

// From src/ or dist/ of packages/test-support alike.
/** The root of the tagflow repository. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** The CLI package's folder. */
export const cliRoot = path.join(repoRoot, 'packages', 'cli');
/** The CLI's committed launcher, what `tagflow` runs. */
export const cliBin = path.join(cliRoot, 'bin', 'tagflow.js');
/** The editor package's folder; `tagflow start` serves its `dist/`. */
export const editorRoot = path.join(repoRoot, 'editor');

/**
 * Makes sure `tagflow` runs the current code, as users run it: the packages it loads must have been
 * built (by turbo), and the CLI itself is rebuilt with tsc when older than its sources.
 */
export function ensureCliBuilt(): void {
  for (const dist of ['packages/flow-model/dist/index.js', 'runtime/dist/index.js', 'nodes/core/dist/index.js']) {
    if (!existsSync(path.join(repoRoot, dist)))
      throw new Error(`${dist} is missing: build first (pnpm exec turbo run build --filter=tagflow...)`);
  }
  buildWhenStale({
    output: path.join(cliRoot, 'dist', 'bin.js'),
    sources: [path.join(cliRoot, 'src')],
    lock: path.join(cliRoot, 'node_modules', '.cache', 'tagflow-cli-build-lock'),
    // A build takes seconds.
    staleLockMs: 120_000,
    build: () =>
      run(require.resolve('typescript/bin/tsc', { paths: [cliRoot] }), ['-p', 'tsconfig.build.json'], cliRoot),
  });
}

/**
 * Builds the editor (`vite build` into editor/dist) when it is missing or older than its sources,
 * so that end-to-end tests always drive the current UI.
 */
export function ensureEditorBuilt(): void {
  const vite = path.join(editorRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite))
    throw new Error(`cannot build the editor: ${vite} is missing (pnpm install at the repository root)`);
  buildWhenStale({
    output: path.join(editorRoot, 'dist', 'index.html'),
    sources: ['src', 'scripts', 'index.html', 'vite.config.ts'].map((p) => path.join(editorRoot, p)),
    // Outside dist, which vite empties.
    lock: path.join(editorRoot, 'node_modules', '.cache', 'tagflow-e2e-build-lock'),
    build: () => {
      const started = Date.now();
      run(vite, ['build'], editorRoot);
      process.stdout.write(`test-support: built the editor in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  });
}

function run(script: string, args: string[], cwd: string): void {
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0)
    throw new Error(
      `building ${path.relative(repoRoot, cwd)} failed (${path.basename(script)}):\n${result.stdout}${result.stderr}`,
    );
}
