import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@tagflow/node-test';

// The README's walk-through, as a newcomer runs it: start three runtimes, deploy the pump-monitor
// flow to all with one command, deploy a broken flow with a canary and a health window and watch
// it roll back, check the status, stop.
const run = promisify(execFile);
const here = resolve(__dirname, '..');
const root = resolve(here, '..', '..');
const cli = join(root, 'packages', 'cli', 'bin', 'tagflow.js');
const data = mkdtempSync(join(tmpdir(), 'tagflow-fleet-example-'));

let env: NodeJS.ProcessEnv;
let fleetFile: string;

beforeAll(async () => {
  const ports = [await freePort(), await freePort(), await freePort()];
  env = { ...process.env, FLEET_DATA: data, FLEET_PORTS: ports.join(' ') };
  await run('bash', [join(here, 'start-fleet.sh')], { env });
  // The example's fleet file, on this test's ports; tokens from the env file start-fleet.sh wrote.
  const yaml = readFileSync(join(here, 'fleet.yaml'), 'utf8').replace(
    /:1990([123])/g,
    (_, n: string) => `:${ports[Number(n) - 1]}`,
  );
  fleetFile = join(data, 'fleet.yaml');
  writeFileSync(fleetFile, yaml);
  for (const line of readFileSync(join(data, 'tokens.env'), 'utf8').trim().split('\n')) {
    const [, name, value] = /^export (\w+)=(.*)$/.exec(line) as RegExpExecArray;
    env[name] = value;
  }
}, 60_000);

afterAll(async () => {
  await run('bash', [join(here, 'stop-fleet.sh')], { env });
});

async function tagflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--no-node-snapshot', cli, ...args, '--fleet', fleetFile], {
      env,
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it('deploys to three runtimes with one command, rolls a broken canary back, and leaves the others untouched', async () => {
  const first = await tagflow('deploy', 'examples/pump-monitor/flow.json', '--all');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(
    /plant-a-line-1\s+deployed v1\n.*plant-a-line-2\s+deployed v1\n.*plant-b-line-1\s+deployed v1/s,
  );

  const broken = await tagflow('deploy', 'examples/fleet/broken.flow.json', '--all', '--canary', '1', '--health', '3s');
  expect(broken.code).toBe(1);
  expect(broken.stdout).toMatch(/plant-a-line-1\s+rolled back: node "calibrate" failed: .*no calibration table/);
  expect(broken.stdout).toMatch(/plant-a-line-2\s+skipped \(canary failed\)/);
  expect(broken.stdout).toMatch(/plant-b-line-1\s+skipped \(canary failed\)/);

  const status = await tagflow('status', '--all', '--json');
  expect(status.code).toBe(0);
  const runtimes = (
    JSON.parse(status.stdout) as { runtimes: Array<{ runtime: string; flow: { id: string; version: number } | null }> }
  ).runtimes;
  // The canary runs the pump monitor again (as version 3: v2 was the broken one); the others never left v1.
  expect(runtimes.map((r) => [r.runtime, r.flow?.id, r.flow?.version])).toEqual([
    ['plant-a-line-1', 'pump-monitor', 3],
    ['plant-a-line-2', 'pump-monitor', 1],
    ['plant-b-line-1', 'pump-monitor', 1],
  ]);
}, 90_000);
