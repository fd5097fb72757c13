import type { FilesRoot } from '@tagflow/node-sdk';
import { loadReplayFile } from './csv-replay';
import type { Random } from './prng';
import { ReplayCursor } from './replay-cursor';
import { createSignal } from './signal';
import type { GeneratedSignalConfig } from './signal';

/** The replay variant of the simulate node's `signal` config. */
export interface ReplaySignalConfig {
  kind: 'replay';
  /** Path of a `timestamp,value` CSV file, relative to the files folder. */
  file: string;
  /** Start again at the first line after the last one (default false: stop). */
  loop?: boolean;
  /** Stamp messages with the file's timestamps instead of the time they are sent (default false). */
  useFileTimestamps?: boolean;
}

/** Any `signal` config of the simulate node. */
export type SignalConfig = GeneratedSignalConfig | ReplaySignalConfig;

/** One value to send, with the time it stands for. */
export interface Sample {
  /** The simulated reading. */
  value: number;
  /** Milliseconds since the Unix epoch: the send time, or the file's time in a replay. */
  timestamp: number;
}

/** Where the simulate node takes its values from, generated or replayed alike. */
export interface SampleSource {
  /** The sample for a send at `now`, `elapsedMs` after start; undefined when there are no more. */
  next(now: number, elapsedMs: number): Sample | undefined;
  /** True once the source has nothing more to give (a replay without loop that reached its end). */
  readonly finished: boolean;
}

/**
 * Builds the source a config describes; a replay file is read (inside `files`, the node's files
 * folder) and checked here, at create.
 */
export async function createSampleSource(
  config: SignalConfig,
  random: Random,
  files: FilesRoot,
): Promise<SampleSource> {
  if (config.kind === 'replay') {
    const cursor = new ReplayCursor(await loadReplayFile(files, config.file), config.loop ?? false);
    const fileTime = config.useFileTimestamps ?? false;
    return {
      next(now) {
        const row = cursor.next();
        return row && { value: row.value, timestamp: fileTime ? row.timestamp : now };
      },
      get finished() {
        return cursor.finished;
      },
    };
  }
  const signal = createSignal(config, random);
  return {
    next: (now, elapsedMs) => ({ value: signal(elapsedMs), timestamp: now }),
    finished: false,
  };
}
