// examples/custom-node built and packed as `npm pack` makes it: what an admin carries to a site on
// a USB stick. Shared by the end-to-end tests that install a node package through the editor.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '@tagflow/test-support';

const customNode = path.join(repoRoot, 'examples', 'custom-node');

/** Builds examples/custom-node and packs it into a new temp folder; returns the `.tgz` path. */
export function packCustomNode(): string {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [customNode] });
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: customNode, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building ${customNode} failed:\n${built.stdout}${built.stderr}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'tagflow-pm-e2e-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', customNode, '--pack-destination', dir, '--json', '--loglevel=error'], {
      encoding: 'utf8',
    }),
  ) as Array<{ filename: string }>;
  return path.join(dir, packed.filename.replace(/^@/, '').replace('/', '-'));
}
