// The README's main command (scripts/demo.sh = bootstrap + scripts/demo-run.sh) runs this example
// under `tagflow start`. It must fail loudly: a runtime that cannot start makes it exit non-zero
// with the runtime's own error, and the editor's address is shown only once the runtime answers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@tagflow/node-test';

const demoRun = path.resolve(__dirname, '..', '..', '..', 'scripts', 'demo-run.sh');

interface DemoResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(env: Record<string, string>): Promise<DemoResult> {
  const child = spawn('bash', [demoRun], { env: { ...process.env, FORCE_COLOR: '0', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Holds a port with a listener that accepts connections and never answers, as another program would. */
async function occupy(port: number): Promise<Server> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('the demo (README main command)', () => {
  it('exits non-zero with the runtime error, and shows no address, when the runtime cannot start', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const result = await runDemo({
        DEMO_PORT: String(port),
        DEMO_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tagflow-demo-')),
        DEMO_FOR: '20s',
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: another program uses that port`);
      expect(result.stderr).toContain('demo: the runtime exited before it answered');
      expect(result.stderr).not.toContain('tagflow editor:');
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('shows the address and the stored token once the runtime answers, and stops cleanly', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-demo-'));
    const modbusPort = await freePort();
    const result = await runDemo({
      DEMO_PORT: String(port),
      DEMO_DATA_DIR: dataDir,
      DEMO_FOR: '4s',
      DEMO_MODBUS_PORT: String(modbusPort),
    });
    expect(result.code).toBe(0);
    // The sensor goes through a real Modbus TCP round trip (demo-flow.json), with a clean start.
    expect(result.stderr).toContain(`simulated PLC served over Modbus TCP at 127.0.0.1:${modbusPort}`);
    expect(result.stderr).toContain(`"endpoint":"127.0.0.1:${modbusPort}"`);
    expect(result.stderr).not.toContain('"level":"warn"');
    expect(result.stderr).not.toContain('"level":"error"');
    expect(result.stderr).toContain(`tagflow editor: http://127.0.0.1:${port}/`);
    const token = readFileSync(path.join(dataDir, 'demo-token'), 'utf8').trim();
    expect(token).toMatch(/^tf_/);
    expect(result.stderr).toContain(`sign in with this token: ${token}`);
    expect(result.stderr).toContain('Alarms the pump monitor recorded');
  }, 60_000);
});
