import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startPeer } from './peer-process';
import type { PeerProcess } from './peer-process';
import { acceptsConnections, freePort } from './peers';

const BINARY = '/usr/sbin/mosquitto';
const PASSWD = '/usr/bin/mosquitto_passwd';

/** How the test broker is locked down; default: plain TCP, anonymous. */
export interface MosquittoOptions {
  /** Only these users, with these passwords (a password file made by mosquitto_passwd). */
  users?: Record<string, string>;
  /** TLS on the listener; with `requireClientCertificate` the client must show one signed by `caFile`. */
  tls?: { caFile: string; certFile: string; keyFile: string; requireClientCertificate?: boolean };
  /** Keep sessions and queued messages on disk across a restart (default true); off for benchmarks. */
  persistence?: boolean;
  /** More mosquitto.conf lines, e.g. `max_queued_messages 0`. */
  settings?: string[];
}

/**
 * A real Mosquitto (Debian's) on a free loopback port, for one test file or benchmark: never the
 * machine's shared broker. With persistence (the default) sessions survive `down()` then `up()`.
 */
export class Mosquitto {
  private peer: PeerProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly config: string,
    private readonly scheme: 'mqtt' | 'mqtts',
    private readonly passwords: string | undefined,
  ) {}

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    if (!existsSync(BINARY))
      throw new Error(`${BINARY} is missing: install it with apt-get install mosquitto (bash scripts/system-deps.sh)`);
    const dir = mkdtempSync(join(tmpdir(), 'tagflow-mosquitto-'));
    const port = await freePort();
    // Run as whoever runs the test: as root, Mosquitto would otherwise switch to its own user and
    // could no longer read the files made here.
    const lines = [`user ${userInfo().username}`, `listener ${port} 127.0.0.1`];
    if (options.persistence !== false)
      lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 1');
    let passwords: string | undefined;
    if (options.users === undefined) {
      lines.push('allow_anonymous true');
    } else {
      passwords = join(dir, 'passwords');
      writeFileSync(passwords, '');
      chmodSync(passwords, 0o600);
      for (const [user, password] of Object.entries(options.users))
        execFileSync(PASSWD, ['-b', passwords, user, password]);
      lines.push('allow_anonymous false', `password_file ${passwords}`);
    }
    const tls = options.tls;
    if (tls !== undefined) {
      lines.push(
        `cafile ${tls.caFile}`,
        `certfile ${tls.certFile}`,
        `keyfile ${tls.keyFile}`,
        `require_certificate ${tls.requireClientCertificate === true}`,
      );
    }
    lines.push(...(options.settings ?? []));
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(config, `${lines.join('\n')}\n`);
    const broker = new Mosquitto(port, config, tls === undefined ? 'mqtt' : 'mqtts', passwords);
    await broker.up();
    return broker;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  /**
   * Sets a user's password in the broker's password file and has the running broker reload it
   * (SIGHUP): from then on CONNECTs are checked against the new file, and connected clients whose
   * credentials it no longer accepts are dropped (Mosquitto 2.0).
   */
  setPassword(user: string, password: string): void {
    if (this.passwords === undefined) throw new Error('this broker was started without users: it has no password file');
    execFileSync(PASSWD, ['-b', this.passwords, user, password]);
    this.peer?.child.kill('SIGHUP');
  }

  async up(): Promise<void> {
    this.peer = await startPeer(BINARY, ['-c', this.config], {
      name: 'mosquitto',
      ready: () => acceptsConnections(this.port),
      timeoutMs: 10_000,
    });
  }

  /**
   * Freezes the broker (SIGSTOP): connections stay open, nothing is read or answered, and a
   * publisher's socket fills up.
   */
  pause(): void {
    this.peer?.child.kill('SIGSTOP');
  }

  resume(): void {
    this.peer?.child.kill('SIGCONT');
  }

  async down(): Promise<void> {
    await this.peer?.stop();
    this.peer = undefined;
  }
}
