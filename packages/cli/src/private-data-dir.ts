import { describeFailures, describeTightening, makePrivateDir, tightenDataDir } from '@tagflow/runtime';
import type { EngineLogger } from '@tagflow/runtime';

/**
 * Creates the data dir 0700, or takes group and other permissions away from an existing one and
 * everything in it (a data dir made by an older tagflow or by hand), saying what it changed and
 * naming what it could not change. Never fails for a file it cannot change: the runtime still starts.
 */
export async function makeDataDirPrivate(dataDir: string, log: EngineLogger): Promise<void> {
  await makePrivateDir(dataDir);
  const report = await tightenDataDir(dataDir);
  const done = describeTightening(report);
  if (done) log.warn({ dataDir, files: report.files, folders: report.folders }, done);
  for (const line of describeFailures(report)) log.warn({ dataDir }, line);
}
