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
  // Its flow paths are relative to the example's folder: made absolute for the copy.
  const yaml = readFileSync(join(here, 'fleet.yaml'), 'utf8')
    .replace(/:1990([123])/g, (_, n: string) => `:${ports[Number(n) - 1]}`)
    .replace(/^( {2}- )(\S+\.json)$/gm, (_, dash: string, file: string) => `${dash}${resolve(here, file)}`);
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
    const fleet = args.includes('--fleet') ? [] : ['--fleet', fleetFile];
    const { stdout, stderr } = await run(process.execPath, ['--no-node-snapshot', cli, ...args, ...fleet], {
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
    /plant-a-line-1\s+pump-monitor\s+deployed v1\n.*plant-a-line-2\s+pump-monitor\s+deployed v1\n.*plant-b-line-1\s+pump-monitor\s+deployed v1/s,
  );

  const broken = await tagflow('deploy', 'examples/fleet/broken.flow.json', '--all', '--canary', '1', '--health', '3s');
  expect(broken.code).toBe(1);
  expect(broken.stdout).toMatch(
    /plant-a-line-1\s+pump-monitor\s+rolled back: node "calibrate" failed: .*no calibration table/,
  );
  expect(broken.stdout).toMatch(/plant-a-line-2\s+pump-monitor\s+skipped \(canary failed\)/);
  expect(broken.stdout).toMatch(/plant-b-line-1\s+pump-monitor\s+skipped \(canary failed\)/);

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

/** The runtime's admin API, with the token start-fleet.sh collected for it. */
async function api(port: number, token: string, apiPath: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}${apiPath}`, { headers: { authorization: `Bearer ${token}` } });
  return res.json();
}

it('deploys one flow to three runtimes, each with its own values; a runtime missing one is refused by name', async () => {
  const yaml = readFileSync(fleetFile, 'utf8');
  const ports = [...yaml.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  const tokens = [env.TAGFLOW_TOKEN_A1, env.TAGFLOW_TOKEN_A2, env.TAGFLOW_TOKEN_B1] as string[];

  // The deploy above set the fleet file's variables on every runtime; plant B's nominal flow is
  // unset there now and left out of the fleet file: plant B refuses the flow naming it, plant A deploys.
  const unset = await tagflow('var', 'unset', 'NOMINAL_FLOW', '--to', 'plant-b-line-1');
  expect(unset.stderr).toContain('plant-b-line-1: variable NOMINAL_FLOW unset');
  const partial = join(data, 'fleet-partial.yaml');
  writeFileSync(partial, yaml.replace('      NOMINAL_FLOW: 55\n', ''));
  const refused = await tagflow('deploy', 'examples/fleet/site.flow.json', '--all', '--fleet', partial);
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(/plant-a-line-1\s+site-monitor\s+deployed v1/);
  expect(refused.stdout).toMatch(/plant-a-line-2\s+site-monitor\s+deployed v1/);
  expect(refused.stdout).toMatch(/plant-b-line-1\s+site-monitor\s+rejected/);
  expect(refused.stdout).toContain('variable NOMINAL_FLOW is not set on this runtime');

  // With the whole fleet file, plant B gets its value and deploys; plant A's lines are unchanged.
  const all = await tagflow('deploy', 'examples/fleet/site.flow.json', '--all');
  expect(all.code).toBe(0);
  expect(all.stdout).toMatch(/plant-a-line-1\s+site-monitor\s+unchanged v1/);
  expect(all.stdout).toMatch(/plant-b-line-1\s+site-monitor\s+deployed v1/);

  // Each runtime records its own tag with its own value: the same file, three sites.
  // Both flows of a runtime have a historian: flow= says whose to ask.
  const expected = [
    ['plant-a/line-1/flow', 40],
    ['plant-a/line-2/flow', 38.5],
    ['plant-b/line-1/flow', 55],
  ] as const;
  for (const [i, [tag, value]] of expected.entries()) {
    let rows: Array<{ tag: string; value: number }> = [];
    for (let attempt = 0; attempt < 100 && rows.length === 0; attempt++) {
      const answer = await api(
        ports[i],
        tokens[i],
        `/api/history?flow=site-monitor&tags=${encodeURIComponent(tag)}&since=600000`,
      );
      rows = Array.isArray(answer) ? (answer as typeof rows) : [];
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.tag === tag && r.value === value)).toBe(true);
    // The stored flow keeps the ${...} text: the file each site runs is the one deployed.
    const stored = (await api(ports[i], tokens[i], '/api/flows/site-monitor')) as {
      flow: { nodes: Array<{ config: unknown }> };
    };
    expect(stored.flow.nodes[0].config).toMatchObject({ tag: '${SITE}/line-${LINE}/flow' });
  }
  const listed = await tagflow('var', 'list', '--to', 'plant-a-line-2');
  expect(listed.stdout).toContain('plant-a-line-2\tNOMINAL_FLOW\t38.5\n');
}, 90_000);

it("deploys the fleet file's two flows with no flow named, and lists both on each runtime", async () => {
  const deployed = await tagflow('deploy', '--all', '--json');
  expect(deployed.code).toBe(0);
  const results = (JSON.parse(deployed.stdout) as { results: Array<{ runtime: string; flow: string; status: string }> })
    .results;
  expect(results.map((r) => [r.runtime, r.flow, r.status])).toEqual([
    ['plant-a-line-1', 'pump-monitor', 'unchanged'],
    ['plant-a-line-1', 'site-monitor', 'unchanged'],
    ['plant-a-line-2', 'pump-monitor', 'unchanged'],
    ['plant-a-line-2', 'site-monitor', 'unchanged'],
    ['plant-b-line-1', 'pump-monitor', 'unchanged'],
    ['plant-b-line-1', 'site-monitor', 'unchanged'],
  ]);
  const listed = await tagflow('flows', '--to', 'plant-a-line-1');
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/^plant-a-line-1 +pump-monitor +running +v3 +\d+ +\d+ +0 +0 +Pump 3 flow sensor$/m);
  expect(listed.stdout).toMatch(
    /^plant-a-line-1 +site-monitor +running +v1 +\d+ +\d+ +0 +0 +Line flow sensor, any site$/m,
  );
  const status = await tagflow('status', '--all');
  expect(status.stdout).toMatch(/^plant-b-line-1 +ok +2 flows /m);
}, 60_000);
