import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from './atomic-file';
import { PRIVATE_DIR_MODE } from './data-dir-permissions';
import { FlowStore } from './flow-store';
import { flowIdProblem } from './flows-index';

/**
 * Where the upgrade gathers the single-flow files before the folder takes the flow's id. It starts
 * with a dot, so it is never a flow's folder (a flow id starts with a letter or a digit).
 */
export const UPGRADE_FOLDER = '.single-flow-upgrade';

/** The files of the single-flow layout, directly in `flows/`, and the temporary files a crash may leave of them. */
const singleFlowFile = /^(versions\.json|v[0-9]+\.json)$/;
const singleFlowTemp = /^(versions\.json|v[0-9]+\.json)\.tmp$/;

/** What the upgrade moved. */
export interface SingleFlowUpgrade {
  /** The flow's id, and the name of its folder in `flows/`. */
  flowId: string;
  /** How many versions its history holds. */
  versions: number;
}

/**
 * True when `flowsDir` holds the single-flow layout of tagflow before many flows per runtime
 * (`versions.json` and `v<N>.json` directly in it), or an upgrade of it that a crash interrupted.
 */
export async function hasSingleFlowLayout(flowsDir: string): Promise<boolean> {
  return (
    (await isKind(join(flowsDir, 'versions.json'), 'file')) || (await isKind(join(flowsDir, UPGRADE_FOLDER), 'dir'))
  );
}

/**
 * Moves the single-flow history of `flowsDir` into `flowsDir/<flow id>/`: the id of its current
 * version (else of its newest). Each step may be cut by a crash, and calling this again completes it:
 * 1. the history is checked where it is (a damaged `versions.json` or flow file is an error naming
 *    it, and nothing is moved);
 * 2. `versions.json` and every `v<N>.json` move into `flows/.single-flow-upgrade/`, one rename each
 *    (temporary files a crash left are dropped: their write never completed);
 * 3. that folder is renamed to `flows/<flow id>/` in one step, so the flow's folder is either
 *    absent or complete.
 * The caller then lists the flow in `flows.json`. An empty history (no version saved) is dropped:
 * undefined is returned.
 */
export async function moveSingleFlowHistory(flowsDir: string): Promise<SingleFlowUpgrade | undefined> {
  const staging = join(flowsDir, UPGRADE_FOLDER);
  if (!(await isKind(staging, 'dir'))) {
    await FlowStore.openDir(flowsDir);
    await mkdir(staging, { mode: PRIVATE_DIR_MODE });
  }
  for (const entry of await readdir(flowsDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const from = join(flowsDir, entry.name);
    if (singleFlowTemp.test(entry.name)) await rm(from, { force: true });
    else if (singleFlowFile.test(entry.name)) await rename(from, join(staging, entry.name));
  }
  await syncDir(staging);
  await syncDir(flowsDir);

  const history = await FlowStore.openDir(staging);
  const versions = history.list();
  if (versions.length === 0) {
    await rm(staging, { recursive: true, force: true });
    await syncDir(flowsDir);
    return undefined;
  }
  const flowId = history.current()?.version.flowId ?? versions[versions.length - 1].flowId;
  const problem = flowIdProblem(flowId);
  if (problem)
    throw new Error(
      `cannot upgrade the single-flow history to a folder per flow: ${problem} ` +
        `(the current flow of ${join(staging, 'versions.json')}); restore its flows/ folder from a backup`,
    );
  const target = join(flowsDir, flowId);
  if (await isKind(target, 'any'))
    throw new Error(
      `cannot upgrade the single-flow history to a folder per flow: ${target} is in the way; ` +
        `move it out of ${flowsDir} and start again (the history waits in ${staging})`,
    );
  await rename(staging, target);
  await syncDir(flowsDir);
  return { flowId, versions: versions.length };
}

async function isKind(path: string, kind: 'file' | 'dir' | 'any'): Promise<boolean> {
  try {
    const found = await stat(path);
    return kind === 'any' || (kind === 'file' ? found.isFile() : found.isDirectory());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}
