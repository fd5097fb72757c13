import type { HistorianStore, HistoryQuery, HistoryResult } from './historian-store';
import type { HistoryRow } from './history-row';
import { authorizationHeader, influxRequest } from './influx-http';
import type { InfluxEndpoint, InfluxTransport } from './influx-http';
import { InfluxWriter } from './influx-writer';
import { distinctTags, parseSelectAnswer, parseTagValues, quoteIdentifier, selectStatements } from './influx-query';
import { escapeMeasurement, escapeTag, lineWith, timeRefusal } from './line-protocol';

/** Escaped tag names kept, at most: a plant has thousands of tags, each escaped once. */
const TAG_CACHE = 10_000;

/** Where and how history goes to InfluxDB 1.x (`database`) or 2.x (`org` + `bucket`). */
export interface InfluxStoreConfig {
  /** Base URL, e.g. `http://127.0.0.1:8086`; no credentials in it. */
  url: string;
  /** 1: `/write?db=` with an optional user; 2: `/api/v2/write?org=&bucket=` with a token. */
  apiVersion: 1 | 2;
  /** v1: the database (it must exist). v2: the database name of the bucket's DBRP mapping, used for queries (default: the bucket name). */
  database?: string;
  /** v1: the retention policy to write to and read from (default: the database's default). */
  retentionPolicy?: string;
  /** v2: the organization name or ID. */
  org?: string;
  /** v2: the bucket name. */
  bucket?: string;
  /** The measurement holding every tag of this store, e.g. `history`. */
  measurement: string;
  /** v1: the user, with the password given separately (basic auth). */
  username?: string;
  /** Most milliseconds one HTTP request may take (default 10,000). */
  timeoutMs?: number;
}

/**
 * Checks the server answers (GET /ping), rejects otherwise. v1 writes to /write?db=&precision=ms
 * (basic auth when a username is set), v2 to /api/v2/write?org=&bucket=&precision=ms with
 * `Authorization: Token <token>`. Queries use the v1 /query endpoint, which InfluxDB 2 serves
 * too for buckets with a DBRP mapping. `lost` is called once when a request cannot reach the
 * server (network failure or time-out).
 */
export async function openInfluxStore(
  config: InfluxStoreConfig,
  options: {
    password?: string;
    token?: string;
    lost(reason: Error): void;
    /** Send writes from a worker thread (see `InfluxWriter`); queries stay on this thread. */
    writeOnWorker?: boolean;
  },
): Promise<HistorianStore> {
  const target = checkConfig(config);
  const endpoint: InfluxEndpoint = {
    url: config.url.replace(/\/+$/, ''),
    authorization: authorizationHeader(config.apiVersion, config.username, options.password, options.token),
    timeoutMs: config.timeoutMs ?? 10_000,
  };
  // The open itself rejects instead: there is no store yet whose connection could be lost.
  await influxRequest(endpoint, 'the ping', { method: 'GET', path: '/ping', params: {} }, () => undefined);
  return new InfluxStore(
    config,
    target,
    endpoint,
    options.lost,
    options.writeOnWorker ? new InfluxWriter() : undefined,
  );
}

/** Query parameters naming the write target and the query database. */
interface InfluxTarget {
  writePath: string;
  writeParams: Record<string, string | undefined>;
  queryDatabase: string;
  retentionPolicy: string | undefined;
  description: string;
}

class InfluxStore implements HistorianStore {
  readonly description: string;
  private closed = false;
  private lostReported = false;
  private readonly escapedMeasurement: string;
  private readonly tagKeys = new Map<string, string>();

  constructor(
    private readonly config: InfluxStoreConfig,
    private readonly target: InfluxTarget,
    private readonly endpoint: InfluxEndpoint,
    private readonly lost: (reason: Error) => void,
    private readonly writer: InfluxWriter | undefined,
  ) {
    this.description = target.description;
    this.escapedMeasurement = escapeMeasurement(config.measurement);
  }

