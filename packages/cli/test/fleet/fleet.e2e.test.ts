import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@tagflow/node-test';
import { ensureCliBuilt, runTagflow, startTagflow, until } from '@tagflow/test-support';
import type { TagflowProcess, TagflowResult } from '@tagflow/test-support';
import { fixtures } from '../cli-process';
import { AdminClient } from '../../src/fleet/admin-client';

/**
 * Three real runtimes (`tagflow start`) on loopback, driven by the real `tagflow deploy`,
 * `status` and `rollback`. plant-a-l1 and plant-a-l2 have the cli-test-nodes package
 * (node type `unplugged-sensor`); plant-b-l1 lacks it. Each runtime runs several flows side by
 * side: a flow deployed under a new id joins the others, one under a known id replaces that one.
 */

const fleetFixtures = path.join(__dirname, 'fixtures');
const pumpMonitor = path.join(fixtures, 'pump-monitor.flow.json');
const pluginSensor = path.join(fleetFixtures, 'plugin-sensor.flow.json');
const failing = path.join(fleetFixtures, 'failing.flow.json');

interface Runtime {
  name: string;
  url: string;
  tokenEnv: string;
  token: string;
  process: TagflowProcess;
}

const NAMES = ['plant-a-l1', 'plant-a-l2', 'plant-b-l1'] as const;
let workDir: string;
let fleetFile: string;
let runtimes: Runtime[] = [];
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ensureCliBuilt();
  workDir = mkdtempSync(path.join(tmpdir(), 'tagflow-fleet-e2e-'));
  runtimes = await Promise.all(
    NAMES.map((name) =>
      startRuntime(name, name.startsWith('plant-a') ? ['--nodes-dir', path.join(fixtures, 'extra-nodes')] : []),
    ),
  );
  fleetFile = path.join(workDir, 'fleet.yaml');
  const entries = runtimes.map(
    (r) =>
      `  - name: ${r.name}\n    url: ${r.url}\n    tokenEnv: ${r.tokenEnv}\n    labels: { site: ${r.name.slice(0, 7)}, line: ${r.name.slice(8)} }\n`,
  );
  writeFileSync(fleetFile, `runtimes:\n${entries.join('')}`);
  env = { ...process.env, ...Object.fromEntries(runtimes.map((r) => [r.tokenEnv, r.token])) };
}, 120_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.process.stop()));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 30_000);

/** Runs `tagflow ...args --fleet <the fleet file>` with the tokens in the environment. */
function tagflow(args: string[], extraEnv: NodeJS.ProcessEnv = env, fleet = fleetFile): Promise<TagflowResult> {
  return runTagflow([...args, '--fleet', fleet], { cwd: workDir, env: { ...extraEnv, TAGFLOW_LOG_LEVEL: 'info' } });
}

