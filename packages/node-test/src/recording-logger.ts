import type { EngineLogger } from '@tagflow/runtime';

/** One line the engine or a node logged during a test. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown>;
}

/** Keeps log lines in memory so tests stay quiet and can assert on them. */
export class RecordingLogger implements EngineLogger {
  readonly records: LogRecord[] = [];

  debug(data: object, message = ''): void {
    this.records.push({ level: 'debug', message, data: data as Record<string, unknown> });
  }
  info(data: object, message = ''): void {
    this.records.push({ level: 'info', message, data: data as Record<string, unknown> });
  }
  warn(data: object, message = ''): void {
    this.records.push({ level: 'warn', message, data: data as Record<string, unknown> });
  }
  error(data: object, message = ''): void {
    this.records.push({ level: 'error', message, data: data as Record<string, unknown> });
  }
}
