import { nestedArray, nestedObject, setOwn } from './odd-values';

/**
 * A flow under construction holds two kinds of placeholders for what plain JSON data cannot print
 * or carry: nesting thousands of levels deep (a recursive printer or stringify would overflow on
 * it) and numbers JSON has no spelling for. `materialize` turns a template into the value a caller
 * in the same process passes (what `JSON.parse` of the text would give); `renderText` into the raw
 * request body an HTTP client sends. Counterexamples print the placeholders, a few characters each.
 */
export class Deep {
  constructor(
    readonly depth: number,
    readonly array: boolean,
  ) {}
  toString(): string {
    return `Deep(${this.depth}${this.array ? ', array' : ''})`;
  }
}

/** A number JSON cannot spell: written `1e400` or `-1e400` in text (JSON.parse reads them as ±Infinity); NaN in a value. */
export class NonFinite {
  constructor(readonly value: number) {}
  toString(): string {
    return `NonFinite(${this.value})`;
  }
}

/** The value a same-process caller (the CLI after JSON.parse, the engine) gets. */
export function materialize(template: unknown): unknown {
  if (template instanceof Deep) return template.array ? nestedArray(template.depth) : nestedObject(template.depth);
  if (template instanceof NonFinite) return template.value;
  if (Array.isArray(template)) return template.map(materialize);
  if (template !== null && typeof template === 'object') {
    const out = {};
    for (const [key, value] of Object.entries(template)) setOwn(out, key, materialize(value));
    return out;
  }
  return template;
}

/** The JSON text of a template, as an HTTP client would send it; NaN has no spelling and becomes `1e400` too. */
export function renderText(template: unknown): string {
  const tokens: string[] = [];
  const text = JSON.stringify(template, function (_key, value: unknown) {
    if (value instanceof Deep) {
      const open = value.array ? '[' : '{"a":';
      const close = value.array ? ']' : '}';
      tokens.push(`${open.repeat(value.depth)}1${close.repeat(value.depth)}`);
      return `\u0000${tokens.length - 1}\u0000`;
    }
    if (value instanceof NonFinite) {
      tokens.push(value.value < 0 ? '-1e400' : '1e400');
      return `\u0000${tokens.length - 1}\u0000`;
    }
    return value;
  });
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_m, index: string) => tokens[Number(index)]);
}

/** Whether a template holds a Deep placeholder (a recursive walk of its value would overflow). */
export function hasDeep(template: unknown): boolean {
  if (template instanceof Deep) return true;
  if (template === null || typeof template !== 'object' || template instanceof NonFinite) return false;
  return Object.values(template).some(hasDeep);
}

/** A deep copy of a template (placeholders are immutable and shared); own `__proto__` keys stay own keys. */
export function cloneTemplate<T>(template: T): T {
  if (template instanceof Deep || template instanceof NonFinite) return template;
  if (Array.isArray(template)) return template.map(cloneTemplate) as T;
  if (template !== null && typeof template === 'object') {
    const out = {};
    for (const [key, value] of Object.entries(template)) setOwn(out, key, cloneTemplate(value));
    return out as T;
  }
  return template;
}
