import { readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { makeCertificates } from '@tagflow/test-support';
import { startAdminServer } from '../../src/server/start-admin-server';
import { startHarness } from './server-harness';

/** A throwaway certificate for 127.0.0.1 and the CA that signed it, made with the system openssl. */
function certificate(): { cert: Buffer; key: Buffer; ca: Buffer } {
  const made = makeCertificates('tagflow-admin-tls');
  try {
    return {
      cert: readFileSync(made.serverCertFile),
      key: readFileSync(made.serverKeyFile),
      ca: readFileSync(made.caFile),
    };
  } finally {
    rmSync(made.dir, { recursive: true, force: true });
  }
}

describe('startAdminServer with TLS', () => {
  it('serves HTTPS on a free port and closes', async () => {
    const h = await startHarness();
    const { ca, ...tls } = certificate();
    const server = await startAdminServer(h.deps(), { host: '127.0.0.1', port: 0, tls });
    try {
      expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
      const answer = await new Promise<{ status: number; body: string; hsts: string | undefined }>(
        (resolve, reject) => {
          get(`${server.url}/api/status`, { ca, headers: { authorization: `Bearer ${h.token.viewer}` } }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body,
                hsts: res.headers['strict-transport-security'],
              }),
            );
          }).on('error', reject);
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
