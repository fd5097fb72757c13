import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, runTagflow, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import type { TagflowResult } from '@tagflow/test-support';

/**
 * A subflow packed as a node package end to end: the real `tagflow pack --subflow`, `tagflow
 * nodes install` into another data dir, a real `tagflow start` on it and a deploy of a flow that
 * places the packed type twice. No registry is reached (npm runs offline).
 */

const fixtures = path.join(__dirname, 'fixtures', 'subflows');
const plantFlow = path.join(fixtures, 'plant.flow.json');
const usesPackage = path.join(fixtures, 'uses-package.flow.json');
const TOKEN_ENV = 'TAGFLOW_TOKEN_SUBFLOW_E2E';

let work: string;

beforeAll(() => {
  ensureCliBuilt();
  work = mkdtempSync(path.join(tmpdir(), 'tagflow-subflow-pack-'));
}, 120_000);

afterAll(async () => {
  await stopAllTagflow();
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  npm_config_offline: 'true',
  TAGFLOW_LOG_LEVEL: 'info',
  FORCE_COLOR: '0',
  ...extra,
});

function tagflow(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<TagflowResult> {
  return runTagflow(args, { cwd: work, env: env(extra) });
}

describe('tagflow pack --subflow', () => {
  it('packs a subflow, installs it on another runtime, and a flow using it runs there', async () => {
    const out = path.join(work, 'packages');
    const packed = await tagflow(['pack', '--subflow', 'pump-health', plantFlow, '--out', out]);
    expect(packed).toMatchObject({ code: 0 });
    const tgz = packed.stdout.trim();
    expect(path.basename(tgz)).toBe('tagflow-subflow-pump-health-1.2.0.tgz');
    expect(existsSync(tgz)).toBe(true);
    const folder = path.join(out, 'tagflow-subflow-pump-health');
    const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'tagflow-subflow-pump-health',
      version: '1.2.0',
      description: 'Moving average of a pump sensor, with an alarm above a limit.',
      tagflow: { nodes: ['index.js'] },
    });
    const readme = readFileSync(path.join(folder, 'README.md'), 'utf8');
    expect(readme).toContain('| `limit` | Alarm above | number | `42.5` | Alarm when the average is above it. |');

    // Another runtime: a fresh data dir, the package installed from the .tgz alone.
    const dataDir = path.join(work, 'site-b');
    const installed = await tagflow(['nodes', 'install', tgz, '--data-dir', dataDir]);
    expect(installed).toMatchObject({ code: 0 });
    const listed = await tagflow(['nodes', '--json', '--data-dir', dataDir]);
    const types = (JSON.parse(listed.stdout) as { nodes: Array<{ type: string }> }).nodes.map((n) => n.type);
    expect(types).toContain('pump-health');

    const started = await startTagflow({ dataDir, cwd: work, env: env() });
    const token = started.token ?? readFileSync(path.join(dataDir, 'token.txt'), 'utf8');
    const fleet = path.join(work, 'fleet.json');
    writeFileSync(fleet, JSON.stringify({ runtimes: [{ name: 'rt', url: started.url, tokenEnv: TOKEN_ENV }] }));
    // A wrong parameter: the runtime refuses the deploy, naming the instance and the parameter.
    const bad = path.join(work, 'bad.flow.json');
    const flow = JSON.parse(readFileSync(usesPackage, 'utf8'));
    flow.nodes[1].config.values = 0;
    writeFileSync(bad, JSON.stringify(flow));
    const refused = await tagflow(['deploy', bad, '--to', 'rt', '--fleet', fleet], { [TOKEN_ENV]: token });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('subflow instance "pump7" (Pump health): parameter "values"');

    const deployed = await tagflow(['deploy', usesPackage, '--to', 'rt', '--fleet', fleet], { [TOKEN_ENV]: token });
    expect(deployed).toMatchObject({ code: 0, stdout: expect.stringMatching(/rt +site-b +deployed v1/) });

    type Status = { nodes: Record<string, { status: { text?: string } | null; counters: { in: number } }> };
    let status: Status | undefined;
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${started.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
      status = (await res.json()) as Status;
      if (status.nodes.pump7?.status?.text?.includes('alarm HIGH') && status.nodes.pump8?.status?.text === 'normal')
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Each instance runs its own copy of the subflow and shows its status node's status.
    expect(status?.nodes.pump7.status?.text).toBe('alarm HIGH (above -1000)');
    expect(status?.nodes.pump8.status?.text).toBe('normal');
    expect(status?.nodes['pump7~avg'].counters.in).toBeGreaterThan(0);
    expect(status?.nodes['pump8~avg'].counters.in).toBeGreaterThan(0);
    await started.stop();
  }, 120_000);

  it('says which subflows a flow has when the id is wrong', async () => {
    const result = await tagflow(['pack', '--subflow', 'nope', plantFlow, '--out', work]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'cannot pack subflow "nope": the flow has no subflow "nope" (its subflows: "pump-health")',
    );
  });
});
