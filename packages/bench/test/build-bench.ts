// The children and the benchmark run the built dist/ (as `pnpm bench` does), and neither
// `pnpm test` nor Jest builds it: without this, a test could pass on code older than src/.
// turbo builds the benchmark and every package it uses from their sources, and skips (or restores
// from its cache) what is already up to date, so an unchanged tree costs a second or two.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

/** Builds @tagflow/bench and what it uses; throws with turbo's output when that fails. */
export function buildBench(): void {
  const tools = join(root, '.tools', 'node_modules', '.bin');
  const path = [dirname(process.execPath), ...(existsSync(tools) ? [tools] : []), process.env.PATH ?? ''];
  const build = spawnSync(
    join(root, 'node_modules', '.bin', 'turbo'),
    ['run', 'build', '--filter=@tagflow/bench...', '--output-logs=errors-only'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PATH: path.join(delimiter), TURBO_TELEMETRY_DISABLED: '1' },
    },
  );
  if (build.status !== 0)
    throw new Error(`building the benchmark failed (turbo exit ${build.status}):\n${build.stdout}${build.stderr}`);
}
