import { isPlainObject } from './object-guards';

/**
 * Structural equality of JSON-like values, with JSON's rules: a property holding `undefined` is the
 * same as an absent one (JSON.stringify drops both), key order does not count, an array equals only
 * an array of equal items in the same order. NaN equals NaN, so a config holding it is not "changed"
 * on every deploy. Other objects (Date, Map, class instances) are equal only to themselves: they are
 * not JSON, and telling two of them apart is safer than wrongly calling them equal.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    // A plain loop: `every` would skip the holes of a sparse array.
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const aKeys = definedKeys(a);
  if (aKeys.length !== definedKeys(b).length) return false;
  return aKeys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
}

function definedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).filter((key) => record[key] !== undefined);
}
