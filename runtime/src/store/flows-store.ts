import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { syncDir, UpdateQueue } from './atomic-file';
import { PRIVATE_DIR_MODE } from './data-dir-permissions';
import { FlowStore } from './flow-store';
import { FLOWS_INDEX_FILE, flowIdProblem, readFlowsIndex, writeFlowsIndex } from './flows-index';
import type { FlowsIndexEntry } from './flows-index';
import { hasSingleFlowLayout, moveSingleFlowHistory, UPGRADE_FOLDER } from './single-flow-upgrade';
import type { SingleFlowUpgrade } from './single-flow-upgrade';
import type { FlowsStoreApi, FlowStoreApi, FlowVersion } from './types';

/** Where removed flows go, in the data dir: `<id>-<time>/`, so that a removal can be undone by hand. */
export const FLOWS_DELETED_DIR = 'flows-deleted';

/** `<id>-2026-12-04T16-25-45.123Z`, with `-2`, `-3` ... when two removals share a millisecond. */
const deletedName = /^(.+)-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z)(?:-\d+)?$/;

/**
 * One flow's history as the FlowsStore hands it out: reads go to its `FlowStore`, saves through the
 * FlowsStore, which lists the flow at its first save and refuses saves once the flow is removed.
 */
class HeldFlow implements FlowStoreApi {
  removed = false;

  constructor(
    readonly id: string,
    readonly history: FlowStore,
    private readonly saveThrough: (flow: HeldFlow, content: Flow, by: string, note?: string) => Promise<FlowVersion>,
  ) {}

  current(): { version: FlowVersion; flow: Flow } | undefined {
    return this.history.current();
  }

  save(flow: Flow, by: string, note?: string): Promise<FlowVersion> {
    return this.saveThrough(this, flow, by, note);
  }

  list(): FlowVersion[] {
    return this.history.list();
  }

  get(version: number): Promise<Flow | undefined> {
    return this.history.get(version);
  }

  /** Characters of flow JSON held in memory (the current version's). */
  heldFlowChars(): number {
    return this.history.heldFlowChars();
  }
}

/**
 * The flows of a runtime: one folder per flow in `<data dir>/flows/<flow id>/` holding its
 * history (`versions.json`, `v<N>.json`: the `FlowStore` format), and `flows/flows.json` listing
 * the flows in the order of their first save, with `createdAt` and `disabled`.
 *
 * Crash safety: every file is written atomically; a flow's first version is saved before the flow
 * is listed, so a crash between the two leaves a folder with a history but not in the index, which
 * the next `open` lists again (`notes` says so); a removal moves the folder before the flow leaves
 * the index, so a listed flow whose folder is in `flows-deleted/` is dropped from the index by the
 * next `open`. A listed flow whose folder is missing otherwise, or a damaged `flows.json`, is an
 * error naming the file, never a silent reset.
 *
 * `open(dataDir)` upgrades the single-flow layout of earlier tagflow versions (see
 * `moveSingleFlowHistory`) and says so in `upgraded` and `notes`; it logs nothing itself.
 * Saves, removals and index changes run one at a time, in call order.
 */
export class FlowsStore implements FlowsStoreApi {
  private readonly updates = new UpdateQueue();
  private readonly flowsDir: string;
  private readonly indexPath: string;
  /** The listed flows, in first-save order; replaced once a change is on disk. */
  private entries: FlowsIndexEntry[] = [];
  /** Every flow opened: the listed ones, and new ones not saved yet. */
  private readonly held = new Map<string, HeldFlow>();
  /** What `open` did to the data dir, a sentence each, for the caller to log; empty when nothing. */
  readonly notes: string[] = [];
  private upgradedFlow: SingleFlowUpgrade | undefined;

  private constructor(private readonly dataDir: string) {
    this.flowsDir = join(dataDir, 'flows');
    this.indexPath = join(this.flowsDir, FLOWS_INDEX_FILE);
  }

