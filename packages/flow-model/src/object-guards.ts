/**
 * Type guards for values read from JSON, YAML or a module's exports, shared by the editor, the
 * runtime and the CLI so that "is this an object" means the same everywhere.
 */

/**
 * True for any object whose fields can be read by name: not null, not an array. Use it to check
 * parsed data before reading its fields; class instances and frozen objects pass too.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for `{...}` objects (not arrays, not null, not class instances), also those made in another
 * realm (a worker's `structuredClone`, a vm context), whose `Object.prototype` is not ours.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || Object.getPrototypeOf(proto) === null;
}
