import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPeer } from '@tagflow/node-test';
import type { PeerProcess } from '@tagflow/node-test';

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
  private peer: PeerProcess | undefined;
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
    this.peer = await startPeer(BINARY, ['run', '-config', this.config], {
      name: `influxd on port ${this.port}`,
      ready: () => this.pings(),
    });
  }

  /** Stops the server (SIGTERM, as a service stop would) and waits for it to exit. */
  async down(): Promise<void> {
    await this.peer?.stop();
    this.peer = undefined;
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
