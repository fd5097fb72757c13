import pino from 'pino';
import type { EngineLogger } from '../engine/types';
import { levelPasses } from './log-level';
import type { LogLevel, RecordLevel } from './log-level';
import { RateLimitedLogger } from './rate-limited-logger';
import type { LogRateLimit } from './rate-limited-logger';
import { formatTextLine } from './text-log-format';

/** One record of the runtime's log, as forwarded to WebSocket clients. */
export interface LogRecord {
  level: string;
  message: string;
  data?: Record<string, unknown>;
}

/** How the runtime writes its log. */
export interface LoggerOptions {
  /** Records below this level are not written (default `info`). */
  level?: LogLevel;
  /** `json`: one JSON object per line, for machines (default); `text`: one readable line per record, for people. */
  format?: 'json' | 'text';
  /** Where lines go (default stderr). */
  stream?: { write(text: string): unknown };
  /** Colour the level in the text format (for a terminal; default false). */
  color?: boolean;
  /** Lines per node or resource and interval; `false` turns the limit off (default 10 per 60 s). */
  rateLimit?: Partial<LogRateLimit> | false;
}

/** The runtime's log: what the engine and the admin server write to, and what the CLI flushes when it stops. */
export interface RuntimeLogger extends EngineLogger {
  readonly level: LogLevel;
  isLevelEnabled(level: string): boolean;
  /** Calls `listener` with every record written (after the level and the rate limit); returns the function that unsubscribes. */
  onLog(listener: (record: LogRecord) => void): () => void;
  /** Writes the summary of lines suppressed so far (call before the process exits). */
  flush(): void;
  /** The same log without the rate limit, for records already limited where they were made (the engine process). */
  readonly unlimited: EngineLogger;
}

const RECORD_LEVELS: RecordLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * The runtime's log, written with pino: JSON lines (`{"level":"warn","time":"...","msg":"...",
 * "node":"avg",...}`) or readable lines, at most `rateLimit` lines per node or resource. Stacks of
 * unexpected errors are in every JSON record that has one, and in the text format at level debug.
 */
export function createLogger(options: LoggerOptions = {}): RuntimeLogger {
  const level = options.level ?? 'info';
  const out = options.stream ?? process.stderr;
  const text = { stacks: levelPasses('debug', level), color: options.color ?? false };
  const destination =
    options.format === 'text'
      ? { write: (line: string) => out.write(`${formatTextLine(JSON.parse(line) as Record<string, unknown>, text)}\n`) }
      : out;
  const writer = pino(
    {
      level,
      // A line says what happened; the host and process are the log shipper's to add.
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const listeners = new Set<(record: LogRecord) => void>();
  const sink = { isLevelEnabled: (name: string) => writer.isLevelEnabled(name) } as EngineLogger & {
    isLevelEnabled(level: string): boolean;
  };
  for (const name of RECORD_LEVELS) {
    sink[name] = (obj: object, msg?: string) => {
      if (!writer.isLevelEnabled(name)) return;
      writer[name](obj, msg);
      if (listeners.size === 0) return;
      const record: LogRecord = { level: name, message: msg ?? '', data: safeData(obj) };
      for (const listener of listeners) listener(record);
    };
  }
  const limited = options.rateLimit === false ? undefined : new RateLimitedLogger(sink, options.rateLimit);
  const front: EngineLogger = limited ?? sink;
  return {
    level,
    debug: (obj, msg) => front.debug(obj, msg),
    info: (obj, msg) => front.info(obj, msg),
    warn: (obj, msg) => front.warn(obj, msg),
    error: (obj, msg) => front.error(obj, msg),
    isLevelEnabled: sink.isLevelEnabled,
    onLog(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush: () => limited?.flush(),
    unlimited: sink,
  };
}

// Log fields may hold Error objects and other things JSON cannot carry.
function safeData(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj))
    out[k] = v instanceof Error ? v.message : typeof v === 'bigint' ? String(v) : v;
  return out;
}
