import { Pool } from 'pg';
import type { QueryConfig } from 'pg';
import { RefusedWriteError } from './historian-store';
import type { HistorianStore, HistoryBucket, HistoryPoint, HistoryQuery, HistoryResult } from './historian-store';
import type { HistoryRow } from './history-row';
import { QUALITY_CODES, qualityFromCode } from './history-row';
import { describePostgresError, isConnectionFailure } from './postgres-errors';
import { prepareTable, tableName, TableMismatchError } from './postgres-schema';
import type { TableName } from './postgres-schema';

export { POSTGRES_IDENTIFIER } from './postgres-schema';

/** Where history goes in PostgreSQL (or TimescaleDB): server, database, schema and table. */
export interface PostgresStoreConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Created when missing; lower-case letters, digits, underscores. */
  schema: string;
  /** Created when missing; lower-case letters, digits, underscores. */
  table: string;
  /** TLS, verifying the server certificate against the system's CAs. */
  ssl?: boolean;
  /** Most milliseconds to wait for a connection (default 10,000). */
  connectTimeoutMs?: number;
  /**
   * Most milliseconds a write may wait for the server's answer (default 10,000); past it the
   * connection counts as lost (a server that took the connection but hangs), the write fails and
   * its rows are written again on a new connection.
   */
  writeTimeoutMs?: number;
}

/** Rows per tag when the query names no limit (the HistoryQuery default). */
const DEFAULT_LIMIT = 10_000;
/** A statement that has not answered after this long counts as a lost connection. */
const QUERY_TIMEOUT_MS = 60_000;
/** Quoted tag names kept, at most. */
const TAG_CACHE = 10_000;
// Timestamps as ISO text keep milliseconds exact both ways; years 1..9999 have a plain ISO form.
const FIRST_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const LAST_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

/**
 * Connects (rejects if unreachable or the table cannot be created), creates schema/table on first
 * use, turns it into a TimescaleDB hypertable when the extension is installed in the database.
 * `lost` is called once if the pool reports a fatal connection error later.
 */