  /**
   * Opens the flows of `dataDir`, creating `flows/` and its index when new, upgrading a
   * single-flow data dir, and completing what a crash interrupted; then opens every listed flow.
   */
  static async open(dataDir: string): Promise<FlowsStore> {
    const store = new FlowsStore(dataDir);
    await store.load();
    return store;
  }

  /** Set when `open` upgraded a single-flow data dir (or completed such an upgrade). */
  get upgraded(): SingleFlowUpgrade | undefined {
    return this.upgradedFlow && { ...this.upgradedFlow };
  }

  private async load(): Promise<void> {
    const { flowsDir, indexPath } = this;
    await mkdir(flowsDir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: Error) => {
      throw new Error(`cannot create the flows folder ${flowsDir}: ${err.message}`);
    });
    const listed = await readFlowsIndex(indexPath);
    if (await hasSingleFlowLayout(flowsDir)) {
      if (listed)
        throw new Error(
          `${flowsDir} holds both a list of flows (${FLOWS_INDEX_FILE}) and a single-flow history ` +
            `(versions.json or ${UPGRADE_FOLDER}/): an older tagflow wrote into this data dir after it was ` +
            'upgraded to many flows. Move the history you do not want out of the folder and start again',
        );
      await moveSingleFlowHistory(flowsDir);
    }

    const entries: FlowsIndexEntry[] = [];
    let changed = listed === undefined;
    for (const entry of listed ?? []) {
      if (await isDir(join(flowsDir, entry.id))) {
        entries.push(entry);
        this.held.set(entry.id, this.hold(entry.id, await FlowStore.openDir(join(flowsDir, entry.id))));
      } else if (await removedSince(join(this.dataDir, FLOWS_DELETED_DIR), entry)) {
        changed = true;
        this.notes.push(`finished removing flow "${entry.id}" (the runtime stopped part way through)`);
      } else {
        throw new Error(
          `flow "${entry.id}" is listed in ${indexPath} but its folder ${join(flowsDir, entry.id)} is missing: ` +
            `restore the folder from a backup, or take "${entry.id}" out of ${FLOWS_INDEX_FILE}`,
        );
      }
    }

