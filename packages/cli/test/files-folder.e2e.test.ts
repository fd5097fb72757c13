// Issue 15's reproduction with a real `tagflow start`: file-out wrote wherever its path pointed, so a
// deployer forged the data dir's audit log and damaged tokens.json (every request then failed with
// 500), and a replay file could be any file. Flows now read and write only in the files folder.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, runTagflow, startTagflow, stopAllTagflow, until } from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import { logLines } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

interface Issue {
  code: string;
  path: string;
  message: string;
}

/** A flow of a fast simulator feeding file-out nodes, one per path. */
function writerFlow(id: string, paths: Record<string, string>): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id,
    nodes: [
      { id: 'sensor', type: 'simulate', typeVersion: 1, config: { intervalMs: 50, seed: 1 } },
      ...Object.entries(paths).map(([nodeId, p]) => ({
        id: nodeId,
        type: 'file-out',
        typeVersion: 1,
        config: { path: p, property: 'payload' },
      })),
    ],
    edges: Object.keys(paths).map((nodeId) => ({ source: 'sensor', target: nodeId })),
  };
}

function replayFlow(file: string): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id: 'replay',
    nodes: [{ id: 'recording', type: 'simulate', typeVersion: 1, config: { signal: { kind: 'replay', file } } }],
    edges: [],
  };
}

/** The version of flow `id` on the runtime, as If-Match wants it (`"0"` for a flow it does not hold). */
async function currentVersion(rt: TagflowProcess, id: string): Promise<string> {
  const res = await rt.api(`/api/flows/${id}`);
  return (res.ok && res.headers.get('etag')) || '"0"';
}

async function deploy(
  rt: TagflowProcess,
  flow: Record<string, unknown>,
): Promise<{ status: number; body: { errors?: Issue[] } }> {
  const res = await rt.api('/api/flow', {
    method: 'PUT',
    headers: { 'If-Match': await currentVersion(rt, String(flow.id)), 'Content-Type': 'application/json' },
    body: JSON.stringify(flow),
  });
  return { status: res.status, body: (await res.json()) as { errors?: Issue[] } };
}

interface NodeState {
  status: { state: string; text?: string } | null;
  counters: { in: number; errors: number };
}
async function nodes(rt: TagflowProcess): Promise<Record<string, NodeState>> {
  const res = await rt.api('/api/status');
  expect(res.status).toBe(200);
  return ((await res.json()) as { nodes: Record<string, NodeState> }).nodes;
}

