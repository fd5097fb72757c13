import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BOOT_RECORD_FILE, BootRecord, LEGACY_RUN } from '../../src/supervisor/boot-record';
import type { EngineEnd } from '../../src/supervisor/engine-contract';

const dir = () => mkdtempSync(path.join(tmpdir(), 'tagflow-boot-'));
const end = (flowHash: string): EngineEnd => ({
  at: new Date().toISOString(),
  kind: 'watchdog',
  reason: 'no heartbeat',
  flowHash,
});

describe('boot record', () => {
  it('counts young ends in a row per flow, and forgets them once the flow ran healthily', async () => {
    const dataDir = dir();
    const record = await BootRecord.open(dataDir);
    expect(record.problem).toBeUndefined();
    expect(await record.recordEnd(end('aaa'), 'f1', 'aaa', true)).toBe(1);
    expect(await record.recordEnd(end('aaa'), 'f1', 'aaa', true)).toBe(2);
    expect(await record.recordEnd(end('bbb'), 'f1', 'bbb', true)).toBe(1);
    expect(record.quickEnds('aaa')).toBe(2);
    // An end after the first minute breaks the row.
    expect(await record.recordEnd(end('bbb'), 'f1', 'bbb', false)).toBe(0);
    expect(record.quickEnds('bbb')).toBe(0);
    await record.markHealthy('aaa');
    expect(record.isHealthy('aaa')).toBe(true);
    expect(record.quickEnds('aaa')).toBe(0);
    await record.forgetHealthy('aaa');
    expect(record.isHealthy('aaa')).toBe(false);
  });

  it('keeps everything across a restart, including a run that never ended cleanly', async () => {
    const dataDir = dir();
    const record = await BootRecord.open(dataDir);
    await record.markHealthy('good');
    await record.recordEnd(end('bad'), 'f1', 'bad', true);
    await record.runStarted('f1', { hash: 'bad', version: 4, startedAt: '2026-12-03T08:00:00.000Z' });

    const reopened = await BootRecord.open(dataDir);
    expect(reopened.read()).toEqual({
      healthy: ['good'],
      quickEnds: { bad: 1 },
      runs: { f1: { hash: 'bad', version: 4, startedAt: '2026-12-03T08:00:00.000Z', healthy: false } },
      lastEnd: expect.objectContaining({ flowHash: 'bad', kind: 'watchdog' }),
    });
    await reopened.markHealthy('bad');
    expect((await BootRecord.open(dataDir)).read().runs.f1).toMatchObject({ hash: 'bad', healthy: true });
    await reopened.runStarted('f2', { hash: 'other', startedAt: '2026-12-03T08:00:01.000Z' });
    await reopened.runEnded('f1');
    expect((await BootRecord.open(dataDir)).read().runs).toEqual({ f2: expect.objectContaining({ hash: 'other' }) });
    await reopened.runEnded();
    // Written whole, as JSON, with no temporary file left beside it.
    expect(JSON.parse(readFileSync(path.join(dataDir, BOOT_RECORD_FILE), 'utf8'))).toMatchObject({ runs: {} });
  });

  it("reads a single-flow runtime's run as the legacy run, for whichever flow has its hash", async () => {
    const dataDir = dir();
    const run = { hash: 'old', version: 2, startedAt: '2026-12-01T08:00:00.000Z', healthy: false };
    writeFileSync(
      path.join(dataDir, BOOT_RECORD_FILE),
      JSON.stringify({ healthy: [], quickEnds: {}, run, lastEnd: null }),
    );
    const record = await BootRecord.open(dataDir);
    expect(record.problem).toBeUndefined();
    expect(record.read().runs).toEqual({ [LEGACY_RUN]: run });
    // The first run recorded with a flow id replaces it.
    await record.runStarted('pump', { hash: 'new', startedAt: '2026-12-04T08:00:00.000Z' });
    expect(Object.keys(record.read().runs)).toEqual(['pump']);
  });

  it('starts afresh from a damaged file, saying so, rather than refusing to boot', async () => {
    const dataDir = dir();
    writeFileSync(path.join(dataDir, BOOT_RECORD_FILE), '{"healthy": 3');
    const record = await BootRecord.open(dataDir);
    expect(record.problem).toMatch(/engine-boot\.json could not be read, safe boot starts afresh/);
    expect(record.read()).toEqual({ healthy: [], quickEnds: {}, runs: {}, lastEnd: null });
    writeFileSync(path.join(dataDir, BOOT_RECORD_FILE), '{"healthy": "all"}');
    expect((await BootRecord.open(dataDir)).problem).toMatch(/it is not a boot record/);
    await record.markHealthy('x');
    expect((await BootRecord.open(dataDir)).isHealthy('x')).toBe(true);
  });
});