  refusal(row: HistoryRow): string | undefined {
    const refusal = timeRefusal(row);
    if (refusal !== undefined) return refusal;
    try {
      this.escapedTag(row.tag);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  async write(rows: readonly HistoryRow[]): Promise<void> {
    this.checkOpen();
    if (rows.length === 0) return;
    let body = '';
    for (const row of rows) {
      const refusal = timeRefusal(row);
      if (refusal !== undefined) throw new Error(refusal);
      body += `${body === '' ? '' : '\n'}${lineWith(this.escapedMeasurement, this.escapedTag(row.tag), row)}`;
    }
    // InfluxDB answers 204 once the points are in its write-ahead log (fsync'd), i.e. durable.
    await this.request(
      'the write',
      {
        method: 'POST',
        path: this.target.writePath,
        params: { ...this.target.writeParams, precision: 'ms' },
        body,
        contentType: 'text/plain; charset=utf-8',
      },
      this.writer?.send,
    );
  }

  async query(query: HistoryQuery): Promise<HistoryResult> {
    this.checkOpen();
    const tags = distinctTags(query);
    const statements = selectStatements(query, tags, this.source());
    if (statements === undefined) return [];
    const body = await this.influxql('the query', statements);
    return parseSelectAnswer(body, tags, query.bucketMs !== undefined);
  }

  async tags(): Promise<string[]> {
    this.checkOpen();
    const body = await this.influxql(
      'the tag list query',
      `SHOW TAG VALUES FROM ${quoteIdentifier(this.config.measurement)} WITH KEY = "tag"`,
    );
    return parseTagValues(body);
  }

  async close(): Promise<void> {
    // fetch keeps no connection of ours open between requests: only the writer thread to end.
    this.closed = true;
    await this.writer?.close();
  }

  /** The tag name escaped for line protocol (throws when it cannot be carried), each name escaped once. */
  private escapedTag(tag: string): string {
    let escaped = this.tagKeys.get(tag);
    if (escaped === undefined) {
      escaped = escapeTag(tag);
      if (this.tagKeys.size >= TAG_CACHE) this.tagKeys.clear();
      this.tagKeys.set(tag, escaped);
    }
    return escaped;
  }

  private source(): string {
    const measurement = quoteIdentifier(this.config.measurement);
    return this.target.retentionPolicy === undefined
      ? measurement
      : `${quoteIdentifier(this.target.retentionPolicy)}.${measurement}`;
  }

  // POST with a form body: a query over many tags can be longer than a URL may be.
  private influxql(what: string, q: string): Promise<string> {
    return this.request(what, {
      method: 'POST',
      path: '/query',
      params: { db: this.target.queryDatabase, rp: this.target.retentionPolicy, epoch: 'ms' },
      body: new URLSearchParams({ q }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
  }

  private request(
    what: string,
    request: Parameters<typeof influxRequest>[2],
    transport?: InfluxTransport,
  ): Promise<string> {
    const unreachable = (reason: Error) => {
      if (this.closed || this.lostReported) return;
      this.lostReported = true;
      this.lost(reason);
    };
    return influxRequest(this.endpoint, what, request, unreachable, transport);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`${this.description} is closed`);
  }
}

function checkConfig(config: InfluxStoreConfig): InfluxTarget {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch (err) {
    throw new Error(`the InfluxDB url ${JSON.stringify(config.url)} is not a URL`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`the InfluxDB url must start with http:// or https:// (got ${url.protocol})`);
  // fetch refuses URLs with credentials, and they would leak into every error message.
  if (url.username !== '' || url.password !== '')
    throw new Error(
      'the InfluxDB url must not contain a user or password: use the username field and the password credential',
    );
  if (config.measurement === '') throw new Error('the InfluxDB measurement name is empty');
  escapeMeasurement(config.measurement); // throws in plain words when line protocol cannot carry it
  if (config.apiVersion === 1) {
    if (!config.database) throw new Error('InfluxDB 1 needs a database name');
    const rp = config.retentionPolicy || undefined;
    return {
      writePath: '/write',
      writeParams: { db: config.database, rp },
      queryDatabase: config.database,
      retentionPolicy: rp,
      description: `influxdb ${config.database}/${config.measurement}`,
    };
  }
  if (config.apiVersion === 2) {
    if (!config.org || !config.bucket) throw new Error('InfluxDB 2 needs an org and a bucket');
    return {
      writePath: '/api/v2/write',
      writeParams: { org: config.org, bucket: config.bucket },
      queryDatabase: config.database || config.bucket,
      // With InfluxDB 2 the bucket is the write target; the DBRP mapping picks it for queries.
      retentionPolicy: undefined,
      description: `influxdb2 ${config.org}/${config.bucket}/${config.measurement}`,
    };
  }
  throw new Error(`the InfluxDB apiVersion must be 1 or 2 (got ${String(config.apiVersion)})`);
}
