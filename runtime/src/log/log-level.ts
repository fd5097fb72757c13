/** The levels a runtime log accepts, most verbose first; `silent` writes nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

/** A log level name, as `--log-level` takes it. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The levels the runtime writes records at (`trace` is only a threshold: it shows everything). */
export type RecordLevel = 'debug' | 'info' | 'warn' | 'error';

// pino's numbers, so a level compares the same here and in pino.
const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: Infinity };

/** True when `value` names a log level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** True when a record at `level` passes a log whose threshold is `threshold`. */
export function levelPasses(level: RecordLevel, threshold: LogLevel): boolean {
  return RANK[level] >= RANK[threshold];
}

/** The more severe of two record levels. */
export function severer(a: RecordLevel, b: RecordLevel): RecordLevel {
  return RANK[a] >= RANK[b] ? a : b;
}
