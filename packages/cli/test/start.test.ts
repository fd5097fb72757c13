import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, spawnTagflow, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import type { StartTagflowOptions, TagflowProcess } from '@tagflow/test-support';
import { fixtures, logLines, runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

/** `tagflow start` in the fixtures folder on a data dir of its own unless given. */
const start = (options: StartTagflowOptions = {}): Promise<TagflowProcess> =>
  startTagflow({ dataDir: mkdtempSync(path.join(tmpdir(), 'tagflow-start-')), cwd: fixtures, ...options });

/** A GET on the admin API with the given bearer token. */
const get = (s: TagflowProcess, route: string, token: string | undefined): Promise<Response> =>
  s.api(route, { headers: { Authorization: `Bearer ${token}` } });

describe('tagflow start', () => {
  it('prints an admin token once, and keeps flow, tokens and audit log across a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-start-'));
    const first = await start({ dataDir, args: ['--flow', 'pump-monitor.flow.json'] });
    const token = first.token;
    expect(token).toMatch(/^tf_/);
    expect(((await (await get(first, '/api/flow', token)).json()) as { version: unknown }).version).toMatchObject({
      version: 1,
      flowId: 'pump-monitor',
      deployedBy: 'cli',
    });
    expect((await fetch(`${first.url}/api/flow`)).status).toBe(401);
    expect(await first.stop()).toBe(0);
    expect(
      logLines(first.stderr())
        .slice(-2)
        .map((l) => l.msg),
    ).toEqual(['stopping (SIGTERM)', 'stopped']);

    const second = await start({ dataDir, args: ['--flow', 'pump-monitor.flow.json'] });
    expect(second.stdout()).not.toMatch(/admin token/); // shown only on the first start
    const messages = logLines(second.stderr()).map((l) => l.msg);
    expect(messages).toContain('running flow "pump-monitor" version 1 from the data dir');
    expect(messages).toContainEqual(expect.stringMatching(/^--flow pump-monitor\.flow\.json ignored/));
    const status = (await (await get(second, '/api/status', token)).json()) as {
      flow: { id: string; version: number };
    };
    expect(status.flow).toMatchObject({ id: 'pump-monitor', version: 1 });
    const audit = (await (await get(second, '/api/audit', token)).json()) as Array<{ type: string }>;
    // The token exists before the API listens; the flow boots after it (then the runtime says it started).
    expect(audit.map((e) => e.type)).toEqual(['token-created', 'deploy', 'start', 'login-failed', 'stop', 'start']);
    await second.stop();
  }, 60_000);

  it('takes tokens and secrets made with the CLI while it runs, and never shows a secret', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-start-'));
    const s = await start({ dataDir });
    const admin = s.token;
    const created = await runCli(['token', 'create', '--role', 'viewer', '--name', 'dashboard', '--data-dir', dataDir]);
    const viewer = created.stdout.trim();
    expect((await get(s, '/api/status', viewer)).status).toBe(200);
    expect((await get(s, '/api/audit', viewer)).status).toBe(403);
    const id = (/token (\w+) "dashboard"/.exec(created.stderr) as RegExpExecArray)[1];
    await runCli(['token', 'revoke', id, '--data-dir', dataDir]);
    expect((await get(s, '/api/status', viewer)).status).toBe(401);

    const set = spawnTagflow(['secret', 'set', 'PLANT_PASSWORD', '--data-dir', dataDir], { cwd: fixtures });
    set.stdin.end('correct horse battery staple\n');
    expect(await new Promise((ok) => set.once('exit', ok))).toBe(0);
    const listed = await (await get(s, '/api/secrets', admin)).text();
    expect(JSON.parse(listed)).toEqual({
      names: ['PLANT_PASSWORD'],
      secrets: [{ name: 'PLANT_PASSWORD', allow: null }],
    });
    expect(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).not.toContain('correct horse');
    await s.stop();
  }, 60_000);

  it('warns when the admin API listens beyond loopback without TLS', async () => {
    const s = await start({ args: ['--host', '0.0.0.0'] });
    expect(logLines(s.stderr())).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        host: '0.0.0.0',
        msg: expect.stringMatching(/^the admin API listens on 0\.0\.0\.0 without TLS/),
      }),
    );
    await s.stop();
  }, 30_000);

  it('gives flows secrets from its store and TAGFLOW_* variables only, never other environment variables', async () => {
    const s = await start({ env: { AWS_SECRET_ACCESS_KEY: 'not-for-flows', TAGFLOW_INFLUX_PASSWORD: 'ok-for-flows' } });
    const admin = s.token;
    const deploy = async (passwordEnv: string) => {
      const current = await get(s, '/api/flow', admin);
      const version =
        current.status === 404 ? 0 : ((await current.json()) as { version: { version: number } }).version.version;
      const flow = {
        schemaVersion: 1,
        id: 'secrets',
        // Port 1 on loopback: nothing listens, so a resolved password shows as "connection refused".
        resources: [
          {
            id: 'db',
            type: 'historian',
            config: { backend: 'influxdb', url: 'http://127.0.0.1:1', database: 'x', username: 'u', passwordEnv },
          },
        ],
        nodes: [{ id: 'rec', type: 'historian-out', typeVersion: 1, config: { historian: 'db', tag: 't' } }],
        edges: [],
      };
      const res = await fetch(`${s.url}/api/flow`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${admin}`, 'If-Match': `"${version}"`, 'Content-Type': 'application/json' },
        body: JSON.stringify(flow),
      });
      expect(res.status).toBe(200);
    };
    const statusText = async () =>
      ((await (await get(s, '/api/status', admin)).json()) as { nodes: Record<string, { status?: { text?: string } }> })
        .nodes.rec?.status?.text ?? '';
    const until = async (check: (text: string) => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!check(await statusText())) {
        if (Date.now() > deadline) throw new Error(`status stayed ${await statusText()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await deploy('AWS_SECRET_ACCESS_KEY');
    await until((t) => t.includes('"AWS_SECRET_ACCESS_KEY", which is not set'));
    expect(logLines(s.stderr())).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        secret: 'AWS_SECRET_ACCESS_KEY',
        msg: expect.stringMatching(/is not in the secret store.*tagflow secret set AWS_SECRET_ACCESS_KEY/),
      }),
    );
    await deploy('TAGFLOW_INFLUX_PASSWORD');
    await until((t) => /cannot reach InfluxDB|refused|ECONNREFUSED/i.test(t) && !t.includes('not set'));
    await s.stop();
  }, 60_000);
});
