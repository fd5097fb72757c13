/**
 * `value` as data that crosses a process boundary (structured clone): errors become
 * `{name, message, stack, code}`, functions and symbols their description. Log fields and debug
 * values may hold anything.
 */
export function plainData<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    // Not cloneable as it is (a function, a class instance with a symbol): take it apart below.
    return convert(value, new WeakSet(), 0) as T;
  }
}

function convert(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, stack: value.stack, ...(code === undefined ? {} : { code }) };
  }
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value) || depth > 64) return '[circular or too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => convert(v, seen, depth + 1));
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = convert(v, seen, depth + 1);
  return out;
}
