import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { filesDirProblem, LOG_LEVELS } from '@tagflow/runtime/engine';
import { CliError } from './cli-error';
import { LOG_FORMATS } from './cli-logger';
import { parseDuration } from './duration';

/**
 * `--nodes-dir <dir>`, repeatable: folders whose node packages are loaded, before those tagflow comes
 * with. The only way a folder's packages are loaded: the working folder is not searched unless named.
 */
export function nodesDirOption(): Option {
  return new Option(
    '--nodes-dir <dir>',
    'load the node packages in <dir>/node_modules (and <dir> itself); repeatable. The current folder only as --nodes-dir .',
  )
    .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .default([], 'none');
}

/** An option taking a duration (`500ms`, `10s`, `2m`, `1h`) as milliseconds; `positive` refuses 0. */
export function durationOption(
  flags: string,
  description: string,
  { example, positive = false }: { example: string; positive?: boolean },
): Option {
  return new Option(flags, description).argParser((value: string) => {
    const ms = parseDuration(value);
    if (ms === undefined || (positive && ms <= 0))
      throw new InvalidArgumentError(`Use a number with a unit: ms, s, m or h (e.g. ${example}).`);
    return ms;
  });
}

/** `--for <duration>`: how long to run, e.g. `10s`. */
export function forOption(): Option {
  return durationOption('--for <duration>', 'stop after this long, e.g. 500ms, 10s, 2m, 1h (default: until Ctrl-C)', {
    example: '10s',
  });
}

/** `--data-dir <dir>`: where the runtime keeps its state (store-and-forward buffers, certificates). */
export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'where the runtime keeps its state: store-and-forward buffers, certificates')
    .argParser((value: string) => resolve(value))
    .default(join(homedir(), '.tagflow'), '~/.tagflow');
}

/**
 * `--files-dir <dir>`: the only folder flows read and write files in (file-out, replay files).
 * Left out, it is `<data dir>/files`: `filesFolder` gives the folder either way.
 */
export function filesDirOption(): Option {
  return new Option(
    '--files-dir <dir>',
    'the folder flows read and write files in; their paths are relative to it (never the data dir itself)',
  )
    .argParser((value: string) => resolve(value))
    .default(undefined, '<data dir>/files');
}

/**
 * The files folder `--files-dir` and `--data-dir` give; a CliError when it would let flows reach
 * the data dir's own files (it is the data dir, holds it, or lies in it elsewhere than files/).
 */
export function filesFolder(options: { dataDir: string; filesDir?: string }): string {
  const dir = options.filesDir ?? join(options.dataDir, 'files');
  const problem = filesDirProblem(dir, options.dataDir);
  if (problem !== undefined) throw new CliError(`--files-dir: ${problem}`);
  return dir;
}

/** `--log-level <level>`: the least severe records `tagflow start` and `tagflow run` write to stderr. */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'write log records from this level up')
    .choices(LOG_LEVELS)
    .default('info')
    .env('TAGFLOW_LOG_LEVEL');
}

/** `--log-format <format>`: JSON lines or readable lines; `auto` picks by whether stderr is a terminal. */
export function logFormatOption(): Option {
  return new Option('--log-format <format>', 'auto: readable lines on a terminal, JSON lines otherwise')
    .choices(LOG_FORMATS)
    .default('auto')
    .env('TAGFLOW_LOG_FORMAT');
}
