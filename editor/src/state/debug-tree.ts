/** One property of an object (or item of an array) shown as a row of the debug panel's tree. */
export interface TreeChild {
  /** The property name, or the index of an array item. */
  key: string | number;
  value: unknown;
  /** Its path from the message, Node-RED style: `payload.values[2]`, `payload["flow rate"]`. */
  path: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The path of property `key` of the value at `parent`, as Node-RED's debug sidebar copies it:
 * `.name` for a plain name, `[2]` for an array index, `["flow rate"]` otherwise; a root path of
 * '' gives `name` alone.
 */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The rows under an object or array, in order (none for anything else). */
export function treeChildren(value: unknown, path: string): TreeChild[] {
  if (Array.isArray(value))
    return (value as unknown[]).map((item, i) => ({ key: i, value: item, path: childPath(path, i) }));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value as Record<string, unknown>).map(([key, item]) => ({
      key,
      value: item,
      path: childPath(path, key),
    }));
  return [];
}

/** A one-line preview of a value: a scalar as JSON, `array[3]`, `{ alarm, state, … }`. */
export function previewValue(value: unknown, max = 80): string {
  let text: string;
  if (Array.isArray(value)) text = `array[${value.length}]`;
  else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    text = keys.length === 0 ? '{}' : `{ ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''} }`;
  } else if (value === undefined) text = 'undefined';
  else if (typeof value === 'bigint') text = `${value}n`;
  else text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
