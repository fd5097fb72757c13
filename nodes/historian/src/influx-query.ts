import type { HistoryBucket, HistoryPoint, HistoryQuery, HistoryResult } from './historian-store';
import { qualityFromCode } from './history-row';
import { INFLUX_MAX_MS, INFLUX_MIN_MS } from './line-protocol';

/** Rows per tag when the query names no limit (the HistoryQuery default). */
const DEFAULT_LIMIT = 10_000;

/** An InfluxQL identifier in double quotes: double quotes and backslashes escaped. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** An InfluxQL string literal in single quotes: single quotes and backslashes escaped. */
export function quoteString(text: string): string {
  return `'${text.replace(/['\\]/g, (c) => `\\${c}`)}'`;
}

/** The tags a query asks for, each once, in the order asked (a tag named twice is read once). */
export function distinctTags(query: HistoryQuery): string[] {
  if (query.tags.length === 0) throw new Error('a history query needs at least one tag');
  return [...new Set(query.tags)];
}

/**
 * One InfluxQL statement per tag (sent together, `;`-separated, answered per statement), or
 * undefined when the time range is empty. Raw rows come oldest first; downsampled ones use
 * GROUP BY time(), whose buckets InfluxDB aligns to multiples of the interval since the epoch,
 * and fill(none) drops buckets without values.
 */
export function selectStatements(query: HistoryQuery, tags: string[], source: string): string | undefined {
  // InfluxDB stores nanoseconds in an int64: clamp so an open-ended range (0 to
  // Number.MAX_SAFE_INTEGER) still parses.
  const from = Math.ceil(Math.max(query.from, INFLUX_MIN_MS));
  const to = Math.ceil(Math.min(query.to, INFLUX_MAX_MS));
  if (!(from < to)) return undefined;
  const limit = positiveInteger(query.limit ?? DEFAULT_LIMIT, 'limit');
  const bucketMs = query.bucketMs === undefined ? undefined : positiveInteger(query.bucketMs, 'bucketMs');
  return tags
    .map((tag) => {
      const where = `WHERE "tag" = ${quoteString(tag)} AND time >= ${from}ms AND time < ${to}ms`;
      if (bucketMs === undefined)
        return `SELECT "value","text","quality" FROM ${source} ${where} ORDER BY time ASC LIMIT ${limit}`;
      // Bad-quality values (quality 2) are left out of a trend's min, max and mean.
      return `SELECT MIN("value"),MAX("value"),MEAN("value"),COUNT("value") FROM ${source} ${where} AND "quality" < 2 GROUP BY time(${bucketMs}ms) fill(none) LIMIT ${limit}`;
    })
    .join('; ');
}

/** Raw points or buckets from a `/query?epoch=ms` answer to `selectStatements`, statement i being tags[i]. */
export function parseSelectAnswer(body: string, tags: string[], bucketed: boolean): HistoryResult {
  const points: HistoryPoint[] = [];
  const buckets: HistoryBucket[] = [];
  for (const result of statementResults(body)) {
    const tag = tags[result.statement_id ?? 0];
    for (const series of result.series ?? []) {
      const column = columnIndex(series.columns);
      for (const row of series.values ?? []) {
        const ts = Number(row[column('time')]);
        if (bucketed) {
          const count = Number(row[column('count')] ?? 0);
          if (count > 0)
            buckets.push({
              tag,
              ts,
              min: Number(row[column('min')]),
              max: Number(row[column('max')]),
              mean: Number(row[column('mean')]),
              count,
            });
        } else {
          const value = row[column('value')];
          const text = row[column('text')];
          const quality = row[column('quality')];
          points.push({
            tag,
            ts,
            value: value === null || value === undefined ? null : Number(value),
            text: text === null || text === undefined ? null : String(text),
            quality: qualityFromCode(quality === null || quality === undefined ? Number.NaN : Number(quality)),
          });
        }
      }
    }
  }
  return bucketed ? buckets : points;
}

/** The `tag` values of a `SHOW TAG VALUES ... WITH KEY = "tag"` answer, sorted. */
export function parseTagValues(body: string): string[] {
  const tags = new Set<string>();
  for (const result of statementResults(body)) {
    for (const series of result.series ?? []) {
      const column = columnIndex(series.columns);
      for (const row of series.values ?? []) tags.add(String(row[column('value')]));
    }
  }
  return [...tags].sort();
}

interface StatementResult {
  statement_id?: number;
  error?: string;
  series?: { columns: string[]; values?: unknown[][] }[];
}

// InfluxDB answers HTTP 200 even when a statement fails: the error is inside its result.
function statementResults(body: string): StatementResult[] {
  let parsed: { results?: StatementResult[]; error?: string };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch (err) {
    throw new Error(`InfluxDB answered the query with something that is not JSON: ${body.slice(0, 200)}`, {
      cause: err,
    });
  }
  if (typeof parsed.error === 'string') throw new Error(`InfluxDB could not run the query: ${parsed.error}`);
  const results = parsed.results ?? [];
  const failed = results.find((r) => typeof r.error === 'string');
  if (failed) throw new Error(`InfluxDB could not run the query: ${failed.error}`);
  return results;
}

function columnIndex(columns: string[]): (name: string) => number {
  return (name) => columns.indexOf(name);
}

function positiveInteger(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a whole number, at least 1 (got ${n})`);
  return n;
}
