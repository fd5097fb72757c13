import { existsSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { clientPkiFolder, opcuaRead, opcuaServer } from '../src';
import { NODES, OpcuaTestServer, until } from './opcua-test-server';

let server: OpcuaTestServer;
const open: FlowUnderTest[] = [];

beforeAll(async () => {
  server = await OpcuaTestServer.start();
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});
afterAll(async () => {
  await server.down();
});

async function secureFlow(dataDir: string, config: object): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'opcua-security',
      resources: [
        {
          id: 'plc',
          type: 'opcua-server',
          config: {
            endpointUrl: server.endpointUrl,
            securityMode: 'SignAndEncrypt',
            securityPolicy: 'Basic256Sha256',
            ...config,
          },
        },
      ],
      nodes: [
        { id: 'r', type: 'opcua-read', typeVersion: 1, config: { server: 'plc', items: [{ nodeId: NODES.string }] } },
      ],
      edges: [],
    },
    { nodes: [opcuaRead], resources: [opcuaServer], fakeTime: false, dataDir },
  );
  open.push(f);
  return f;
}

const connected = (f: FlowUnderTest) => f.statuses('r').some((s) => s.text === 'connected');

describe('opcua-server security', () => {
  it('connects with SignAndEncrypt / Basic256Sha256 when unknown server certificates are accepted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-opcua-secure-'));
    const f = await secureFlow(dataDir, { autoAcceptServerCertificate: true });
    await until(() => connected(f), 20_000, 'a secure connection');
    await f.inject('r', 'go');
    expect(f.outputs('r').map((m) => [m.payload, m.quality])).toEqual([['hello', 'good']]);
    expect(readdirSync(join(clientPkiFolder(dataDir), 'trusted', 'certs'))).toHaveLength(1); // the accepted server certificate
  });

  it('refuses an untrusted server certificate in plain words, and connects once it is moved to trusted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-opcua-untrusted-'));
    const f = await secureFlow(dataDir, {});
    await until(() => f.statuses('r').some((s) => s.state === 'reconnecting'), 20_000, 'the refusal');
    const pki = clientPkiFolder(dataDir);
    const refusal = f.statuses('r').find((s) => s.state === 'reconnecting')?.text;
    expect(refusal).toContain(
      `the certificate of ${server.endpointUrl} is not trusted: move it from ${pki}/rejected to ${pki}/trusted/certs`,
    );
    expect(connected(f)).toBe(false);

    // What the docs tell an operator to do: move the certificate from rejected/ to trusted/certs/.
    const rejected = join(pki, 'rejected');
    const files = existsSync(rejected)
      ? readdirSync(rejected).filter((name) => name.endsWith('.pem') || name.endsWith('.der'))
      : [];
    expect(files).toHaveLength(1);
    renameSync(join(rejected, files[0]), join(pki, 'trusted', 'certs', files[0]));
    await until(() => connected(f), 40_000, 'the connection after trusting the certificate');
    await f.inject('r', 'go');
    expect(f.outputs('r').map((m) => m.payload)).toEqual(['hello']);
  }, 60_000);

  it('connects with Sign / Aes128_Sha256_RsaOaep too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-opcua-sign-'));
    const f = await secureFlow(dataDir, {
      securityMode: 'Sign',
      securityPolicy: 'Aes128_Sha256_RsaOaep',
      autoAcceptServerCertificate: true,
    });
    await until(() => connected(f), 20_000, 'a signed connection');
    await f.inject('r', 'go');
    expect(f.outputs('r').map((m) => m.payload)).toEqual(['hello']);
  });

  it('refuses a security mode without a matching policy at deploy, rather than retrying it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-opcua-mismatch-'));
    // A session can never open with these: the deploy is refused (the same check as validate).
    await expect(secureFlow(dataDir, { securityMode: 'None', securityPolicy: 'Basic256Sha256' })).rejects.toThrow(
      /\/resources\/0\/config\/securityPolicy: .*: security mode None cannot go with security policy Basic256Sha256.*\[OPCUA_CONFIG\]/,
    );
  });
});