export async function openPostgresStore(
  config: PostgresStoreConfig,
  options: { password?: string; lost(reason: Error): void },
): Promise<HistorianStore> {
  const name = tableName(config.schema, config.table);
  const store = new PostgresStore(config, name, options);
  try {
    await store.prepare();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

class PostgresStore implements HistorianStore {
  description: string;
  private readonly pool: Pool;
  private readonly server: string;
  private closing: Promise<void> | undefined;
  private lostReported = false;
  private readonly tagElements = new Map<string, string>();

  private readonly lost: (reason: Error) => void;
  private readonly writeTimeoutMs: number;

  constructor(
    config: PostgresStoreConfig,
    private readonly name: TableName,
    options: { password?: string; lost(reason: Error): void },
  ) {
    this.lost = options.lost;
    this.writeTimeoutMs = config.writeTimeoutMs ?? 10_000;
    this.server = `${config.host}:${config.port}`;
    this.description = `postgres ${config.database}/${name.schema}.${name.table}`;
    this.pool = new Pool({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: options.password,
      ssl: config.ssl === true ? true : undefined,
      connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      max: 4,
      application_name: 'tagflow-historian',
    });
    // An idle connection that breaks (server restart, network cut) surfaces here; without a
    // listener the pool's 'error' event would crash the process.
    this.pool.on('error', (err) =>
      this.reportLost(new Error(describePostgresError(err, this.server, 'keep the connection'), { cause: err })),
    );
  }

  async prepare(): Promise<void> {
    let client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new Error(describePostgresError(err, this.server, 'open a connection'), { cause: err });
    }
    try {
      const { hypertable } = await prepareTable(client, this.name);
      if (hypertable) this.description += ' (TimescaleDB)';
      client.release();
    } catch (err) {
      client.release(true);
      if (err instanceof TableMismatchError) throw err;
      throw new Error(describePostgresError(err, this.server, `prepare the table ${this.name.quoted}`), { cause: err });
    }
  }

  refusal(row: HistoryRow): string | undefined {
    if (Number.isFinite(row.ts) && row.ts >= FIRST_MS && row.ts <= LAST_MS) return undefined;
    return `the row of tag "${row.tag}" has a timestamp PostgreSQL history cannot store: ${row.ts}`;
  }

  async write(rows: readonly HistoryRow[]): Promise<void> {
    this.checkOpen();
    if (rows.length === 0) return;
    // The five columns as PostgreSQL array literals, built here in one pass: pg's own conversion
    // of JS arrays quotes every element with regular expressions and cost more than the insert's
    // round trip; times go as whole milliseconds rather than ISO text for the same reason.
    let tags = '';
    let times = '';
    let values = '';
    let texts = '';
    let qualities = '';
    for (const row of rows) {
      const refused = this.refusal(row);
      if (refused !== undefined) throw new Error(refused);
      const sep = tags === '' ? '' : ',';
      tags += sep + this.quotedTag(row.tag);
      times += sep + Math.floor(row.ts);
      // NaN and ±Infinity are stored as no value, as in InfluxDB, so that min/max/mean stay numbers.
      values += sep + (row.value !== null && Number.isFinite(row.value) ? row.value : 'NULL');
      // PostgreSQL text cannot hold U+0000; the replacement character keeps the rest of the text.
      // eslint-disable-next-line no-control-regex -- U+0000 is exactly the character to replace
      texts += sep + (row.text === null ? 'NULL' : arrayElement(row.text.replace(/\u0000/g, '\uFFFD')));
      qualities += sep + (QUALITY_CODES[row.quality] ?? QUALITY_CODES.bad);
    }
    // One statement for the whole batch: atomic, one round trip, durable once it returns
    // (autocommit). DO NOTHING keeps the first row stored for a (tag, ts): a redelivered batch is
    // the same data, and skipping it writes nothing (no dead tuples, works on TimescaleDB too).
    await this.run(
      'store the rows',
      `INSERT INTO ${this.name.quoted} (tag, ts, value, text, quality)
       SELECT r.tag, timestamptz 'epoch' + r.ms * interval '1 millisecond', r.value, r.text, r.quality
         FROM unnest($1::text[], $2::int8[], $3::float8[], $4::text[], $5::int2[]) AS r(tag, ms, value, text, quality)
       ON CONFLICT (tag, ts) DO NOTHING`,
      [`{${tags}}`, `{${times}}`, `{${values}}`, `{${texts}}`, `{${qualities}}`],
      this.writeTimeoutMs,
    );
  }

  async query(query: HistoryQuery): Promise<HistoryResult> {
    this.checkOpen();
    if (query.tags.length === 0) throw new Error('a history query needs at least one tag');
    const tags = [...new Set(query.tags)];
    const limit = positiveInteger(query.limit ?? DEFAULT_LIMIT, 'limit');
    const from = pgTime(query.from);
    const to = pgTime(query.to);
    if (query.bucketMs === undefined) {
      const result = await this.run<{
        tag: string;
        ts: number;
        value: number | null;
        text: string | null;
        quality: number;
      }>(
        'run the query',
        `SELECT q.tag, round(extract(epoch FROM r.ts) * 1000)::float8 AS ts, r.value, r.text, r.quality
           FROM unnest($1::text[]) WITH ORDINALITY AS q(tag, ord)
           CROSS JOIN LATERAL (
             SELECT h.ts, h.value, h.text, h.quality FROM ${this.name.quoted} h
              WHERE h.tag = q.tag AND h.ts >= $2::timestamptz AND h.ts < $3::timestamptz
              ORDER BY h.ts LIMIT $4
           ) r
          ORDER BY q.ord, r.ts`,
        [tags, from, to, limit],
      );
      return result.rows.map((r): HistoryPoint => ({
        tag: r.tag,
        ts: r.ts,
        value: r.value,
        text: r.text,
        quality: qualityFromCode(r.quality),
      }));
    }
    const bucketMs = positiveInteger(query.bucketMs, 'bucketMs');
    // Bucket start = floor(ms / bucketMs) * bucketMs, in exact numeric arithmetic: buckets are
    // aligned to multiples of bucketMs since the epoch, as InfluxDB's GROUP BY time() does.
    // round(): before PostgreSQL 14, extract() gives a float8 that can miss the whole ms slightly.
    const result = await this.run<HistoryBucket>(
      'run the query',
      `SELECT q.tag, b.bucket::float8 AS ts, b.min, b.max, b.mean, b.count
         FROM unnest($1::text[]) WITH ORDINALITY AS q(tag, ord)
         CROSS JOIN LATERAL (
           SELECT floor(round(extract(epoch FROM h.ts) * 1000)::numeric / $4::numeric) * $4::numeric AS bucket,
                  min(h.value) AS min, max(h.value) AS max, avg(h.value) AS mean, count(h.value)::float8 AS count
             FROM ${this.name.quoted} h
            WHERE h.tag = q.tag AND h.ts >= $2::timestamptz AND h.ts < $3::timestamptz AND h.value IS NOT NULL AND h.quality < 2
            GROUP BY 1 ORDER BY 1 LIMIT $5
         ) b
        ORDER BY q.ord, b.bucket`,
      [tags, from, to, bucketMs, limit],
    );
    return result.rows;
  }

  async tags(): Promise<string[]> {
    this.checkOpen();
    // A loose index scan over the (tag, ts) key: one index probe per tag instead of reading
    // every row, which SELECT DISTINCT would do on a table of millions of rows.
    const result = await this.run<{ tag: string }>(
      'list the tags',
      `WITH RECURSIVE t AS (
         (SELECT tag FROM ${this.name.quoted} ORDER BY tag LIMIT 1)
         UNION ALL
         SELECT (SELECT h.tag FROM ${this.name.quoted} h WHERE h.tag > t.tag ORDER BY h.tag LIMIT 1) FROM t WHERE t.tag IS NOT NULL
       )
       SELECT tag FROM t WHERE tag IS NOT NULL`,
      [],
    );
    // Sorted here, not by the database's collation, so every backend lists tags in the same order.
    return result.rows.map((r) => r.tag).sort();
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  private async run<R extends object>(
    doing: string,
    sql: string,
    params: unknown[],
    timeoutMs = QUERY_TIMEOUT_MS,
  ): Promise<{ rows: R[] }> {
    try {
      // pg reads `query_timeout` from each query as well as from the client config (its types know only the latter).
      const query: QueryConfig & { query_timeout: number } = { text: sql, values: params, query_timeout: timeoutMs };
      return await this.pool.query<R & Record<string, unknown>>(query);
    } catch (err) {
      const text = describePostgresError(err, this.server, doing);
      // SQLSTATE classes 22 (data exception) and 23 (constraint violation) are about the rows sent.
      const sqlState = String((err as { code?: unknown }).code ?? '');
      const reason = /^2[23]/.test(sqlState)
        ? new RefusedWriteError(text, { cause: err })
        : new Error(text, { cause: err });
      if (isConnectionFailure(err)) this.reportLost(reason);
      throw reason;
    }
  }

  /** A tag name as an array element, each name quoted once (a plant has thousands of tags, not millions). */
  private quotedTag(tag: string): string {
    let quoted = this.tagElements.get(tag);
    if (quoted === undefined) {
      quoted = arrayElement(tag);
      if (this.tagElements.size >= TAG_CACHE) this.tagElements.clear();
      this.tagElements.set(tag, quoted);
    }
    return quoted;
  }

  private reportLost(reason: Error): void {
    if (this.closing !== undefined || this.lostReported) return;
    this.lostReported = true;
    this.lost(reason);
  }

  private checkOpen(): void {
    if (this.closing !== undefined) throw new Error(`${this.description} is closed`);
  }
}

/** A text as an element of an array literal: always quoted (so NULL stays a text), `"` and `\\` escaped. */
function arrayElement(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/** A query bound as timestamptz text; beyond years 1..9999 the range is open-ended. */
function pgTime(ms: number): string {
  if (Number.isNaN(ms)) throw new Error('a history query needs from and to as milliseconds since the epoch (got NaN)');
  if (ms < FIRST_MS) return '-infinity';
  if (ms > LAST_MS) return 'infinity';
  // A row (whole ms) is >= from iff >= ceil(from), and < to iff < ceil(to).
  return new Date(Math.ceil(ms)).toISOString();
}

function positiveInteger(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a whole number, at least 1 (got ${n})`);
  return n;
}
