import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** How to start a peer process and tell that it is ready. */
export interface PeerOptions {
  /** True once the peer serves, e.g. `() => acceptsConnections(port)`; polled every 50 ms. */
  ready: () => Promise<boolean> | boolean;
  /** Its name in error messages (default the command). */
  name?: string;
  /** How long it may take to become ready (default 15 s). */
  timeoutMs?: number;
  /** Called with each complete line it prints on stdout (e.g. JSON events of a simulator). */
  onLine?: (line: string) => void;
}

/** A peer process a test started: its recent output, for error messages, and a way to stop it. */
export interface PeerProcess {
  readonly child: ChildProcess;
  /** The last 4,000 characters it printed on stderr (and on stdout when no `onLine` reads it). */
  output(): string;
  /** Sends `signal` (SIGTERM, as a service stop would; SIGCONT first, so a paused peer can die) and waits for it to exit and its output to be read. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a real peer (a broker, a PLC simulator, a database server) and resolves once `ready`
 * holds. Fails with the peer's last output if the command is missing, if it exits first, or if it
 * is not ready in time (then it is killed): never a silent skip.
 */
export async function startPeer(command: string, args: readonly string[], options: PeerOptions): Promise<PeerProcess> {
  const name = options.name ?? command;
  if (command.startsWith('/') && !existsSync(command))
    throw new Error(`${command} is missing: install it with bash scripts/system-deps.sh`);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr?.on('data', keep);
  const onLine = options.onLine;
  if (onLine) {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  } else {
    child.stdout?.on('data', keep);
  }
  const peer: PeerProcess = {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // 'close' comes after the last of its output has been read ('exit' may come before it); a
      // descendant still holding its pipes open gets a second, not a hang.
      const exited = new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.once('exit', () => setTimeout(resolve, 1000).unref());
      });
      child.kill('SIGCONT');
      child.kill(signal);
      await exited;
    },
  };
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await options.ready())) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited (code ${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await peer.stop('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return peer;
}
