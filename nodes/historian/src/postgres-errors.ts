/** An error PostgreSQL itself sent (it carries a SQLSTATE `code` and a `severity`). */
interface ServerError {
  code: string;
  severity: string;
  message: string;
}

// Duck-typed rather than `instanceof DatabaseError`: two copies of pg-protocol may be installed.
function isServerError(err: unknown): err is ServerError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as ServerError).code === 'string' &&
    typeof (err as ServerError).severity === 'string'
  );
}

/**
 * Whether the connection itself failed (refused, reset, timed out, the server shutting down)
 * rather than the statement: then the store reports `lost` and the runtime opens a new one.
 * SQLSTATE class 08 is "connection exception", 57P01..57P03 the server going away.
 */
export function isConnectionFailure(err: unknown): boolean {
  if (!isServerError(err)) return true;
  return err.code.startsWith('08') || /^57P0[123]$/.test(err.code) || err.code === '53300';
}

/**
 * A PostgreSQL failure in words an operator can act on, naming the server as `host:port`.
 * `doing` completes "could not ...", e.g. `store the rows`. Never includes the password.
 */
export function describePostgresError(err: unknown, server: string, doing: string): string {
  const text = messageOf(err);
  if (!isServerError(err)) {
    // pg's SCRAM code fails on the client side when the server wants a password and none is set.
    if (/SASL|client password must be a string/i.test(text))
      return `PostgreSQL at ${server} asks for a password: set the password credential`;
    return `cannot reach PostgreSQL at ${server}: ${text}`;
  }
  if (err.code.startsWith('28')) return `PostgreSQL at ${server} refused the login: ${text}`;
  if (err.code === '3D000') return `PostgreSQL at ${server}: ${text}`;
  if (isConnectionFailure(err)) return `cannot reach PostgreSQL at ${server}: ${text}`;
  return `PostgreSQL at ${server} could not ${doing}: ${text}`;
}

function messageOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err ?? 'unknown error');
  const { message, code, errors } = err as { message?: string; code?: string; errors?: unknown[] };
  if (message) return message;
  // Node reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError
  // with an empty message; its parts say what happened.
  if (Array.isArray(errors) && errors.length > 0) return errors.map(messageOf).join('; ');
  return code ?? 'unknown error';
}
