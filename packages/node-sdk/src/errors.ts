import type { ConfigProblem } from '@tagflow/flow-model';

/**
 * A user-facing error: something wrong with the data or the configuration that the flow's author
 * can act on. Its message is shown as is (no stack), so write it in plain words and say what was
 * expected. Any other thrown error is treated as unexpected and reported with its stack.
 */
export class NodeError extends Error {
  /** Stable, machine-readable code, e.g. `NOT_A_NUMBER`, `DEVICE_TIMEOUT`. */
  readonly code: string;
  /** Extra facts for the log and the editor (the offending value, the limit...). */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
    this.details = details;
  }
}

/** True for a NodeError, also one from another copy of this package. */
export function isNodeError(err: unknown): err is NodeError {
  return (
    err instanceof NodeError ||
    (err instanceof Error && err.name === 'NodeError' && typeof (err as NodeError).code === 'string')
  );
}

/**
 * A guard for `create`: throws the first problem `check` found as a NodeError (its code and
 * words, the config path in `details`). A deploy never gets here with a bad config, since it ran
 * the same check first; tests and embedders that call `create` directly get the same refusal.
 */
export function refuseConfig(problems: readonly ConfigProblem[]): void {
  const first = problems[0];
  if (first) throw new NodeError(first.code, first.message, { path: first.path });
}

/**
 * Runs a piece of `create`'s set-up (compiling a rule, parsing a path) as a check: a NodeError it
 * throws becomes a problem at `path` with its code and words, so `check` and `create` cannot say
 * it differently. Any other throw is a bug and is thrown on (validation reports it as such).
 */
export function problemsFrom(path: string, build: () => unknown): ConfigProblem[] {
  try {
    build();
    return [];
  } catch (err) {
    if (isNodeError(err)) return [{ path, message: err.message, code: err.code }];
    throw err;
  }
}
