import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tagflow/node-test';

const BINARY = '/usr/bin/influxd';

/** How the test server is locked down; default: no authentication. */
export interface InfluxdOptions {
  /** Turn on authentication and create this admin user (InfluxDB allows the first user without auth). */
  admin?: { user: string; password: string };
}

/**
 * A real InfluxDB 1.x on free loopback ports with its data in a temp dir. `down()` and `up()` stop
 * and restart it on the same ports and data, to simulate an outage.
 */
export class Influxd {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly config: string,
    private readonly admin: InfluxdOptions['admin'],
  ) {}

  static async start(options: InfluxdOptions = {}): Promise<Influxd> {
    if (!existsSync(BINARY))
      throw new Error(`${BINARY} is missing: install it with apt-get install influxdb (bash scripts/system-deps.sh)`);
    const dir = mkdtempSync(join(tmpdir(), 'tagflow-influxd-'));
    const port = await freePort();
    const rpcPort = await freePort();
    // Only what differs from `influxd config`'s defaults; the rest keeps them.
    const lines = [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      `  auth-enabled = ${options.admin !== undefined}`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[logging]',
      '  level = "warn"',
      '  suppress-logo = true',
    ];
    const config = join(dir, 'influxdb.conf');
    writeFileSync(config, `${lines.join('\n')}\n`);
    const server = new Influxd(port, dir, config, options.admin);
    await server.up();
    if (options.admin !== undefined) {
      await server.influxql(
        `CREATE USER "${options.admin.user}" WITH PASSWORD '${options.admin.password}' WITH ALL PRIVILEGES`,
      );
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) and waits until /ping answers 204. */
  async up(): Promise<void> {
    const child = spawn(BINARY, ['run', '-config', this.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 15_000;
    while (!(await this.pings())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`influxd did not start on port ${this.port}: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the server (SIGTERM, as a service stop would) and waits for it to exit. */
  async down(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = undefined;
  }

  /** Stops the server and removes its data. */
  async kill(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs InfluxQL as the admin (when there is one) and returns the parsed answer; throws on any error. */
  async influxql(
    q: string,
    db?: string,
  ): Promise<{ results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] }> {
    const url = new URL('/query', this.url);
    url.searchParams.set('epoch', 'ms');
    if (db !== undefined) url.searchParams.set('db', db);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (this.admin !== undefined)
      headers.Authorization = `Basic ${Buffer.from(`${this.admin.user}:${this.admin.password}`).toString('base64')}`;
    const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams({ q }).toString() });
    const body = (await response.json()) as { results: { error?: string }[]; error?: string };
    const error = body.error ?? body.results?.find((r) => r.error)?.error;
    if (!response.ok || error !== undefined)
      throw new Error(`influxql "${q}" failed (HTTP ${response.status}): ${error}`);
    return body;
  }

  private async pings(): Promise<boolean> {
    try {
      const response = await fetch(new URL('/ping', this.url), { signal: AbortSignal.timeout(1000) });
      return response.status === 204;
    } catch {
      return false; // not listening yet
    }
  }
}

/** A TCP port nothing listens on right now. */

// Re-exported for the tests of this package that import them from here.
export { freePort };
