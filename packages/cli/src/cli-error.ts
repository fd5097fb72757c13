/** Exit codes of the `tagflow` command. */
export const EXIT_OK = 0;
/** The command ran and failed: an invalid flow, a missing file, a refused deploy. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong: an unknown option, a missing argument, a bad duration. */
export const EXIT_USAGE = 2;

/**
 * A failure the user can act on. `main` prints its message as `error: <message>` (no stack) and
 * exits with its code; anything else thrown is a bug and is printed with its stack.
 */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
