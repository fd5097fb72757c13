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
