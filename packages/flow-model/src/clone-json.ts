/**
 * Deep copy of JSON-like data (plain objects, arrays, primitives); fields holding `undefined` are
 * dropped, as JSON would. Validation works on copies so that filling in defaults or migrating never
 * touches the caller's flow. Other objects (a Date slipped in by code) are kept by reference.
 */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // As in JSON, a field set to undefined is absent (a migration may write `{ ...c, old: undefined }`).
      if (item === undefined) continue;
      // JSON.parse makes `__proto__` an ordinary key; plain assignment would swap the prototype instead.
      if (key === '__proto__')
        Object.defineProperty(copy, key, {
          value: cloneJson(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else copy[key] = cloneJson(item);
    }
    return copy as T;
  }
  return value;
}

/**
 * True for `{...}` objects (not arrays, not null, not class instances), also those made in another
 * realm (a worker's `structuredClone`, a vm context), whose `Object.prototype` is not ours.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