    // Folders with a history but not listed: the runtime stopped between a flow's first save and
    // the index, or between the upgrade's move and the index.
    const found: Array<{ entry: FlowsIndexEntry; versions: number }> = [];
    for (const dirent of await readdir(flowsDir, { withFileTypes: true })) {
      const id = dirent.name;
      if (!dirent.isDirectory() || this.held.has(id) || flowIdProblem(id)) continue;
      const history = await FlowStore.openDir(join(flowsDir, id));
      const versions = history.list();
      if (versions.length === 0) continue; // opened, never saved: not a flow the runtime holds
      this.held.set(id, this.hold(id, history));
      found.push({ entry: { id, createdAt: versions[0].deployedAt }, versions: versions.length });
    }
    found.sort((a, b) => Date.parse(a.entry.createdAt) - Date.parse(b.entry.createdAt));
    entries.push(...found.map((f) => f.entry));
    if (listed === undefined && found.length === 1) {
      const flowId = found[0].entry.id;
      this.upgradedFlow = { flowId, versions: found[0].versions };
      this.notes.unshift(
        `upgraded the single-flow data dir: flow "${flowId}" (${plural(found[0].versions, 'version')}) ` +
          `now in flows/${flowId}/`,
      );
    } else {
      for (const { entry } of found)
        this.notes.push(
          `flow "${entry.id}" found in flows/${entry.id}/ but not in ${FLOWS_INDEX_FILE} ` +
            '(the runtime stopped right after its first save): listed again',
        );
    }
    if (changed || found.length > 0) await writeFlowsIndex(indexPath, entries);
    this.entries = entries;
  }

  ids(): string[] {
    return this.entries.map((e) => e.id);
  }

  get(id: string): FlowStoreApi | undefined {
    return this.isListed(id) ? this.held.get(id) : undefined;
  }

  open(id: string): Promise<FlowStoreApi> {
    const problem = flowIdProblem(id);
    if (problem) return Promise.reject(new Error(problem));
    const known = this.held.get(id);
    if (known) return Promise.resolve(known);
    // Queued, so that a removal under way moves its folder before a new history of the id starts.
    return this.updates.run(async () => {
      const again = this.held.get(id);
      if (again) return again;
      const flow = this.hold(id, await FlowStore.openDir(join(this.flowsDir, id)));
      this.held.set(id, flow);
      return flow;
    });
  }

  disabled(id: string): boolean {
    return this.entries.some((e) => e.id === id && e.disabled === true);
  }

  setDisabled(id: string, disabled: boolean): Promise<void> {
    return this.updates.run(async () => {
      if (!this.isListed(id)) throw new Error(`there is no flow "${id}" on this runtime`);
      if (this.disabled(id) === disabled) return;
      const entries = this.entries.map((e): FlowsIndexEntry => {
        if (e.id !== id) return e;
        return disabled ? { id, createdAt: e.createdAt, disabled: true } : { id, createdAt: e.createdAt };
      });
      await writeFlowsIndex(this.indexPath, entries);
      this.entries = entries;
    });
  }

  remove(id: string): Promise<boolean> {
    return this.updates.run(async () => {
      if (!this.isListed(id)) return false;
      const deletedDir = join(this.dataDir, FLOWS_DELETED_DIR);
      await mkdir(deletedDir, { recursive: true, mode: PRIVATE_DIR_MODE });
      await moveAside(join(this.flowsDir, id), deletedDir, `${id}-${new Date().toISOString().replace(/:/g, '-')}`);
      await syncDir(this.flowsDir);
      const flow = this.held.get(id);
      if (flow) flow.removed = true;
      this.held.delete(id);
      const entries = this.entries.filter((e) => e.id !== id);
      await writeFlowsIndex(this.indexPath, entries);
      this.entries = entries;
      return true;
    });
  }

  private isListed(id: string): boolean {
    return this.entries.some((e) => e.id === id);
  }

  private hold(id: string, history: FlowStore): HeldFlow {
    return new HeldFlow(id, history, (flow, content, by, note) => this.save(flow, content, by, note));
  }

  private save(flow: HeldFlow, content: Flow, by: string, note?: string): Promise<FlowVersion> {
    return this.updates.run(async () => {
      if (flow.removed)
        throw new Error(`flow "${flow.id}" was removed from this runtime: open it again to start a new history`);
      const version = await flow.history.save(content, by, note);
      // Listed once its first version is on disk; should this write fail, the next save or open lists it.
      if (!this.isListed(flow.id)) {
        const entries = [...this.entries, { id: flow.id, createdAt: version.deployedAt }];
        await writeFlowsIndex(this.indexPath, entries);
        this.entries = entries;
      }
      return version;
    });
  }
}

/** Renames `from` to `dir/name` (or `name-2`, `name-3` ... when taken), and makes it survive a power cut. */
async function moveAside(from: string, dir: string, name: string): Promise<void> {
  for (let n = 1; ; n++) {
    const to = join(dir, n === 1 ? name : `${name}-${n}`);
    if (await isDir(to)) continue;
    try {
      await rename(from, to);
    } catch (err) {
      throw new Error(`cannot move ${from} to ${to}: ${(err as Error).message}`);
    }
    await syncDir(dir);
    return;
  }
}

/** True when `deletedDir` holds a removal of `entry`'s flow made after it was created. */
async function removedSince(deletedDir: string, entry: FlowsIndexEntry): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(deletedDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`cannot read ${deletedDir}: ${(err as Error).message}`);
  }
  const created = Date.parse(entry.createdAt);
  return names.some((name) => {
    const match = deletedName.exec(name);
    if (match?.[1] !== entry.id) return false;
    const [date, time] = match[2].split('T');
    return Date.parse(`${date}T${time.replace(/-/g, ':')}`) >= created;
  });
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
