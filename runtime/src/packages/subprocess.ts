import { execFile } from 'node:child_process';

/** A tool (npm, tar) that failed; the message holds the last lines of what it printed. */
export class ToolError extends Error {
  constructor(
    message: string,
    /** What the tool printed on stderr, trimmed. */
    readonly output: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Options of one tool run. */
export interface RunOptions {
  cwd?: string;
  /** Killed after this long (default 5 minutes: a registry fetch with many dependencies is slow). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Largest output kept, bytes (default 16 MB). */
  maxBuffer?: number;
}

/**
 * Runs `command args` without a shell (arguments are never interpreted), and resolves with its
 * stdout. Rejects with a ToolError naming the command and the tail of its stderr.
 */
export function runTool(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 5 * 60_000,
        maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const output = lastLines(String(stderr || stdout), 8);
        const why =
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${command} is not installed (not on PATH)`
            : err.killed
              ? `${command} took too long and was stopped`
              : `${command} ${args[0] ?? ''} failed`;
        reject(new ToolError(output ? `${why}: ${output}` : why, output));
      },
    );
  });
}

/** npm's own noise (`npm notice`, timing, log file paths) removed; the last `count` meaningful lines kept. */
function lastLines(text: string, count: number): string {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!|warn|WARN) ?/, '').trim())
    .filter((l) => l !== '' && !/^(notice|A complete log of this run|code E|errno|syscall)/.test(l));
  return lines.slice(-count).join('; ');
}
