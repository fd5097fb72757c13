import { isNodeError, NodeError } from '@tagflow/node-sdk';
import type { FilesRoot } from '@tagflow/node-sdk';
import { coreErrors } from '../error-codes';

/** One recorded sample of a replay file. */
export interface ReplayRow {
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  /** The recorded reading. */
  value: number;
}

const EXPECTED = 'expected "timestamp,value", e.g. "2026-01-01T00:00:00Z,12.5" or "1767225600000,12.5"';
const EPOCH_MS = /^[+-]?\d+(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads and parses a replay file, `path` being relative to `files`; every problem is a NodeError
 * naming the file (and line). A path outside the files folder is refused (`FILE_OUTSIDE_ROOT`).
 */
export async function loadReplayFile(files: FilesRoot, path: string): Promise<ReplayRow[]> {
  let text: string;
  try {
    const handle = await files.open(path, 'r');
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    // A link out of the files folder: its words already name the node and the file.
    if (isNodeError(err) && err.code === coreErrors.code.FILE_OUTSIDE_ROOT) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new NodeError(
        coreErrors.code.REPLAY_FILE_NOT_FOUND,
        `replay file ${path} does not exist (looked for ${files.resolve(path)})`,
        {
          file: path,
        },
      );
    }
    throw new NodeError(
      coreErrors.code.REPLAY_FILE_UNREADABLE,
      `cannot read replay file ${path}: ${(err as Error).message}`,
      {
        file: path,
        code,
      },
    );
  }
  return parseReplayCsv(text, path);
}

/**
 * Parses `timestamp,value` lines. Blank lines and `#` comments are skipped; a first line that
 * holds neither a timestamp nor a number is taken as a header. Timestamps are epoch milliseconds or
 * ISO 8601 (give a `Z` or an offset: without one JavaScript reads the time as local time).
 */
export function parseReplayCsv(text: string, file: string): ReplayRow[] {
  const rows: ReplayRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let seenContent = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const first = !seenContent;
    seenContent = true;
    const fields = line.split(',').map(unquote);
    const timestamp = fields.length === 2 ? parseTimestamp(fields[0]) : undefined;
    const value = fields.length === 2 ? parseValue(fields[1]) : undefined;
    if (timestamp !== undefined && value !== undefined) {
      rows.push({ timestamp, value });
      continue;
    }
    if (first && fields.length === 2 && timestamp === undefined && value === undefined) continue; // header
    throw new NodeError(
      coreErrors.code.REPLAY_BAD_LINE,
      `${file} line ${i + 1}: ${problem(fields, timestamp, value)}; ${EXPECTED}`,
      {
        file,
        line: i + 1,
        text: line.slice(0, 200),
      },
    );
  }
  if (rows.length === 0) {
    throw new NodeError(coreErrors.code.REPLAY_EMPTY, `${file} holds no samples; ${EXPECTED}`, { file });
  }
  return rows;
}

function problem(fields: string[], timestamp: number | undefined, value: number | undefined): string {
  if (fields.length !== 2) return `found ${fields.length} field${fields.length === 1 ? '' : 's'} instead of 2`;
  if (timestamp === undefined) return `"${fields[0]}" is not a timestamp`;
  if (value === undefined) return `"${fields[1]}" is not a number`;
  return 'unreadable line';
}

function parseTimestamp(field: string): number | undefined {
  if (EPOCH_MS.test(field)) return Number(field);
  // Date.parse alone accepts odd strings ("1" is the year 2001), so require an ISO date first.
  if (!ISO_DATE.test(field)) return undefined;
  const ms = Date.parse(field);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseValue(field: string): number | undefined {
  if (!DECIMAL.test(field)) return undefined;
  const value = Number(field);
  return Number.isFinite(value) ? value : undefined;
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).trim()
    : trimmed;
}
