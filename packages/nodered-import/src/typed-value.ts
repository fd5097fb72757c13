import type { ConvertContext } from './conversion';
import { numberOf } from './nodered-export';

/**
 * Node-RED's "typed inputs": a value and its type (`str`, `num`, `bool`, `json`, `date`, `msg`,
 * `flow`, `global`, `env`, `jsonata`, `bin`), as the change, switch and inject nodes store them.
 * Here they become the change node's value specs: `{ type: 'literal' | 'property' | 'flow' |
 * 'global' | 'variable' | 'jsonata', value }`.
 */
export interface ValueSpec {
  type: 'literal' | 'property' | 'node' | 'flow' | 'global' | 'variable' | 'jsonata';
  value: unknown;
}

/** A converted typed input, or why it cannot be. */
export type TypedValue = { spec: ValueSpec; difference?: string } | { problem: string };

/** Node-RED context keys may name a store first (`#:(file)::key`): tagflow has one store. */
export function contextKey(key: string): { key: string; difference?: string } {
  const match = /^#:\(([^)]*)\)::(.*)$/.exec(key);
  if (!match) return { key };
  return { key: match[2], difference: `the context store "${match[1]}" is not kept: tagflow has one context store` };
}

export function typedValue(value: unknown, type: unknown, ctx: ConvertContext): TypedValue {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  switch (type ?? 'str') {
    case 'str':
      return { spec: { type: 'literal', value: text } };
    case 'num': {
      const n = numberOf(value);
      if (n === undefined) return { problem: `the number ${JSON.stringify(text)} is not a number` };
      return { spec: { type: 'literal', value: n } };
    }
    case 'bool':
      return { spec: { type: 'literal', value: text === 'true' || value === true } };
    case 'json':
      try {
        return { spec: { type: 'literal', value: JSON.parse(text === '' ? 'null' : text) } };
      } catch {
        return { problem: `the JSON value ${JSON.stringify(text)} does not parse` };
      }
    case 'date':
      // Node-RED's timestamp: milliseconds since 1970, as JSONata's $millis() gives.
      return { spec: { type: 'jsonata', value: '$millis()' } };
    case 'msg':
      return { spec: { type: 'property', value: text } };
    case 'flow':
    case 'global': {
      const { key, difference } = contextKey(text);
      return { spec: { type: type as 'flow' | 'global', value: key }, difference };
    }
    case 'env':
      return envValue(text, ctx);
    case 'jsonata':
      return { spec: { type: 'jsonata', value: text } };
    case 'bin':
      try {
        const bytes = JSON.parse(text === '' ? '[]' : text) as unknown;
        return {
          spec: { type: 'literal', value: bytes },
          difference: 'a Buffer value becomes a list of byte values (tagflow messages are JSON data)',
        };
      } catch {
        return { problem: `the bytes ${JSON.stringify(text)} do not parse` };
      }
    default:
      return { problem: `values of type "${String(type)}" have no tagflow equivalent` };
  }
}

/**
 * An `env` typed input: inside a subflow a parameter (`${NAME}`, replaced by the instance's value);
 * a tab's own env value is copied; anything else is a runtime variable (`tagflow var set NAME`).
 */
export function envValue(name: string, ctx: ConvertContext): TypedValue {
  if (ctx.inSubflow) return { spec: { type: 'literal', value: `\${${name}}` } };
  if (ctx.tabEnv.has(name)) return { spec: { type: 'literal', value: ctx.tabEnv.get(name) } };
  return {
    spec: { type: 'variable', value: name },
    difference: `the environment variable ${name} is read from the runtime's variables: set it with \`tagflow var set ${name} VALUE\``,
  };
}
