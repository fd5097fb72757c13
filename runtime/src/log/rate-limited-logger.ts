import type { EngineLogger } from '../engine/types';
import { severer } from './log-level';
import type { RecordLevel } from './log-level';

/** How many lines one node or resource may write, and how much the limiter remembers. */
export interface LogRateLimit {
  /** Lines one node or resource may write per interval; the rest are counted, not written (default 10). */
  lines: number;
  /** The interval, in milliseconds, starting at the first line of a node or resource (default 60,000). */
  intervalMs: number;
  /** Nodes and resources tracked at once; beyond it the least recently active is forgotten (default 1,000). */
  maxKeys: number;
}

/** The limits `tagflow start` and `tagflow run` use. */
export const DEFAULT_LOG_RATE_LIMIT: LogRateLimit = { lines: 10, intervalMs: 60_000, maxKeys: 1000 };

/** One node's or resource's current interval. */
interface Window {
  /** The `node` or `resource` field the lines carried, repeated on the summary line. */
  tag: Record<string, string>;
  startedAt: number;
  written: number;
  suppressed: number;
  /** The most severe level suppressed: the summary is written at it, so `--log-level error` still sees it. */
  level: RecordLevel;
  lastMessage: string;
  timer: NodeJS.Timeout | undefined;
}

const LEVELS: RecordLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Wraps a logger so that no node or resource can flood it: the info, warn and error lines of one
 * node (records with a `node` field) or resource (`resource` field) beyond `lines` per interval
 * are counted instead of written, and one summary line says how many were suppressed when the
 * interval ends (or at `flush`). Records of neither kind (start, deploy, stop) pass untouched, and
 * so do debug lines: whoever sets the level to debug asked to see everything. Only what the
 * wrapped logger would write counts, so lines hidden by the level never use up a node's budget.
 * Counters (`/metrics`, node status) are kept by the engine, never by the log: suppressing a line
 * loses no count.
 */
export class RateLimitedLogger implements EngineLogger {
  readonly debug: (obj: object, msg?: string) => void;
  readonly info: (obj: object, msg?: string) => void;
  readonly warn: (obj: object, msg?: string) => void;
  readonly error: (obj: object, msg?: string) => void;
  private readonly limit: LogRateLimit;
  /** In least recently started order: Map keeps insertion order, and a new interval re-inserts. */
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly base: EngineLogger,
    limit: Partial<LogRateLimit> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limit = { ...DEFAULT_LOG_RATE_LIMIT, ...limit };
    const [debug, info, warn, error] = LEVELS.map((level) => (obj: object, msg?: string) => this.log(level, obj, msg));
    this.debug = debug;
    this.info = info;
    this.warn = warn;
    this.error = error;
  }

  isLevelEnabled(level: string): boolean {
    return this.base.isLevelEnabled?.(level) ?? true;
  }

  /** Writes the summary of every interval that suppressed lines, and forgets them all (call before exiting). */
  flush(): void {
    for (const [key, window] of [...this.windows]) this.close(key, window);
  }

  /** Nodes and resources tracked now (for tests of the memory bound). */
  get trackedKeys(): number {
    return this.windows.size;
  }

  private log(level: RecordLevel, obj: object, msg: string | undefined): void {
    const tag = tagOf(obj);
    // Debug lines are asked for (`--log-level debug`) to see everything, statuses included.
    if (tag === undefined || level === 'debug') return this.base[level](obj, msg);
    if (!this.isLevelEnabled(level)) return;
    const key = `${tag.field}\u0000${tag.id}`;
    const now = this.now();
    let window = this.windows.get(key);
    if (window !== undefined && now - window.startedAt >= this.limit.intervalMs) {
      this.close(key, window);
      window = undefined;
    }
    const current = window ?? this.open(key, { [tag.field]: tag.id }, now);
    if (current.written < this.limit.lines) {
      current.written++;
      return this.base[level](obj, msg);
    }
    current.suppressed++;
    current.level = current.suppressed === 1 ? level : severer(current.level, level);
    current.lastMessage = msg ?? '';
    // The summary comes when the interval ends, even if the node falls silent.
    current.timer ??= setTimeout(
      () => this.close(key, current),
      Math.max(0, current.startedAt + this.limit.intervalMs - now),
    ).unref();
  }

  private open(key: string, tag: Record<string, string>, now: number): Window {
    if (this.windows.size >= this.limit.maxKeys) this.evict(now);
    const window: Window = {
      tag,
      startedAt: now,
      written: 0,
      suppressed: 0,
      level: 'debug',
      lastMessage: '',
      timer: undefined,
    };
    this.windows.set(key, window);
    return window;
  }

  /** Makes room: first intervals that are over, then the least recently started one (its summary is written). */
  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.limit.intervalMs) this.close(key, window);
    }
    while (this.windows.size >= this.limit.maxKeys) {
      const [key, window] = this.windows.entries().next().value as [string, Window];
      this.close(key, window);
    }
  }

  private close(key: string, window: Window): void {
    if (this.windows.get(key) !== window) return;
    this.windows.delete(key);
    if (window.timer) clearTimeout(window.timer);
    if (window.suppressed === 0) return;
    const seconds = Math.round((this.now() - window.startedAt) / 1000);
    const [field, id] = Object.entries(window.tag)[0];
    this.base[window.level](
      { ...window.tag, suppressed: window.suppressed, intervalMs: this.limit.intervalMs, lastMsg: window.lastMessage },
      `${window.suppressed} more log line${window.suppressed === 1 ? '' : 's'} from ${field} "${id}" suppressed in ${seconds} s (at most ${this.limit.lines} per ${Math.round(this.limit.intervalMs / 1000)} s); the last: ${window.lastMessage}`,
    );
  }
}

/** The node or resource a record is about, if any. */
function tagOf(obj: object): { field: 'node' | 'resource'; id: string } | undefined {
  const fields = obj as Record<string, unknown>;
  if (typeof fields.node === 'string') return { field: 'node', id: fields.node };
  if (typeof fields.resource === 'string') return { field: 'resource', id: fields.resource };
  return undefined;
}