describe('a flow names files outside the files folder', () => {
  let rt: TagflowProcess;
  let dataDir: string;
  let tokensBefore: string;
  beforeAll(async () => {
    rt = await startTagflow({ dataDir: tempDir('tagflow-files-') });
    dataDir = rt.dataDir;
    tokensBefore = readFileSync(path.join(dataDir, 'tokens.json'), 'utf8');
  }, 60_000);
  afterAll(() => rt.stop());

  /** Every line of the audit log is an event the runtime wrote: none came from a flow. */
  function auditEvents(): Array<{ type: string; actor?: string }> {
    return readFileSync(path.join(dataDir, 'audit.log'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { type: string; actor?: string });
  }

  it('validate, POST /api/flow/validate and a deploy refuse ../../audit.log and tokens.json alike', async () => {
    const tokens = path.join(dataDir, 'tokens.json');
    const flow = writerFlow('forger', { audit: '../../audit.log', tokens });
    const expected: Issue[] = [
      {
        code: 'FILE_OUTSIDE_ROOT',
        path: '/nodes/1/config/path',
        message:
          'node "audit" (file-out): File: "../../audit.log" climbs out of the files folder with "..": file paths are relative to the files folder (<data dir>/files, or the --files-dir of the runtime), and may not leave it',
      },
      {
        code: 'FILE_OUTSIDE_ROOT',
        path: '/nodes/2/config/path',
        message: `node "tokens" (file-out): File: "${tokens}" is an absolute path, outside the files folder: file paths are relative to the files folder (<data dir>/files, or the --files-dir of the runtime); write it relative to that folder, e.g. "tokens.json"`,
      },
    ];

    const file = path.join(tempDir('tagflow-forger-'), 'forger.json');
    writeFileSync(file, JSON.stringify(flow));
    const validated = await runTagflow(['validate', file], { cwd: dataDir });
    expect(validated.code).toBe(1);
    for (const issue of expected) expect(validated.stdout).toContain(`${issue.message} [FILE_OUTSIDE_ROOT]`);

    const checked = await rt.api('/api/flow/validate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(flow),
    });
    const checkedBody = (await checked.json()) as { ok: boolean; errors: Issue[] };
    expect(checkedBody.ok).toBe(false);
    expect(checkedBody.errors).toEqual(
      expected.map((issue, i) => expect.objectContaining({ ...issue, nodeId: ['audit', 'tokens'][i] })),
    );

    const deployed = await deploy(rt, flow);
    expect(deployed.status).toBe(422);
    expect(deployed.body.errors).toEqual(checkedBody.errors);

    expect(readFileSync(tokens, 'utf8')).toBe(tokensBefore);
    expect(auditEvents().map((e) => e.type)).not.toContain('token-revoked');
    expect(auditEvents().every((e) => typeof e.type === 'string')).toBe(true);
    // The admin token still works, and the audit log still reads.
    expect((await rt.api('/api/audit')).status).toBe(200);
  }, 60_000);

  it('writes a relative path into <data dir>/files, and refuses a link out of it at run time while the flow runs', async () => {
    const files = path.join(dataDir, 'files');
    mkdirSync(files, { recursive: true });
    symlinkSync(dataDir, path.join(files, 'state'));
    const outside = tempDir('tagflow-outside-');
    symlinkSync(outside, path.join(files, 'tmp'));
    const deployed = await deploy(
      rt,
      writerFlow('writer', { good: 'pump3/avg.jsonl', forge: 'state/tokens.json', leak: 'tmp/leak.jsonl' }),
    );
    expect(deployed).toMatchObject({ status: 200 });

    await until(async () => {
      const n = await nodes(rt);
      return n.forge?.counters.errors >= 3 && n.leak?.counters.errors >= 3 && n.good?.counters.in >= 3;
    }, 'file-out nodes to take three messages each');
    const n = await nodes(rt);
    expect(n.forge.status).toEqual({ state: 'error', text: 'refused: state/tokens.json is outside the files folder' });
    expect(n.leak.status).toEqual({ state: 'error', text: 'refused: tmp/leak.jsonl is outside the files folder' });
    expect(n.good.status).toEqual({ state: 'ok', text: 'writing to pump3/avg.jsonl' });
    expect(n.good.counters.errors).toBe(0);

    // The errors name the node and the path, in the log where the user looks.
    const refusal = `node "forge": "state/tokens.json" leads outside the files folder ${files} through a symbolic link (to ${dataDir})`;
    const logged = () => logLines(rt.stderr()).find((record) => record.msg.includes(refusal));
    await until(() => logged() !== undefined, 'the refusal in the log');
    expect(logged()?.node).toBe('forge');

    // Still running: more messages are written, and refused, after the first refusal.
    const before = (await nodes(rt)).good.counters.in;
    await until(async () => (await nodes(rt)).good.counters.in > before + 2, 'the flow to keep running');
    const written = readFileSync(path.join(files, 'pump3', 'avg.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(written.length).toBeGreaterThanOrEqual(3);
    for (const value of written) expect(Number.isFinite(Number(value))).toBe(true);

    expect(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')).toBe(tokensBefore);
    expect(readdirSync(outside)).toEqual([]);
    expect((await rt.api('/api/status')).status).toBe(200);
  }, 60_000);

  it('refuses a replay file climbing out with .., or linked out of the folder, at deploy', async () => {
    const climbing = await deploy(rt, replayFlow('../secret.key'));
    expect(climbing.status).toBe(422);
    expect(climbing.body.errors).toEqual([
      expect.objectContaining({
        code: 'FILE_OUTSIDE_ROOT',
        path: '/nodes/0/config/signal/file',
        message: expect.stringContaining('"../secret.key" climbs out of the files folder with ".."') as unknown,
      }),
    ]);

    symlinkSync(path.join(dataDir, 'secret.key'), path.join(dataDir, 'files', 'key.csv'));
    const linked = await deploy(rt, replayFlow('key.csv'));
    expect(linked.status).toBe(422);
    expect(JSON.stringify(linked.body.errors)).toContain(
      `node \\"recording\\": \\"key.csv\\" leads outside the files folder ${path.join(dataDir, 'files')} through a symbolic link (to ${path.join(dataDir, 'secret.key')})`,
    );
  }, 60_000);
});

describe('--files-dir', () => {
  it('moves the files folder for tagflow start', async () => {
    const elsewhere = path.join(tempDir('tagflow-files-dir-'), 'plant-files');
    const rt = await startTagflow({ dataDir: tempDir('tagflow-files-'), args: ['--files-dir', elsewhere] });
    try {
      expect((await deploy(rt, writerFlow('moved', { good: 'avg.jsonl' }))).status).toBe(200);
      await until(() => existsSync(path.join(elsewhere, 'avg.jsonl')), 'the file in --files-dir');
      expect(existsSync(path.join(rt.dataDir, 'files'))).toBe(false);
    } finally {
      expect(await rt.stop()).toBe(0);
    }
  }, 60_000);

  it('moves it for tagflow run too, whose default is <data dir>/files', async () => {
    const dataDir = tempDir('tagflow-run-files-');
    const flowFile = path.join(dataDir, 'flow.json');
    writeFileSync(flowFile, JSON.stringify(writerFlow('run', { good: 'run.jsonl' })));
    const byDefault = await runTagflow(['run', flowFile, '--data-dir', dataDir, '--for', '600ms'], { cwd: dataDir });
    expect(byDefault.code).toBe(0);
    expect(readFileSync(path.join(dataDir, 'files', 'run.jsonl'), 'utf8')).not.toBe('');
    const elsewhere = tempDir('tagflow-run-elsewhere-');
    const moved = await runTagflow(
      ['run', flowFile, '--data-dir', dataDir, '--files-dir', elsewhere, '--for', '600ms'],
      {
        cwd: dataDir,
      },
    );
    expect(moved.code).toBe(0);
    expect(readFileSync(path.join(elsewhere, 'run.jsonl'), 'utf8')).not.toBe('');
  }, 60_000);

  it.each([
    ['the data dir itself', (data: string) => data, 'is the data dir itself'],
    ['a folder holding the data dir', (data: string) => path.dirname(data), 'holds the data dir'],
    [
      'a folder of the data dir other than files/',
      (data: string) => path.join(data, 'flows'),
      'is inside the data dir',
    ],
  ])(
    'refuses %s, for start and run',
    async (_what, pick, says) => {
      const dataDir = path.join(tempDir('tagflow-bad-files-dir-'), 'data');
      mkdirSync(dataDir);
      const filesDir = pick(dataDir);
      const started = await runTagflow(['start', '--data-dir', dataDir, '--files-dir', filesDir, '--port', '0'], {
        cwd: dataDir,
      });
      expect(started.code).toBe(1);
      expect(started.stderr).toContain(`--files-dir: the files folder ${filesDir} ${says}`);
      // Refused before anything was made in the data dir: no token was printed.
      expect(started.stdout).toBe('');
      expect(readdirSync(dataDir)).toEqual([]);

      const flowFile = path.join(path.dirname(dataDir), 'flow.json');
      writeFileSync(flowFile, JSON.stringify(writerFlow('run', { good: 'run.jsonl' })));
      const ran = await runTagflow(
        ['run', flowFile, '--data-dir', dataDir, '--files-dir', filesDir, '--for', '200ms'],
        {
          cwd: dataDir,
        },
      );
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain(`--files-dir: the files folder ${filesDir} ${says}`);
    },
    60_000,
  );
});
