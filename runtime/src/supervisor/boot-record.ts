import path from 'node:path';
import { readJsonFile, UpdateQueue, writeFileAtomic } from '../store/atomic-file';
import type { EngineEnd } from './engine-contract';

/** The file, in the data dir. */
export const BOOT_RECORD_FILE = 'engine-boot.json';

/** Healthy flow hashes kept (newest last). */
const MAX_HEALTHY = 100;

/** The flow the engine runs now, as recorded when it started. */
export interface RunRecord {
  hash: string;
  version?: number;
  /** ISO 8601. */
  startedAt: string;
  /** It ran a minute (or passed a deploy's health window) without being ended. */
  healthy: boolean;
}

/** What `engine-boot.json` holds. */
export interface BootRecordData {
  /** Hashes of flows that ran healthily, oldest first. */
  healthy: string[];
  /** Per flow hash: engine ends in a row within the first minute of running it. */
  quickEnds: Record<string, number>;
  /**
   * The runs in progress, by flow id; still set at the next start when the runtime did not stop
   * cleanly. A record of a single-flow runtime had one `run`: it is read as `runs[LEGACY_RUN]`.
   */
  runs: Record<string, RunRecord>;
  lastEnd: EngineEnd | null;
}

/** The key of the run of a boot record written before flows had ids here (one flow per runtime). */
export const LEGACY_RUN = '*';

const empty = (): BootRecordData => ({ healthy: [], quickEnds: {}, runs: {}, lastEnd: null });

/**
 * What safe boot remembers across restarts, in `<data dir>/engine-boot.json`, each change written
 * atomically: which flows ran healthily, how often each ended young in a row, and the run in
 * progress (so that a start after a crash of the whole runtime can count it). Flows are known by
 * hash, so a rollback that saves an old flow as a new version keeps its healthy standing.
 */
export class BootRecord {
  private readonly queue = new UpdateQueue();

  private constructor(
    private readonly file: string,
    private data: BootRecordData,
    /** Why the file was not usable and was started afresh, if it was not. */
    readonly problem: string | undefined,
  ) {}

  /** Reads the record; a damaged file is reported in `problem` and started afresh (it must never stop a boot). */
  static async open(dataDir: string): Promise<BootRecord> {
    const file = path.join(dataDir, BOOT_RECORD_FILE);
    try {
      const content = await readJsonFile(file);
      if (content === undefined) return new BootRecord(file, empty(), undefined);
      return new BootRecord(file, check(content), undefined);
    } catch (err) {
      return new BootRecord(
        file,
        empty(),
        `${file} could not be read, safe boot starts afresh: ${(err as Error).message}`,
      );
    }
  }

  /** A copy of what is recorded. */
  read(): BootRecordData {
    return structuredClone(this.data);
  }

  isHealthy(hash: string): boolean {
    return this.data.healthy.includes(hash);
  }

  quickEnds(hash: string): number {
    return this.data.quickEnds[hash] ?? 0;
  }

  /** The engine started running `hash` as flow `flowId`. */
  runStarted(flowId: string, run: Omit<RunRecord, 'healthy'>): Promise<void> {
    return this.update((d) => {
      d.runs[flowId] = { ...run, healthy: false };
      delete d.runs[LEGACY_RUN];
    });
  }

  /** `hash` ran healthily: it may be restored, and its young ends are forgotten. */
  markHealthy(hash: string): Promise<void> {
    return this.update((d) => {
      d.healthy = [...d.healthy.filter((h) => h !== hash), hash].slice(-MAX_HEALTHY);
      delete d.quickEnds[hash];
      for (const run of Object.values(d.runs)) if (run.hash === hash) run.healthy = true;
    });
  }

  /** `hash` no longer counts as healthy (it keeps ending young). */
  forgetHealthy(hash: string): Promise<void> {
    return this.update((d) => {
      d.healthy = d.healthy.filter((h) => h !== hash);
    });
  }

  /**
   * An engine ended while running `hash` as flow `flowId`; `young`: within the first minute of
   * running it. Returns the ends in a row of that flow version (0 when not counted: not young).
   */
  async recordEnd(end: EngineEnd, flowId: string, hash: string | undefined, young: boolean): Promise<number> {
    let count = 0;
    await this.update((d) => {
      d.lastEnd = end;
      delete d.runs[flowId];
      delete d.runs[LEGACY_RUN];
      if (!hash) return;
      count = young ? (d.quickEnds[hash] ?? 0) + 1 : 0;
      if (count > 0) d.quickEnds[hash] = count;
      else delete d.quickEnds[hash];
    });
    return count;
  }

  /** Flow `flowId` stopped cleanly (every flow when absent): nothing to count at the next start. */
  runEnded(flowId?: string): Promise<void> {
    return this.update((d) => {
      if (flowId === undefined) d.runs = {};
      else delete d.runs[flowId];
    });
  }

  private update(change: (data: BootRecordData) => void): Promise<void> {
    return this.queue.run(async () => {
      const next = structuredClone(this.data);
      change(next);
      await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`);
      this.data = next;
    });
  }
}

function check(content: unknown): BootRecordData {
  const d = content as Partial<BootRecordData> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    !Array.isArray(d.healthy) ||
    !d.healthy.every((h) => typeof h === 'string') ||
    typeof d.quickEnds !== 'object' ||
    d.quickEnds === null
  )
    throw new Error('it is not a boot record (healthy, quickEnds)');
  const isRun = (r: unknown): r is RunRecord =>
    typeof r === 'object' &&
    r !== null &&
    typeof (r as RunRecord).hash === 'string' &&
    typeof (r as RunRecord).startedAt === 'string';
  const runs: Record<string, RunRecord> = {};
  const listed = (d as { runs?: unknown }).runs;
  if (typeof listed === 'object' && listed !== null)
    for (const [id, r] of Object.entries(listed)) if (isRun(r)) runs[id] = r;
  // Written by a runtime of one flow: its run belongs to whichever flow has that hash.
  const legacy = (d as { run?: unknown }).run;
  if (isRun(legacy)) runs[LEGACY_RUN] = legacy;
  return { healthy: d.healthy, quickEnds: d.quickEnds, runs, lastEnd: d.lastEnd ?? null };
}
