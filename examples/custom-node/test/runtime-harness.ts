// What the install e2e test needs around the package besides @tagflow/test-support (the CLI, the
// editor, `tagflow start`, Chromium): this package built as `pnpm build` builds it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const packageRoot = path.resolve(__dirname, '..');

/** Compiles this package (`tsc -p tsconfig.build.json`) into dist, as `pnpm build` does. */
export function buildPackage(): void {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [packageRoot] });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: packageRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`building ${packageRoot} failed:\n${result.stdout}${result.stderr}`);
}
