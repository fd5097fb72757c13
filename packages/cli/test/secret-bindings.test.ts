import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, finished, spawnTagflow, startTagflow, stopAllTagflow, until } from '@tagflow/test-support';
import type { TagflowProcess, TagflowResult } from '@tagflow/test-support';
import { fixtures, runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

const PASSWORD = 'SuperSecretPlantPw_42';

/** `tagflow secret set NAME ...args` with the value on stdin. */
async function setSecret(dataDir: string, name: string, value: string, args: string[] = []): Promise<TagflowResult> {
  const child = spawnTagflow(['secret', 'set', name, '--data-dir', dataDir, ...args], { cwd: fixtures });
  const done = finished(child);
  child.stdin.end(`${value}\n`);
  return done;
}

/** An HTTP server on loopback that plays InfluxDB's /ping and records every connection and Authorization header. */
async function listener(): Promise<{ server: Server; port: number; connections: number; authorizations: string[] }> {
  const seen = { connections: 0, authorizations: [] as string[] };
  const server = createServer((req, res) => {
    seen.authorizations.push(req.headers.authorization ?? '');
    res.writeHead(204).end();
  });
  server.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(seen, { server, port });
}

/** A flow whose historian sends PLANT_MQTT_PASSWORD (as InfluxDB v1 basic auth) to 127.0.0.1:`port`. */
function leakingFlow(port: number) {
  return {
    schemaVersion: 1,
    id: 'leak',
    resources: [
      {
        id: 'hist',
        type: 'historian',
        config: {
          backend: 'influxdb',
          url: `http://127.0.0.1:${port}`,
          database: 'plant',
          username: 'u',
          passwordEnv: 'PLANT_MQTT_PASSWORD',
        },
      },
    ],
    nodes: [{ id: 'rec', type: 'historian-out', typeVersion: 1, config: { historian: 'hist', tag: 't' } }],
    edges: [],
  };
}

/** A deploy's answer, as the admin API documents it. */
interface DeployAnswer {
  status: number;
  body: { status?: string; errors?: unknown[] };
}

async function deploy(s: TagflowProcess, flow: object, version: number): Promise<DeployAnswer> {
  const res = await s.api('/api/flow', {
    method: 'PUT',
    headers: { 'If-Match': `"${version}"`, 'Content-Type': 'application/json' },
    body: JSON.stringify(flow),
  });
  return { status: res.status, body: (await res.json()) as DeployAnswer['body'] };
}

describe('secrets bound to destinations', () => {
  let peer: Awaited<ReturnType<typeof listener>>;
  beforeEach(async () => {
    peer = await listener();
  });
  afterEach(() => new Promise((resolve) => peer.server.close(resolve)));

  it('refuses a deploy that would send a bound secret elsewhere, and nothing connects; unbound, the same flow sends it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-secret-bindings-'));
    const bound = await setSecret(dataDir, 'PLANT_MQTT_PASSWORD', PASSWORD, ['--allow', 'broker.plant:1883']);
    expect(bound.code).toBe(0);
    expect(bound.stderr).not.toMatch(/not bound/);
    const s = await startTagflow({ dataDir, cwd: fixtures });
    const flow = leakingFlow(peer.port);
    const message = `resource "hist" (historian) would send secret PLANT_MQTT_PASSWORD to 127.0.0.1:${peer.port}; it may be sent only to broker.plant:1883 (to allow it, an admin runs: tagflow secret set PLANT_MQTT_PASSWORD --allow broker.plant:1883,127.0.0.1:${peer.port})`;
    const refusal = {
      code: 'SECRET_NOT_ALLOWED',
      path: '/resources/0/config/passwordEnv',
      resourceId: 'hist',
      message,
    };

    const validated = await s.api('/api/flow/validate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(flow),
    });
    expect(await validated.json()).toEqual({ ok: false, errors: [refusal], warnings: expect.any(Array) });

    const refused = await deploy(s, flow, 0);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ status: 'rejected', errors: [refusal] });
    // Refused in the admin process: the engine never had the flow, so nothing could open a connection.
    const status = (await (await s.api('/api/status')).json()) as { flow: unknown; resources?: unknown[] };
    expect(status.flow ?? null).toBeNull();
    expect(peer.connections).toBe(0);
    expect(peer.authorizations).toEqual([]);

    // The same flow file, checked offline against this box's secrets, gets the same words.
    const file = path.join(dataDir, 'leak.flow.json');
    writeFileSync(file, JSON.stringify(flow));
    const offline = await runCli(['validate', file, '--data-dir', dataDir]);
    expect(offline.code).toBe(1);
    expect(offline.stdout).toContain(`${message} [SECRET_NOT_ALLOWED]`);
    const blind = await runCli(['validate', file]);
    expect(blind.code).toBe(0);

    // Unbound (with a warning), the same flow deploys and the listener gets the password: the test can fail.
    const unbound = await setSecret(dataDir, 'PLANT_MQTT_PASSWORD', PASSWORD);
    expect(unbound.code).toBe(0);
    expect(unbound.stderr).toContain(
      'warning: secret PLANT_MQTT_PASSWORD is not bound to any host: anyone allowed to deploy can make a flow send it to a host of their choosing',
    );
    const deployed = await deploy(s, flow, 0);
    expect(deployed.status).toBe(200);
    await until(() => peer.authorizations.length > 0, 'the historian to ping the listener');
    expect(peer.authorizations[0]).toBe(`Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`);
    await s.stop();
  }, 90_000);

  it('allows a bound secret to its own host and port, and lists bindings with the CLI and the API', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-secret-bindings-'));
    expect(
      (
        await setSecret(dataDir, 'PLANT_MQTT_PASSWORD', PASSWORD, [
          '--allow',
          'broker.plant:1883',
          '--allow',
          `127.0.0.1:${peer.port}`,
        ])
      ).code,
    ).toBe(0);
    expect((await setSecret(dataDir, 'OTHER', 'x')).code).toBe(0);
    const listed = await runCli(['secret', 'list', '--data-dir', dataDir]);
    expect(listed.stdout).toBe(
      `OTHER\tany host (unbound)\nPLANT_MQTT_PASSWORD\tbroker.plant:1883,127.0.0.1:${peer.port}\n`,
    );

    const s = await startTagflow({ dataDir, cwd: fixtures });
    const api: unknown = await (await s.api('/api/secrets')).json();
    expect(api).toEqual({
      names: ['OTHER', 'PLANT_MQTT_PASSWORD'],
      secrets: [
        { name: 'OTHER', allow: null },
        { name: 'PLANT_MQTT_PASSWORD', allow: ['broker.plant:1883', `127.0.0.1:${peer.port}`] },
      ],
    });
    expect((await deploy(s, leakingFlow(peer.port), 0)).status).toBe(200);
    await until(() => peer.authorizations.length > 0, 'the historian to ping the listener');
    expect(peer.authorizations[0]).toBe(`Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`);
    await s.stop();
  }, 90_000);

  it('refuses a bad --allow entry with a plain-words error and stores nothing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-secret-bindings-'));
    const bad = await setSecret(dataDir, 'PLANT_MQTT_PASSWORD', PASSWORD, ['--allow', 'broker.plant:99999']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      '"broker.plant:99999" is not a host[:port] a secret may go to: the port must be a number from 1 to 65535 (got "99999")',
    );
    expect((await runCli(['secret', 'list', '--data-dir', dataDir])).stdout).toBe('');
  }, 30_000);
});
