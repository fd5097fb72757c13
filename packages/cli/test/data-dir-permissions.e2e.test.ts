import { chmodSync, lstatSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlowStore } from '@tagflow/runtime';
import { ensureCliBuilt, repoRoot, startTagflow, stopAllTagflow, until } from '@tagflow/test-support';
import { fixtures, logLines, runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

/** Every entry under `dir` (itself included, as `.`) with its permission bits; links are listed, not followed. */
function modesUnder(dir: string): Map<string, { kind: 'dir' | 'file' | 'link'; mode: number }> {
  const out = new Map<string, { kind: 'dir' | 'file' | 'link'; mode: number }>();
  const visit = (relative: string) => {
    const s = lstatSync(path.join(dir, relative));
    const kind = s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : 'file';
    out.set(relative, { kind, mode: s.mode & 0o7777 });
    if (kind === 'dir')
      for (const name of readdirSync(path.join(dir, relative)))
        visit(relative === '.' ? name : path.join(relative, name));
  };
  visit('.');
  return out;
}

const historianFlow = {
  schemaVersion: 1,
  id: 'pump-history',
  resources: [{ id: 'db', type: 'historian', config: { backend: 'local', name: 'plant' } }],
  nodes: [
    {
      id: 'tick',
      type: 'timer',
      typeVersion: 1,
      config: { intervalMs: 200, onStart: true, topic: 'pump3/flow', payload: 42.5 },
    },
    { id: 'rec', type: 'historian-out', typeVersion: 1, config: { historian: 'db', tag: 'pump3/flow' } },
    // Writes into the data dir without giving modes: private only through the engine's umask.
    { id: 'state', type: 'state-writer', typeVersion: 1, config: {} },
  ],
  edges: [{ source: 'tick', sourcePort: 'out', target: 'rec', targetPort: 'in' }],
};

describe('the data dir under tagflow start', () => {
  it('is tightened at start, and keeps flows, history (with -wal and -shm), buffers and keys 0600 in 0700 folders', async () => {
    // A data dir as an older tagflow left it: the folders 0755, the flow history 0644.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-perms-'));
    const old = await FlowStore.open(dataDir);
    await old.save({ schemaVersion: 1, id: 'old', nodes: [], edges: [] }, 'cli');
    writeFileSync(path.join(dataDir, 'notes.txt'), 'left by hand');
    for (const [entry, { kind }] of modesUnder(dataDir))
      chmodSync(path.join(dataDir, entry), kind === 'dir' ? 0o755 : 0o644);

    const s = await startTagflow({
      dataDir,
      cwd: fixtures,
      args: ['--nodes-dir', path.join(repoRoot, 'nodes', 'historian'), '--nodes-dir', 'umask-nodes'],
    });
    const said = logLines(s.stderr()).find((l) => l.msg.startsWith('tightened permissions'));
    expect(said).toMatchObject({
      level: 'warn',
      msg: `tightened permissions of 3 files and 2 folders in ${dataDir} (were readable by other users, e.g. flows/v1.json 0644 -> 0600)`,
    });

    const res = await s.api('/api/flow', {
      method: 'PUT',
      // A flow of its own beside the old one (upgraded into flows/old/ at this start).
      headers: { 'If-Match': '"0"', 'Content-Type': 'application/json' },
      body: JSON.stringify(historianFlow),
    });
    expect(res.status).toBe(200);
    await until(
      async () => {
        const rows = await s.api('/api/history?resource=db&tags=pump3/flow');
        return rows.status === 200 && ((await rows.json()) as unknown[]).length > 0;
      },
      'a row in the local history store',
      20_000,
    );

    // While it runs: the SQLite -wal and -shm files and the buffer's lock exist only now.
    const running = modesUnder(dataDir);
    expect([...running.keys()]).toEqual(
      expect.arrayContaining([
        'flows/flows.json',
        'flows/old/versions.json',
        'flows/old/v1.json',
        'flows/pump-history/versions.json',
        'flows/pump-history/v1.json',
        'tokens.json',
        'secret.key',
        'engine-boot.json',
        'audit.log',
        'historian/plant.sqlite',
        'historian/plant.sqlite-wal',
        'historian/plant.sqlite-shm',
        'outbox/pump-history/rec/lock',
        'state-writer/state.txt',
      ]),
    );
    const loose = (modes: typeof running) =>
      [...modes]
        .filter(([, e]) => e.kind === 'link' || e.mode !== (e.kind === 'dir' ? 0o700 : 0o600))
        .map(([name, e]) => `${name} ${e.kind} ${e.mode.toString(8)}`);
    expect(loose(running)).toEqual([]);

    expect(await s.stop()).toBe(0);
    expect(loose(modesUnder(dataDir))).toEqual([]);
  }, 90_000);
});

describe('the data dir under tagflow run', () => {
  it('makes what the flow writes private, and leaves files it did not make as they are', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-perms-run-'));
    chmodSync(dataDir, 0o755);
    const notes = path.join(dataDir, 'notes.txt');
    writeFileSync(notes, 'left by hand');
    chmodSync(notes, 0o644);
    const flowFile = path.join(mkdtempSync(path.join(tmpdir(), 'tagflow-perms-flow-')), 'state.flow.json');
    writeFileSync(
      flowFile,
      JSON.stringify({
        schemaVersion: 1,
        id: 'state',
        nodes: [{ id: 'state', type: 'state-writer', typeVersion: 1, config: {} }],
        edges: [],
      }),
    );

    const result = await runCli([
      'run',
      flowFile,
      '--for',
      '500ms',
      '--data-dir',
      dataDir,
      '--nodes-dir',
      'umask-nodes',
    ]);

    expect(result.code).toBe(0);
    expect(statSync(path.join(dataDir, 'state-writer')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, 'state-writer', 'state.txt')).mode & 0o777).toBe(0o600);
    expect(statSync(notes).mode & 0o777).toBe(0o644);
    expect(statSync(dataDir).mode & 0o777).toBe(0o755);
    expect(result.stderr).not.toMatch(/tightened permissions/);
  }, 60_000);
});
