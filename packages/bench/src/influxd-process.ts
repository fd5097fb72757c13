import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tagflow/node-test';

/** A throw-away InfluxDB 1.x (Debian's influxd) on free loopback ports, data in a temp dir. */
export async function startInfluxd(): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-bench-influxd-'));
  const [http, rpc] = [await freePort(), await freePort()];
  const defaults = spawnSync('influxd', ['config'], { encoding: 'utf8' });
  if (defaults.status !== 0)
    throw new Error(`influxd is missing or broken (apt-get install influxdb): ${defaults.stderr}`);
  const config = defaults.stdout
    .replace(/^reporting-disabled = .*$/m, 'reporting-disabled = true')
    .replace(/^bind-address = .*$/m, `bind-address = "127.0.0.1:${rpc}"`)
    .replace(/(\[http\][^[]*?)bind-address = "[^"]*"/, `$1bind-address = "127.0.0.1:${http}"`)
    .replace(/dir = "[^"]*\/meta"/, `dir = "${dir}/meta"`)
    .replace(/dir = "[^"]*\/data"/, `dir = "${dir}/data"`)
    .replace(/wal-dir = "[^"]*"/, `wal-dir = "${dir}/wal"`);
  writeFileSync(join(dir, 'influxdb.conf'), config);
  const child: ChildProcess = spawn('influxd', ['-config', join(dir, 'influxdb.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.status === 204,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`influxd did not start on port ${http}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const created = await fetch(`${url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: 'CREATE DATABASE bench' }),
  });
  if (!created.ok) throw new Error(`cannot create the bench database: HTTP ${created.status}`);
  return { url, stop: () => child.kill('SIGTERM') };
}
