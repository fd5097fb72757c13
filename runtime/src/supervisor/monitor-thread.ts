import type { MonitorReport } from './host-protocol';

/** What the monitor thread is given. */
export interface MonitorData {
  /** The engine's activity counters (over a SharedArrayBuffer): [progress, busy node index]. */
  activity: Int32Array;
  fd: number;
  intervalMs: number;
  /** The supervisor's pid: when it is gone, this process ends itself even if its engine is stuck. */
  parentPid: number;
}

/**
 * The monitor thread's code, run with `new Worker(code, { eval: true })` inside the engine process.
 * It keeps running while the engine's thread is stuck in a loop: it reports the busy node and the
 * memory on the monitor pipe, and ends the process when the supervisor is gone (an orphaned engine
 * spinning forever would hold the box's CPU and ports).
 */
export const MONITOR_THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { activity, fd, intervalMs, parentPid } = workerData;
setInterval(() => {
  if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
  const report = { progress: Atomics.load(activity, 0), busy: Atomics.load(activity, 1), rss: process.memoryUsage.rss() };
  try {
    writeSync(fd, JSON.stringify(report) + '\\n');
  } catch (err) {
    // EAGAIN: the supervisor reads slowly, this report is skipped; EPIPE: it is gone.
    if (err.code === 'EPIPE') process.kill(process.pid, 'SIGKILL');
  }
}, intervalMs);
`;

/** Parses one line of the monitor pipe; undefined for a line that is not a report. */
export function parseMonitorLine(line: string): MonitorReport | undefined {
  try {
    const value = JSON.parse(line) as Partial<MonitorReport>;
    if (typeof value.progress === 'number' && typeof value.busy === 'number' && typeof value.rss === 'number')
      return value as MonitorReport;
  } catch {
    // A torn line (the pipe was full mid-write) carries nothing usable; the next one will.
    return undefined;
  }
  return undefined;
}
