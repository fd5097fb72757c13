export { createLogger } from './create-logger';
export type { LoggerOptions, LogRecord, RuntimeLogger } from './create-logger';
export { RateLimitedLogger, DEFAULT_LOG_RATE_LIMIT } from './rate-limited-logger';
export type { LogRateLimit } from './rate-limited-logger';
export { LOG_LEVELS, isLogLevel } from './log-level';
export type { LogLevel } from './log-level';
export { formatTextLine } from './text-log-format';
export type { TextFormatOptions } from './text-log-format';
