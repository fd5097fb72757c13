import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import { fixtures, runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

/** A GET with a bad token from a loopback address of its own: one failed login, written at once. */
function failFrom(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/status`,
      { localAddress, agent: false, headers: { authorization: 'Bearer tf_wrong' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('tagflow start --audit-max-mb --audit-files', () => {
  it('rotates the audit log at the given size and keeps the given number of files', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-start-audit-'));
    const s = await startTagflow({ dataDir, cwd: fixtures, args: ['--audit-max-mb', '0.002', '--audit-files', '2'] });
    for (let x = 2; x <= 41; x++) expect(await failFrom(s.url, `127.0.0.${x}`)).toBe(401);
    expect(await s.stop()).toBe(0);
    expect(
      readdirSync(dataDir)
        .filter((n) => n.startsWith('audit.log'))
        .sort(),
    ).toEqual(['audit.log', 'audit.log.1']);
    for (const name of ['audit.log', 'audit.log.1']) {
      const file = path.join(dataDir, name);
      expect(statSync(file).size).toBeLessThanOrEqual(2097);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    const last = readFileSync(path.join(dataDir, 'audit.log'), 'utf8').trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ type: 'stop' });
  });

  it('refuses a file count below 1 in plain words', async () => {
    const result = await runCli(['start', '--audit-files', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--audit-files takes a whole number from 1 up/);
  });
});
