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
  /** Already written to the command's log (`tagflow start`, `tagflow run`): `main` prints nothing more. */
  readonly reported: boolean;

  constructor(message: string, exitCode: number = EXIT_FAILURE, options: { reported?: boolean } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.reported = options.reported ?? false;
  }
}
