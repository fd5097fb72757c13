import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { readJsonFile, UpdateQueue, writeFileAtomic } from './atomic-file';
import { PRIVATE_DIR_MODE } from './data-dir-permissions';
import type { FlowStoreApi, FlowVersion } from './types';

/** What `versions.json` holds. */
interface VersionsFile {
  /** 0 before the first deploy. */
  current: number;
  versions: FlowVersion[];
}

/** sha256 (hex) of the flow's canonical JSON: keys sorted at every level, so key order never changes it. */
export function hashFlow(flow: Flow): string {
  return createHash('sha256').update(canonicalJson(flow)).digest('hex');
}

/** JSON with the keys of every object sorted; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.keys(item)
            .sort()
            .map((k) => [k, (item as Record<string, unknown>)[k]]),
        )
      : item,
  );
}

const flowFileName = (version: number) => `v${version}.json`;

/**
 * The history of one flow in a folder: one `v<N>.json` per deployed version and `versions.json`
 * listing them with the current one. The flow file is written before the list, so a crash between
 * the two leaves an unlisted file that the next save overwrites, never a listed version without
 * its flow. Memory holds the list and the current version's flow only: an older version is read
 * from its file (and checked against its hash) when asked for, so a long history of big flows
 * costs disk, not memory (30 versions of 4.5 MB once cost 458 MB of heap).
 */
export class FlowStore implements FlowStoreApi {
  private readonly updates = new UpdateQueue();

  private constructor(
    private readonly dir: string,
    private state: VersionsFile,
    /** The JSON text of the current version's flow: every read parses a fresh copy the caller may change. */
    private currentText: string | undefined,
  ) {}

  /**
   * Opens the single-flow history in `<dataDir>/flows`, creating the folder; a damaged file is an
   * error naming it. The layout of a runtime holding one flow: `FlowsStore` keeps one such
   * history per flow (`openDir`) and upgrades this layout.
   */
  static open(dataDir: string): Promise<FlowStore> {
    return FlowStore.openDir(join(dataDir, 'flows'));
  }

  /** Opens the history of one flow kept in `dir` (`versions.json`, `v<N>.json`), creating the folder. */
  static async openDir(dir: string): Promise<FlowStore> {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: Error) => {
      throw new Error(`cannot create the flow history folder ${dir}: ${err.message}`);
    });
    const versionsPath = join(dir, 'versions.json');
    const content = await readJsonFile(versionsPath);
    const state = content === undefined ? { current: 0, versions: [] } : checkVersionsFile(content, versionsPath);
    const current = state.versions.find((v) => v.version === state.current);
    const text = current && (await readFlowFile(join(dir, flowFileName(current.version)), current, versionsPath)).text;
    return new FlowStore(dir, state, text);
  }

  current(): { version: FlowVersion; flow: Flow } | undefined {
    const version = this.state.versions.find((v) => v.version === this.state.current);
    if (!version || this.currentText === undefined) return undefined;
    return { version: { ...version }, flow: JSON.parse(this.currentText) as Flow };
  }

  save(flow: Flow, by: string, note?: string): Promise<FlowVersion> {
    return this.updates.run(async () => {
      const text = `${JSON.stringify(flow, null, 2)}\n`;
      const last = this.state.versions.reduce((max, v) => Math.max(max, v.version), 0);
      const version: FlowVersion = {
        version: last + 1,
        flowId: flow.id,
        hash: hashFlow(flow),
        deployedAt: new Date().toISOString(),
        deployedBy: by,
        ...(note !== undefined && { note }),
        size: Buffer.byteLength(text),
      };
      await writeFileAtomic(join(this.dir, flowFileName(version.version)), text);
      const state: VersionsFile = { current: version.version, versions: [...this.state.versions, version] };
      await writeFileAtomic(join(this.dir, 'versions.json'), `${JSON.stringify(state, null, 2)}\n`);
      this.currentText = text;
      this.state = state;
      return { ...version };
    });
  }

  list(): FlowVersion[] {
    return this.state.versions.map((v) => ({ ...v }));
  }

  async get(version: number): Promise<Flow | undefined> {
    const listed = this.state.versions.find((v) => v.version === version);
    if (!listed) return undefined;
    if (version === this.state.current && this.currentText !== undefined) return JSON.parse(this.currentText) as Flow;
    const path = join(this.dir, flowFileName(version));
    return (await readFlowFile(path, listed, join(this.dir, 'versions.json'))).flow;
  }

  /** Characters of flow JSON this store holds in memory: the current version's only, however long the history. */
  heldFlowChars(): number {
    return this.currentText?.length ?? 0;
  }
}

/** The content of versions.json, checked field by field so that a hand edit gone wrong is named, not half-loaded. */
function checkVersionsFile(content: unknown, path: string): VersionsFile {
  const damaged = (what: string) => new Error(`${path} is damaged: ${what}; restore it from a backup`);
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw damaged('expected an object');
  const { current, versions } = content as Partial<VersionsFile>;
  if (!Array.isArray(versions)) throw damaged('"versions" is not a list');
  let previous = 0;
  versions.forEach((v: Partial<FlowVersion>, i) => {
    const at = `versions[${i}]`;
    if (typeof v !== 'object' || v === null) throw damaged(`${at} is not an object`);
    if (!Number.isInteger(v.version) || (v.version as number) <= previous)
      throw damaged(`${at}.version is not a number above the one before it`);
    for (const field of ['flowId', 'hash', 'deployedAt', 'deployedBy'] as const) {
      if (typeof v[field] !== 'string') throw damaged(`${at}.${field} is not a string`);
    }
    if (v.note !== undefined && typeof v.note !== 'string') throw damaged(`${at}.note is not a string`);
    if (v.size !== undefined && !(Number.isInteger(v.size) && v.size >= 0))
      throw damaged(`${at}.size is not a number of bytes`);
    previous = v.version as number;
  });
  const known = current === 0 ? versions.length === 0 : versions.some((v: FlowVersion) => v.version === current);
  if (!Number.isInteger(current) || !known)
    throw damaged(`"current" (${String(current)}) is not one of the listed versions`);
  return { current: current as number, versions: versions };
}

/** The JSON text and flow of one listed version, checked against the hash recorded for it. */
async function readFlowFile(
  path: string,
  version: FlowVersion,
  versionsPath: string,
): Promise<{ text: string; flow: Flow }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read ${path}, version ${version.version} of the flow listed in ${versionsPath}: ${(err as Error).message}`,
    );
  }
  let flow: Flow;
  try {
    flow = JSON.parse(text) as Flow;
  } catch (err) {
    throw new Error(`${path} is damaged (not valid JSON: ${(err as Error).message}); restore it from a backup`);
  }
  if (hashFlow(flow) !== version.hash) {
    throw new Error(
      `${path} does not match the hash recorded for version ${version.version} in ${versionsPath}: the file was changed or damaged`,
    );
  }
  return { text, flow };
}