/** The flows each runtime holds, with their versions (`pump-monitor v1, plugin-sensor v2`), asked through the admin API. */
async function versions(): Promise<Record<string, string>> {
  const entries = await Promise.all(
    runtimes.map(async (r) => {
      const flows = await new AdminClient(r).flows();
      return [r.name, flows.length === 0 ? 'none' : flows.map((f) => `${f.id} v${f.version}`).join(', ')] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** The result column of a deploy table (runtime, flow, result), by runtime: deploys of one flow. */
function resultsOf(stdout: string): Record<string, string> {
  const rows = stdout.split('\n').filter((line) => NAMES.some((n) => line.startsWith(`${n} `)));
  return Object.fromEntries(
    rows.map((line) => {
      const [, runtime, result] = /^(\S+) +\S+ +(.*)$/.exec(line) as RegExpExecArray;
      return [runtime, result];
    }),
  );
}

describe('tagflow deploy, status and rollback against three runtimes', () => {
  it('shows every runtime reachable, without a flow yet', async () => {
    const result = await tagflow(['status', '--all']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const name of NAMES)
      expect(result.stdout).toMatch(new RegExp(`^${name}\\s+ok\\s+no flow\\s+none\\s+0\\s+\\d+s$`, 'm'));
  });

  it('deploys a flow to all runtimes as version 1, then finds it unchanged', async () => {
    const first = await tagflow(['deploy', pumpMonitor, '--all']);
    expect(first.stderr).toBe('deploying "pump-monitor" to 3 runtimes\n');
    expect(resultsOf(first.stdout)).toEqual({
      'plant-a-l1': 'deployed v1',
      'plant-a-l2': 'deployed v1',
      'plant-b-l1': 'deployed v1',
    });
    expect(first.code).toBe(0);

    const again = await tagflow(['deploy', pumpMonitor, '--label', 'site=plant-a', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      ok: true,
      results: [
        {
          runtime: 'plant-a-l1',
          url: runtimes[0]?.url,
          status: 'unchanged',
          version: { version: 1, flowId: 'pump-monitor' },
        },
        { runtime: 'plant-a-l2', status: 'unchanged', version: { version: 1 } },
      ],
    });
    expect(await versions()).toEqual({
      'plant-a-l1': 'pump-monitor v1',
      'plant-a-l2': 'pump-monitor v1',
      'plant-b-l1': 'pump-monitor v1',
    });
  });

  it('rolls back the canary whose flow fails its health window, and never touches the others', async () => {
    // A new version of pump-monitor (the same id) whose function throws on every reading.
    const failingPump = path.join(workDir, 'failing-pump.flow.json');
    writeFileSync(failingPump, JSON.stringify({ ...JSON.parse(readFileSync(failing, 'utf8')), id: 'pump-monitor' }));
    const result = await tagflow(['deploy', failingPump, '--all', '--canary', '1', '--health', '2s']);
    expect(result.stderr).toContain(
      'deploying "pump-monitor" to 3 runtimes; canary first: plant-a-l1; health window 2s\n',
    );
    expect(resultsOf(result.stdout)).toEqual({
      'plant-a-l1': expect.stringMatching(/^rolled back: node "scale" failed: .*no calibration for this sensor/),
      'plant-a-l2': 'skipped (canary failed)',
      'plant-b-l1': 'skipped (canary failed)',
    });
    expect(result.stdout).toMatch(/^ {4}v2 failed in its health window; v\d+ runs again$/m);
    expect(result.stderr).toMatch(
      /^error: the deploy did not succeed on 3 of 3 runtimes: plant-a-l1, plant-a-l2, plant-b-l1$/m,
    );
    expect(result.code).toBe(1);

    // The canary runs the previous flow again (as a new version); the others still run version 1, with no other version.
    const now = await versions();
    expect(now['plant-a-l1']).toMatch(/^pump-monitor v3$/);
    expect(now).toMatchObject({ 'plant-a-l2': 'pump-monitor v1', 'plant-b-l1': 'pump-monitor v1' });
    const [, l2, b1] = runtimes as [Runtime, Runtime, Runtime];
    expect((await new AdminClient(l2).flowVersions('pump-monitor')).map((v) => v.version)).toEqual([1]);
    expect((await new AdminClient(b1).flowVersions('pump-monitor')).map((v) => v.version)).toEqual([1]);
  });

  it('deploys where the node type is installed, and reports the rejection where it is not', async () => {
    // Not installed where the CLI runs either: a warning here, the runtimes decide.
    const result = await tagflow(['deploy', pluginSensor, '--all']);
    expect(result.stderr).toMatch(
      /^warning: not installed here, the runtimes will check: .*"channel-3".*unplugged-sensor.*\[UNKNOWN_NODE_TYPE\]$/m,
    );
    expect(resultsOf(result.stdout)).toEqual({
      'plant-a-l1': 'deployed v1',
      'plant-a-l2': 'deployed v1',
      'plant-b-l1': 'rejected (1 error)',
    });
    // The reasons are on the lines below the rejected runtime.
    expect(result.stdout).toMatch(
      /^plant-b-l1 +plugin-sensor +rejected \(1 error\)\n {4}.*"channel-3".*unplugged-sensor.*\[UNKNOWN_NODE_TYPE\]$/m,
    );
    expect(result.stderr).toMatch(/^error: the deploy did not succeed on 1 of 3 runtimes: plant-b-l1$/m);
    expect(result.code).toBe(1);
    // A second flow beside the pump monitor, which runs on untouched.
    expect(await versions()).toEqual({
      'plant-a-l1': 'pump-monitor v3, plugin-sensor v1',
      'plant-a-l2': 'pump-monitor v1, plugin-sensor v1',
      'plant-b-l1': 'pump-monitor v1',
    });
  });

  it('shows the nodes in error in the status', async () => {
    // The unplugged sensor reports an error every second: wait until both runtimes that run it
    // have counted one and shown its status, as the admin API tells.
    const [a1, a2] = runtimes as [Runtime, Runtime];
    for (const runtime of [a1, a2]) {
      await until(
        async () => {
          if (runtime.process.child.exitCode !== null)
            throw new Error(`${runtime.name} exited (${runtime.process.child.exitCode}):\n${runtime.process.stderr()}`);
          const node = (await new AdminClient(runtime).status('plugin-sensor')).nodes['channel-3'];
          return node?.status?.text === 'no sensor on channel 3' && (node.counters?.errors ?? 0) > 0;
        },
        `${runtime.name} to report channel-3 in error`,
        30_000,
      );
    }
    const result = await tagflow(['status', '--label', 'line=l1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^plant-a-l1 +ok +2 flows +1 +0 +\S+/m);
    expect(result.stdout).toMatch(/^ {4}flow pump-monitor v3: running, \d+ in, \d+ out, 0 errors, 0 dropped$/m);
    expect(result.stdout).toMatch(/^ {4}flow plugin-sensor v1: running, \d+ in, \d+ out, \d+ errors?, 0 dropped$/m);
    expect(result.stdout).toMatch(
      /^ {4}plugin-sensor\/channel-3: state disconnected \(no sensor on channel 3\), \d+ errors?$/m,
    );
    expect(result.stdout).toMatch(/^plant-b-l1 +ok +pump-monitor v1 +none +0 +\S+/m);
    expect(result.stdout).not.toContain('plant-a-l2');
    const json = JSON.parse((await tagflow(['status', '--to', 'plant-a-l2', '--json'])).stdout);
    expect(json).toMatchObject({
      ok: true,
      runtimes: [
        {
          runtime: 'plant-a-l2',
          flows: [
            { id: 'pump-monitor', version: 1, state: 'running' },
            { id: 'plugin-sensor', version: 1, state: 'running' },
          ],
          nodesInError: [{ flow: 'plugin-sensor', id: 'channel-3' }],
          nodeVersion: process.version,
        },
      ],
    });
  });

  it('refuses a deploy based on a stale version with a conflict', async () => {
    const [a1] = runtimes as [Runtime];
    const client = new AdminClient(a1);
    const stale = (await client.flowVersion('pump-monitor'))?.version ?? 0;
    const renamed = path.join(workDir, 'pump-renamed.flow.json');
    writeFileSync(
      renamed,
      JSON.stringify({ ...JSON.parse(readFileSync(pumpMonitor, 'utf8')), name: 'Pump 3, renamed' }),
    );
    const deployed = await tagflow(['deploy', renamed, '--to', 'plant-a-l1']);
    expect(resultsOf(deployed.stdout)).toEqual({ 'plant-a-l1': `deployed v${stale + 1}` });
    const outcome = await client.deployFlow('pump-monitor', JSON.parse(readFileSync(pumpMonitor, 'utf8')), {
      expectedVersion: stale,
    });
    expect(outcome).toEqual({ status: 'conflict', current: stale + 1 });
    expect((await versions())['plant-a-l1']).toBe(`pump-monitor v${stale + 1}, plugin-sensor v1`);
  });

  it('rolls one flow of a runtime back to the version before, or to a chosen one', async () => {
    const renamed = path.join(workDir, 'pump-renamed.flow.json');
    expect(resultsOf((await tagflow(['deploy', renamed, '--to', 'plant-a-l2'])).stdout)).toEqual({
      'plant-a-l2': 'deployed v2',
    });
    const which = await tagflow(['rollback', '--to', 'plant-a-l2']);
    expect(which).toMatchObject({
      code: 2,
      stderr: 'error: plant-a-l2 has 2 flows: pump-monitor, plugin-sensor; say which one to roll back with --flow ID\n',
    });

    const back = await tagflow(['rollback', '--to', 'plant-a-l2', '--flow', 'pump-monitor']);
    expect(back.stdout).toBe(
      'runtime     flow          result\nplant-a-l2  pump-monitor  deployed v3\n    rollback to version 1\n',
    );
    expect(back.code).toBe(0);
    expect((await versions())['plant-a-l2']).toBe('pump-monitor v3, plugin-sensor v1');

    const chosen = await tagflow([
      'rollback',
      '--to',
      'plant-a-l2',
      '--flow',
      'pump-monitor',
      '--version',
      '2',
      '--json',
    ]);
    expect(JSON.parse(chosen.stdout)).toMatchObject({
      ok: true,
      runtime: 'plant-a-l2',
      flow: 'pump-monitor',
      status: 'deployed',
      version: { version: 4, note: 'rollback to version 2' },
    });

    const missing = await tagflow(['rollback', '--to', 'plant-a-l2', '--flow', 'pump-monitor', '--version', '99']);
    expect(missing.stdout).toMatch(/^plant-a-l2 +pump-monitor +rejected \(1 error\)\n {4}.*99.*\[NO_SUCH_VERSION\]$/m);
    expect(missing.stderr).toBe(
      'error: the rollback of flow "pump-monitor" on plant-a-l2 did not succeed: rejected (1 error)\n',
    );
    expect(missing.code).toBe(1);
  });

  it('says plainly when a runtime is down, a token is refused, or a token variable is unset', async () => {
    const [a1] = runtimes as [Runtime];
    const port = await freePort();
    const other = path.join(workDir, 'other-fleet.yaml');
    writeFileSync(
      other,
      [
        'runtimes:',
        `  - { name: plant-a-l1, url: "${a1.url}", tokenEnv: ${a1.tokenEnv} }`,
        `  - { name: gone, url: "http://127.0.0.1:${port}", tokenEnv: GONE_TOKEN }`,
        `  - { name: wrong-token, url: "${a1.url}", tokenEnv: WRONG_TOKEN }`,
        '',
      ].join('\n'),
    );
    const result = await tagflow(
      ['status', '--all'],
      { ...env, GONE_TOKEN: 'tf_whatever', WRONG_TOKEN: 'tf_not_a_real_token' },
      other,
    );
    expect(result.stdout).toMatch(/^plant-a-l1 +ok /m);
    expect(result.stdout).toMatch(/^gone +unreachable: connection refused$/m);
    expect(result.stdout).toMatch(/^wrong-token +failed: the token was refused \(401\); check WRONG_TOKEN$/m);
    expect(result.stderr).toBe('error: 2 of 3 runtimes could not be asked: gone, wrong-token\n');
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('tf_not_a_real_token');

    const deploy = await tagflow(
      ['deploy', pumpMonitor, '--to', 'gone,wrong-token'],
      { ...env, WRONG_TOKEN: 'x' },
      other,
    );
    expect(deploy).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'error: no token for gone: the environment variable GONE_TOKEN is not set (its tokenEnv in the fleet file)\n',
    });
  });

  it('exits 2 on wrong usage', async () => {
    const none = await tagflow(['deploy', pumpMonitor]);
    expect(none).toMatchObject({
      code: 2,
      stderr: 'error: say which runtimes: --to NAME[,NAME], --label key=value or --all\n',
    });
    const badCanary = await tagflow(['deploy', pumpMonitor, '--all', '--canary', '0']);
    expect(badCanary.code).toBe(2);
    expect(badCanary.stderr).toContain(
      "option '--canary <n>' argument '0' is invalid. Use a whole number of at least 1.",
    );
  });
});

/** Starts `tagflow start` and reads its first admin token. */
async function startRuntime(name: string, extraArgs: string[]): Promise<Runtime> {
  const started = await startTagflow({
    dataDir: path.join(workDir, name),
    cwd: workDir,
    args: extraArgs,
    env: { TAGFLOW_LOG_LEVEL: 'info' },
    timeoutMs: 30_000,
  });
  if (started.token === undefined) throw new Error(`${name} printed no admin token:\n${started.stdout()}`);
  const tokenEnv = `TAGFLOW_TOKEN_${name.toUpperCase().replace(/-/g, '_')}`;
  return { name, url: started.url, tokenEnv, token: started.token, process: started };
}
