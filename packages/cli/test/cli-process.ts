import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { runTagflow, spawnTagflow } from '@tagflow/test-support';
import type { TagflowResult } from '@tagflow/test-support';

/** Fixture flows and node packages; also the working directory of every spawned CLI. */
export const fixtures = path.join(__dirname, 'fixtures');
const env = { TAGFLOW_LOG_LEVEL: 'info' };

/** Runs the real CLI in the fixtures folder and waits for it to exit. */
export function runCli(args: string[]): Promise<TagflowResult> {
  return runTagflow(args, { cwd: fixtures, env });
}

/** One record of the JSON log `tagflow start` and `tagflow run` write on stderr when it is not a terminal. */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  time: string;
  msg: string;
  node?: string;
  resource?: string;
  [field: string]: unknown;
}

/** Every line of `stderr` as a log record; throws on a line that is not a JSON log record. */
export function logLines(stderr: string): LogLine[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      // What else the process printed (a stack trace, say) is what such a failure needs to show.
      const notARecord = (why: string) => new Error(`not a log record (${why}): ${line}\nthe whole stderr:\n${stderr}`);
      let record: LogLine;
      try {
        record = JSON.parse(line) as LogLine;
      } catch (err) {
        throw notARecord((err as Error).message);
      }
      if (typeof record.level !== 'string' || typeof record.time !== 'string' || typeof record.msg !== 'string')
        throw notARecord('no level, time or msg');
      return record;
    });
}

/** Starts the real CLI in the fixtures folder; the caller reads its streams and waits with `finished`. */
export function startCli(args: string[]): ChildProcessWithoutNullStreams {
  return spawnTagflow(args, { cwd: fixtures, env });
}

/** Resolves with the stdout lines seen so far once `count` complete lines have been printed. */
export function stdoutLines(child: ChildProcessWithoutNullStreams, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: string) => {
      text += chunk;
      const lines = text.split('\n').slice(0, -1);
      if (lines.length >= count) {
        child.stdout.off('data', onData);
        resolve(lines);
      }
    };
    child.stdout.on('data', onData);
    child.on('close', (code) =>
      reject(new Error(`tagflow exited (code ${code}) after ${text.split('\n').length - 1} lines`)),
    );
  });
}
