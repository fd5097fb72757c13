import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSupervisor } from '../../src/supervisor/engine-supervisor';
import type { EngineLogger } from '../../src/engine/types';

const quiet: EngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isLevelEnabled: () => false,
};

describe('an engine process that dies while starting', () => {
  it('is started again ever slower, not in a tight loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagflow-engine-restart-'));
    const starts = join(dir, 'starts.log');
    // Stands in for an engine whose start fails every time (a package that throws at load, a
    // data dir it cannot open): it notes each start and exits before saying it is ready.
    const entry = join(dir, 'dies-at-start.js');
    writeFileSync(entry, `require('node:fs').appendFileSync(${JSON.stringify(starts)}, 'x'); process.exit(3);\n`);
    writeFileSync(starts, '');
    const supervisor = new EngineSupervisor({ searchDirs: [], dataDir: dir, logger: quiet, entry });
    const starting = supervisor.start();
    starting.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const count = readFileSync(starts, 'utf8').length;
    await supervisor.shutdown(1000);
    // Three at once, then 1 s, 2 s, 4 s apart: at most 5 in 4 s. A loop that ignores the
    // back-off starts dozens (one every few hundred ms, each a whole Node process).
    expect(count).toBeGreaterThanOrEqual(3);
    expect(count).toBeLessThanOrEqual(6);
    await expect(starting).rejects.toThrow(/stopping/);
  }, 30_000);
});
