/** An error's message for a status line; node-opcua sometimes throws errors with an empty message. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return (err.message || err.name || 'unknown error').split('\n')[0];
  return String(err);
}
