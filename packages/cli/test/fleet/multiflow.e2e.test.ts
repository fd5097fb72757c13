import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, runTagflow, startTagflow, until } from '@tagflow/test-support';
import type { TagflowProcess, TagflowResult } from '@tagflow/test-support';
import { AdminClient } from '../../src/fleet/admin-client';
import type { FlowSummary } from '../../src/fleet/admin-client';

/**
 * Many flows on one real runtime (`tagflow start`), driven by the real `tagflow deploy`, `flows`,
 * `status`, `rollback` and `pack`: three flows deployed side by side, one changed and rolled back
 * while the other two keep their versions and keep counting messages.
 */

const TOKEN_ENV = 'TAGFLOW_TOKEN_MULTI';
let workDir: string;
let runtime: TagflowProcess;
let token: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;
const files: Record<string, string> = {};

/** A flow with a simulated sensor feeding a moving average and a debug node. */
function lineFlow(id: string, seed: number): object {
  return {
    schemaVersion: 1,
    id,
    name: `Line ${id.slice(-1).toUpperCase()} flow sensor`,
    nodes: [
      { id: 'sensor', type: 'simulate', typeVersion: 1, config: { intervalMs: 100, seed } },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 5 } } },
      { id: 'show', type: 'debug', typeVersion: 1 },
    ],
    edges: [
      { source: 'sensor', target: 'avg' },
      { source: 'avg', target: 'show' },
    ],
  };
}

beforeAll(async () => {
  ensureCliBuilt();
  workDir = mkdtempSync(path.join(tmpdir(), 'tagflow-multiflow-e2e-'));
  for (const [id, seed] of [
    ['line-a', 1],
    ['line-b', 2],
    ['line-c', 3],
  ] as const) {
    files[id] = path.join(workDir, `${id}.flow.json`);
    writeFileSync(files[id], JSON.stringify(lineFlow(id, seed), null, 2));
  }
  files['line-b-v2'] = path.join(workDir, 'line-b-v2.flow.json');
  writeFileSync(files['line-b-v2'], JSON.stringify(lineFlow('line-b', 22), null, 2));
  runtime = await startTagflow({
    dataDir: path.join(workDir, 'data'),
    cwd: workDir,
    env: { TAGFLOW_LOG_LEVEL: 'info' },
    timeoutMs: 30_000,
  });
  if (runtime.token === undefined) throw new Error(`the runtime printed no admin token:\n${runtime.stdout()}`);
  token = runtime.token;
  fleetFile = path.join(workDir, 'fleet.yaml');
  writeFileSync(
    fleetFile,
    [
      'flows: [line-a.flow.json, line-b.flow.json]',
      'runtimes:',
      `  - { name: rt, url: "${runtime.url}", tokenEnv: ${TOKEN_ENV}, flows: [line-c.flow.json] }`,
      '',
    ].join('\n'),
  );
  env = { ...process.env, [TOKEN_ENV]: token };
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 30_000);

function tagflow(args: string[]): Promise<TagflowResult> {
  return runTagflow([...args, '--fleet', fleetFile], { cwd: workDir, env: { ...env, TAGFLOW_LOG_LEVEL: 'info' } });
}

const client = () => new AdminClient({ name: 'rt', url: runtime.url, token });

/** Each flow's id, version and state, as `tagflow flows --json` lists them. */
async function listed(): Promise<FlowSummary[]> {
  const result = await tagflow(['flows', '--to', 'rt', '--json']);
  expect(result.code).toBe(0);
  const json = JSON.parse(result.stdout) as { runtimes: Array<{ flows: FlowSummary[] }> };
  return json.runtimes[0]?.flows ?? [];
}

/** The `flow result` columns of a deploy table, by flow. */
function resultsOf(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((line) => line.startsWith('rt '))
      .map((line) => {
        const [, flow, result] = /^rt +(\S+) +(.*)$/.exec(line) as RegExpExecArray;
        return [flow, result];
      }),
  );
}

