import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdminServer } from '../../src/server/start-admin-server';
import { startHarness } from './server-harness';

/** A throwaway self-signed certificate for 127.0.0.1, made with the system openssl. */
function selfSigned(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('startAdminServer with TLS', () => {
  it('serves HTTPS on a free port and closes', async () => {
    const h = await startHarness();
    const tls = selfSigned();
    const server = await startAdminServer(
      {
        engine: h.engine,
        registry: h.registry,
        flows: h.flows,
        tokens: h.tokens,
        secrets: h.secrets,
        audit: h.audit,
        deployer: { deploy: jest.fn(), rollback: jest.fn() },
        logger: h.logger,
        version: 't',
      },
      { host: '127.0.0.1', port: 0, tls },
    );
    try {
      expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
      const answer = await new Promise<{ status: number; body: string; hsts: string | undefined }>(
        (resolve, reject) => {
          get(
            `${server.url}/api/status`,
            { ca: tls.cert, headers: { authorization: `Bearer ${h.token.viewer}` } },
            (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString()));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  body,
                  hsts: res.headers['strict-transport-security'],
                }),
              );
            },
          ).on('error', reject);
        },
      );
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ flow: null, nodes: {} });
      expect(answer.hsts).toMatch(/max-age/);
    } finally {
      await server.close();
      await h.close();
    }
  });
});
