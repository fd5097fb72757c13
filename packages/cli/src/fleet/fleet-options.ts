import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { durationOption } from '../shared-options';

/** `--fleet <file>`: the fleet file; default ./fleet.yaml, then ./fleet.json. */
export function fleetOption(): Option {
  return new Option('--fleet <file>', 'the fleet file listing the runtimes (default: ./fleet.yaml, then ./fleet.json)');
}

/** `--to`, `--label`, `--all`: which runtimes of the fleet file a command acts on. */
export function addSelectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--to <names>', 'these runtimes, by name, comma-separated; repeatable').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), ...splitNames(value)],
      ),
    )
    .addOption(
      new Option('--label <key=value>', 'the runtimes with this label; repeatable, all must match').argParser(
        (value: string, previous: string[] | undefined) => {
          if (!/^[^=]+=/.test(value)) throw new InvalidArgumentError('Write it as key=value, e.g. site=plant-a.');
          return [...(previous ?? []), value];
        },
      ),
    )
    .option('--all', 'every runtime in the fleet file');
}

/** A positive duration such as `30s`, for `--health`. */
export function healthOption(): Option {
  return durationOption(
    '--health <duration>',
    'wait this long after deploying, e.g. 30s: a node error or a failed start in that time rolls the runtime back by itself',
    { example: '30s', positive: true },
  );
}

/** A whole number of at least 1. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Use a whole number of at least 1.');
  return n;
}

function splitNames(value: string): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new InvalidArgumentError('Name at least one runtime, e.g. --to plant-a-l1,plant-a-l2.');
  return names;
}