describe('three flows on one runtime', () => {
  it('deploys three flows with one command, each by its id, as version 1 of each', async () => {
    const result = await tagflow(['deploy', files['line-a'], files['line-b'], files['line-c'], '--to', 'rt']);
    expect(result.stderr).toBe('deploying "line-a", "line-b", "line-c" to 1 runtime\n');
    expect(resultsOf(result.stdout)).toEqual({
      'line-a': 'deployed v1',
      'line-b': 'deployed v1',
      'line-c': 'deployed v1',
    });
    expect(result.code).toBe(0);
    expect((await listed()).map((f) => [f.id, f.version, f.state])).toEqual([
      ['line-a', 1, 'running'],
      ['line-b', 1, 'running'],
      ['line-c', 1, 'running'],
    ]);
  });

  it('lists the flows with name, state, version and counters, and shows each in the status', async () => {
    await until(async () => (await listed()).every((f) => f.counters.out > 0), 'every flow to count messages', 20_000);
    const table = await tagflow(['flows', '--to', 'rt']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^runtime +flow +state +version +in +out +errors +dropped +name$/m);
    expect(table.stdout).toMatch(/^rt +line-a +running +v1 +\d+ +\d+ +0 +0 +Line A flow sensor$/m);
    expect(table.stdout).toMatch(/^rt +line-c +running +v1 +\d+ +\d+ +0 +0 +Line C flow sensor$/m);

    const status = await tagflow(['status', '--to', 'rt']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^rt +ok +3 flows +none +0 +\S+$/m);
    expect(status.stdout).toMatch(/^ {4}flow line-b v1: running, \d+ in, \d+ out, 0 errors, 0 dropped$/m);
  });

  it('rolls one flow back while the others keep their versions and keep counting', async () => {
    const changed = await tagflow(['deploy', files['line-b-v2'], '--to', 'rt']);
    expect(resultsOf(changed.stdout)).toEqual({ 'line-b': 'deployed v2' });

    const before = new Map((await listed()).map((f) => [f.id, f]));
    const back = await tagflow(['rollback', '--to', 'rt', '--flow', 'line-b']);
    expect(back.stdout).toBe('runtime  flow    result\nrt       line-b  deployed v3\n    rollback to version 1\n');
    expect(back.code).toBe(0);

    const after = new Map((await listed()).map((f) => [f.id, f]));
    expect([...after.values()].map((f) => [f.id, f.version])).toEqual([
      ['line-a', 1],
      ['line-b', 3],
      ['line-c', 1],
    ]);
    // Never restarted: their counters went on from where they were.
    for (const id of ['line-a', 'line-c']) {
      expect(after.get(id)?.deployedAt).toBe(before.get(id)?.deployedAt);
      expect(after.get(id)?.counters.in).toBeGreaterThanOrEqual(before.get(id)?.counters.in ?? Infinity);
    }
    expect((await client().flowVersions('line-a')).map((v) => v.version)).toEqual([1]);
    expect((await client().flowVersions('line-b')).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('asks which flow to roll back when the runtime has several, naming them', async () => {
    const result = await tagflow(['rollback', '--to', 'rt']);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'error: rt has 3 flows: line-a, line-b, line-c; say which one to roll back with --flow ID\n',
    });
  });

  it("deploys the fleet file's flows when none is named: the fleet's, then the runtime's own", async () => {
    const result = await tagflow(['deploy', '--to', 'rt', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { results: Array<{ flow: string; status: string }> };
    expect(json.results.map((r) => [r.flow, r.status])).toEqual([
      ['line-a', 'unchanged'],
      ['line-b', 'unchanged'],
      ['line-c', 'unchanged'],
    ]);
  });

  it('packs several flows into one bundle and deploys each of them from it', async () => {
    const bundle = path.join(workDir, 'lines.bundle.tgz');
    const packed = await runTagflow(['pack', files['line-a'], files['line-b-v2'], '-o', bundle], {
      cwd: workDir,
      env: { ...env, TAGFLOW_LOG_LEVEL: 'info' },
    });
    expect(packed.code).toBe(0);
    expect(packed.stderr).toBe('packed 2 flows with 0 node packages\n');
    const deployed = await tagflow(['deploy', bundle, '--to', 'rt']);
    expect(resultsOf(deployed.stdout)).toEqual({ 'line-a': 'unchanged v1', 'line-b': 'deployed v4' });
    expect(deployed.code).toBe(0);
  });
});
