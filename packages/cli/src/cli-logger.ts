import { createLogger } from '@tagflow/runtime/engine';
import type { FlowIssue } from '@tagflow/flow-model';
import type { EngineLogger, LogLevel, RuntimeLogger } from '@tagflow/runtime/engine';
import { CliError, EXIT_FAILURE } from './cli-error';

/** The log formats `--log-format` takes. */
export const LOG_FORMATS = ['auto', 'json', 'text'] as const;

/** `auto` (by whether stderr is a terminal), `json` or `text`. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The log options `tagflow start` and `tagflow run` share. */
export interface LogOptions {
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/**
 * The log of `tagflow start` and `tagflow run`, on stderr: one readable line per record on a
 * terminal (`08:00:01 error [avg] payload is not a number (NOT_A_NUMBER)`), JSON lines otherwise
 * (a service manager, a pipe, a file), so a log shipper can parse every line.
 */
export function createCliLogger(options: LogOptions): RuntimeLogger {
  const terminal = process.stderr.isTTY === true;
  const format = options.logFormat === 'auto' ? (terminal ? 'text' : 'json') : options.logFormat;
  return createLogger({
    level: options.logLevel,
    format,
    color: terminal && process.stderr.hasColors(),
  });
}

/**
 * Runs a command with its log, and reports a failure as a log record, so that a JSON log stays
 * JSON to its last line; `main` then only sets the exit code.
 */
export async function withLog(options: LogOptions, command: (log: RuntimeLogger) => Promise<void>): Promise<void> {
  const log = createCliLogger(options);
  try {
    await command(log);
  } catch (err) {
    log.flush();
    if (err instanceof CliError) {
      if (!err.reported) log.error({}, err.message);
      throw new CliError(err.message, err.exitCode, { reported: true });
    }
    log.error({ err }, `unexpected failure, please report it: ${err instanceof Error ? err.message : String(err)}`);
    throw new CliError(err instanceof Error ? err.message : String(err), EXIT_FAILURE, { reported: true });
  }
}

/** One record per issue of a deploy, with its code and JSON path. */
export function logIssues(log: EngineLogger, level: 'warn' | 'error', issues: readonly FlowIssue[]): void {
  for (const issue of issues) {
    const where = issue.nodeId ? { node: issue.nodeId } : issue.resourceId ? { resource: issue.resourceId } : {};
    log[level]({ ...where, code: issue.code, path: issue.path }, issue.message);
  }
}
