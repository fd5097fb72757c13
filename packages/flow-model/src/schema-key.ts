import type { JSONSchema } from './json-schema';

const keys = new WeakMap<object, string>();

/**
 * A short, stable key of a schema's content (its JSON text), by which validators compiled ahead of
 * time are found: the editor receives schemas as JSON, so the objects are never the runtime's own.
 * Synchronous (validation is), so not a cryptographic hash: 2 x 32-bit FNV-1a lanes and the length;
 * a clash among the few hundred schemas of one catalog is out of reach in practice.
 */
export function schemaKey(schema: JSONSchema): string {
  if (typeof schema === 'boolean') return `b${String(schema)}`;
  const cached = keys.get(schema);
  if (cached !== undefined) return cached;
  const text = JSON.stringify(schema);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  const key = `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}-${text.length}`;
  keys.set(schema, key);
  return key;
}
