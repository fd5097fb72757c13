// A measurement that fails or misses its deadline is reported, not fatal: the run goes on to the
// next one and the next figure, and the summary and the JSON say what is missing and why.
import { DeadlineError } from './run-child';

/** A measurement (or a whole figure) that produced no result. */
export interface Failure {
  /** What was measured, e.g. `fan-out 1 node-red-5 run 2`, or `figure 5` when a whole figure failed. */
  label: string;
  /** Whose measurement it was: a system, `tagflow run`, `mqtt.js`, or `figure` for a whole figure. */
  subject: string;
  status: 'timed out' | 'failed';
  error: string;
}

/** Runs one measurement; on an error or a time-out logs and records it, and returns undefined. */
export async function attempt<T>(
  label: string,
  subject: string,
  failures: Failure[],
  log: (line: string) => void,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    const status = err instanceof DeadlineError ? 'timed out' : 'failed';
    const error = err instanceof Error ? err.message : String(err);
    failures.push({ label, subject, status, error });
    // e.g. `mqtt QoS1 mqtt.js run 2: FAILED: mqtt.js timed out after 60 s waiting for "result", killed`
    log(`  ${label}: FAILED: ${error.split('\n')[0]}`);
    return undefined;
  }
}

/** What is missing of `subject`'s `runs` measurements: `''`, `timed out`, `failed`, or `1 of 3 timed out`. */
export function missing(failures: Failure[], subject: string, runs: number): string {
  const mine = failures.filter((f) => f.subject === subject);
  if (mine.length === 0) return '';
  const status = mine.every((f) => f.status === 'timed out') ? 'timed out' : 'failed';
  return mine.length >= runs ? status : `${mine.length} of ${runs} ${status}`;
}
