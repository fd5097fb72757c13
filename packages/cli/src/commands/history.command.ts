import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { LocalStore, localStoreFile } from '@tagflow/nodes-historian';
import type { HistoryBucket, HistoryPoint, HistoryResult } from '@tagflow/nodes-historian';
import { CliError } from '../cli-error';
import { parseDuration } from '../duration';
import { count, formatTable } from '../format-text';
import { dataDirOption } from '../shared-options';

interface HistoryOptions {
  since: number;
  bucket?: number;
  format: 'table' | 'csv' | 'json';
  store?: string;
  dataDir: string;
  limit: number;
}

/** `tagflow history TAG...`: reads the local historian of a data dir, without any database tool. */
export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('show what the local historian recorded for some tags (no tags: list the tags)')
    .argument('[tags...]', 'tag names, e.g. pump3/flow/avg')
    .addOption(
      durationOption('--since <duration>', 'from this long ago until now, e.g. 30s, 10m, 2h').default(3_600_000, '1h'),
    )
    .addOption(
      durationOption('--bucket <duration>', 'downsample: min, max and mean per bucket of this length, e.g. 1m'),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .addOption(new Option('--limit <rows>', 'most rows per tag').argParser(positiveInteger).default(10_000))
    .option('--store <name>', 'which local store of the data dir (needed only when there are several)')
    .addOption(dataDirOption())
    .addHelpText(
      'after',
      `
Reads the store a flow's "historian" resource (backend local) writes in <data dir>/historian/,
also while the flow is running. Times are printed in UTC (ISO 8601).

Examples:
  $ tagflow history                                   list the recorded tags
  $ tagflow history pump3/flow/avg --since 10m
  $ tagflow history pump3/flow/avg pump3/flow --since 1h --bucket 5m
  $ tagflow history pump3/alarm --format csv > alarms.csv`,
    )
    .action((tags: string[], options: HistoryOptions) => showHistory(tags, options));
}

async function showHistory(tags: string[], options: HistoryOptions): Promise<void> {
  const store = LocalStore.openReadOnly(storeFile(options.dataDir, options.store));
  try {
    if (tags.length === 0) {
      const all = await store.tags();
      process.stdout.write(options.format === 'json' ? `${JSON.stringify(all)}\n` : all.map((t) => `${t}\n`).join(''));
      return;
    }
    const to = Date.now() + 1;
    const rows = await store.query({
      tags,
      from: to - options.since,
      to,
      bucketMs: options.bucket,
      limit: options.limit,
    });
    process.stdout.write(render(rows, options));
    if (rows.length === 0 && options.format === 'table') {
      const known = new Set(await store.tags());
      const unknown = tags.filter((t) => !known.has(t));
      process.stderr.write(
        unknown.length > 0
          ? `no such tag: ${unknown.join(', ')} (tagflow history lists the tags)\n`
          : 'no values in that time range\n',
      );
    }
  } finally {
    await store.close();
  }
}

/** The store file to read: the one named, or the only one there is. */
function storeFile(dataDir: string, name: string | undefined): string {
  if (name !== undefined) {
    const file = localStoreFile(dataDir, name);
    if (!existsSync(file))
      throw new CliError(`there is no local history store "${name}" in ${dataDir} (${file} does not exist)`);
    return file;
  }
  const dir = join(dataDir, 'historian');
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.sqlite'))
        .map((f) => f.slice(0, -'.sqlite'.length))
    : [];
  if (names.length === 0)
    throw new CliError(
      `no local history in ${dataDir}: run a flow with a historian resource (backend local), or pass --data-dir`,
    );
  if (names.length > 1)
    throw new CliError(
      `${dataDir} holds ${count(names.length, 'history store')} (${names.join(', ')}): choose one with --store NAME`,
    );
  return localStoreFile(dataDir, names[0]);
}

function render(rows: HistoryResult, options: HistoryOptions): string {
  if (options.format === 'json') return `${JSON.stringify(rows)}\n`;
  const bucketed = options.bucket !== undefined;
  const header = bucketed ? ['time', 'tag', 'min', 'max', 'mean', 'count'] : ['time', 'tag', 'value', 'quality'];
  const cells = bucketed
    ? (rows as HistoryBucket[]).map((b) => [
        iso(b.ts),
        b.tag,
        String(b.min),
        String(b.max),
        String(b.mean),
        String(b.count),
      ])
    : (rows as HistoryPoint[]).map((p) => [
        iso(p.ts),
        p.tag,
        p.value !== null ? String(p.value) : (p.text ?? ''),
        p.quality,
      ]);
  if (options.format === 'csv') return [header, ...cells].map((row) => `${row.map(csvCell).join(',')}\n`).join('');
  return cells.length === 0
    ? ''
    : formatTable([header, ...cells])
        .map((line) => `${line}\n`)
        .join('');
}

const iso = (ms: number) => new Date(ms).toISOString();

function csvCell(cell: string): string {
  return /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function durationOption(flags: string, description: string): Option {
  return new Option(flags, description).argParser((value: string) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0)
      throw new InvalidArgumentError('Use a number with a unit: ms, s, m or h (e.g. 10m).');
    return ms;
  });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Use a whole number of at least 1.');
  return n;
}
