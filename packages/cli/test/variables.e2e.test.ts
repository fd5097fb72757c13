import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, startTagflow, stopAllTagflow, until } from '@tagflow/test-support';
import { runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

/** One flow for every site: its tag and sample period come from the runtime's variables. */
const flow = {
  schemaVersion: 1,
  id: 'site',
  nodes: [
    {
      id: 'sensor',
      type: 'simulate',
      typeVersion: 1,
      config: { tag: '${SITE}/flow', intervalMs: '${SAMPLE_MS}', signal: { kind: 'sine', amplitude: 0, offset: 3 } },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: {} },
  ],
  edges: [{ source: 'sensor', target: 'show' }],
};

describe('tagflow var and variables in validate, start and restart', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-vars-'));
  const file = path.join(dataDir, '..', `${path.basename(dataDir)}.flow.json`);
  writeFileSync(file, JSON.stringify(flow));

  it('sets, gets and lists variables offline, in a 0600 file, saying when they count', async () => {
    const set = await runCli(['var', 'set', 'SITE', 'north', '--data-dir', dataDir]);
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('the new value counts from the next deploy');
    expect(statSync(path.join(dataDir, 'variables.json')).mode & 0o777).toBe(0o600);
    expect((await runCli(['var', 'get', 'SITE', '--data-dir', dataDir])).stdout).toBe('north\n');
    const bad = await runCli(['var', 'set', 'site-name', 'x', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid variable name "site-name"');
    expect((await runCli(['var', 'set', 'GONE', 'x', '--data-dir', dataDir])).code).toBe(0);
    expect((await runCli(['var', 'unset', 'GONE', '--data-dir', dataDir])).code).toBe(0);
    expect((await runCli(['var', 'list', '--data-dir', dataDir])).stdout).toBe('SITE\tnorth\n');
  }, 30_000);

  it('validates with the values a runtime would use, naming every variable without one', async () => {
    const blind = await runCli(['validate', file]);
    expect(blind.code).toBe(1);
    expect(blind.stdout).toContain(
      'node "sensor" (simulate): /nodes/0/config/tag: variable SITE is not set on this runtime (set it with: tagflow var set SITE VALUE) [VARIABLE_UNRESOLVED]',
    );
    expect(blind.stdout).toContain('/nodes/0/config/intervalMs: variable SAMPLE_MS is not set');
    expect(blind.stderr).toContain('hint: give the values a runtime would use: --var NAME=VALUE');
    const withDir = await runCli(['validate', file, '--data-dir', dataDir]);
    expect(withDir.code).toBe(1);
    expect(withDir.stdout).not.toContain('variable SITE');
    expect(withDir.stdout).toContain('variable SAMPLE_MS is not set');
    expect((await runCli(['validate', file, '--data-dir', dataDir, '--var', 'SAMPLE_MS=500'])).code).toBe(0);
    const wrong = await runCli(['validate', file, '--data-dir', dataDir, '--var', 'SAMPLE_MS=fast']);
    expect(wrong.stdout).toContain('variable SAMPLE_MS is "fast", which is not a number as this field needs');
  }, 30_000);

  it('runs the stored flow with the values again after a restart', async () => {
    expect((await runCli(['var', 'set', 'SAMPLE_MS', '200', '--data-dir', dataDir])).code).toBe(0);
    const first = await startTagflow({ dataDir, args: ['--flow', file] });
    const token = first.token as string;
    const status = async (url: string) =>
      (await (await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        flow: { version: number } | null;
      };
    await until(async () => (await status(first.url)).flow !== null, 'the flow to run');
    expect(await first.stop()).toBe(0);

    // The data dir's flow keeps ${SITE}: a restart resolves it with today's values.
    const second = await startTagflow({ dataDir });
    await until(async () => (await status(second.url)).flow?.version === 1, 'the stored flow to run again');
    const stored = (await (
      await fetch(`${second.url}/api/flow`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { flow: typeof flow };
    expect(stored.flow.nodes[0].config.tag).toBe('${SITE}/flow');
    expect(second.stderr()).toContain('version 1 from the data dir');
    await second.stop();
  }, 60_000);

  it("tagflow run resolves with the data dir's variables, and names one it lacks", async () => {
    const ran = await runCli(['run', file, '--data-dir', dataDir, '--for', '1s']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('"node":"show"');
    const empty = mkdtempSync(path.join(tmpdir(), 'tagflow-vars-empty-'));
    const refused = await runCli(['run', file, '--data-dir', empty, '--for', '1s']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('variable SITE is not set on this runtime');
  }, 30_000);
});
