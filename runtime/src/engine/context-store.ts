import { NodeError, sdkErrors } from '@tagflow/node-sdk';
import type { ContextStore } from '@tagflow/node-sdk';

/**
 * One scope held in memory: values kept as their JSON text, so that what is stored is a copy, its
 * size is known, and a write to disk has nothing left to serialize. Writes refused (not JSON data,
 * past the limit) are counted, with the last reason, for the admin API.
 */
export class MemoryContextStore implements ContextStore {
  private readonly entries = new Map<string, string>();
  private used = 0;
  /** Writes refused since the engine started. */
  refusedWrites = 0;
  /** Why the last refused write was refused, in plain words. */
  lastRefusal: string | undefined;

  constructor(
    /** Names the scope in errors: `node "avg"`, `flow "pump-monitor"`, `global`. */
    readonly label: string,
    readonly limitBytes: number,
    /** Called after every change (the persistence schedules a write). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  get(key: string): unknown {
    const text = this.entries.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** The JSON text stored under `key`, or undefined: for callers that parse it themselves (a sandbox). */
  getText(key: string): string | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: unknown): void {
    if (typeof key !== 'string' || key === '')
      this.refuse(
        sdkErrors.code.CONTEXT_VALUE,
        `${this.label}: a context key must be a non-empty string; got ${JSON.stringify(key) ?? String(key)}`,
      );
    const previous = this.entries.get(key);
    if (value === undefined) {
      if (previous === undefined) return;
      this.entries.delete(key);
      this.used -= key.length + previous.length;
      this.onChange();
      return;
    }
    const problem = notJsonData(value, '', new Set());
    if (problem !== undefined)
      this.refuse(sdkErrors.code.CONTEXT_VALUE, `${this.label}: context key "${key}": ${problem}`);
    const text = JSON.stringify(value);
    const bytes = this.used - (previous === undefined ? 0 : key.length + previous.length) + key.length + text.length;
    if (bytes > this.limitBytes)
      this.refuse(
        sdkErrors.code.CONTEXT_FULL,
        `${this.label}: storing context key "${key}" would take the context to ${bytes} bytes, past its limit of ${this.limitBytes}`,
      );
    this.entries.set(key, text);
    this.used = bytes;
    this.onChange();
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Bytes in use: each key's length plus its value's JSON text. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Fills the scope from its file at start: no limit applies (a limit lowered since keeps what was stored). */
  load(values: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(values)) {
      const text = JSON.stringify(value);
      const previous = this.entries.get(key);
      this.used += key.length + text.length - (previous === undefined ? 0 : key.length + previous.length);
      this.entries.set(key, text);
    }
  }

  /** The scope as one JSON object, built from the stored texts (nothing serialized again). */
  jsonText(): string {
    let out = '{';
    for (const [key, text] of this.entries) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
    return `${out}}`;
  }

  private refuse(
    code: typeof sdkErrors.code.CONTEXT_VALUE | typeof sdkErrors.code.CONTEXT_FULL,
    message: string,
  ): never {
    this.refusedWrites++;
    this.lastRefusal = message;
    throw new NodeError(code, message);
  }
}

/** Why `value` is not plain JSON data, or undefined when it is. */
export function notJsonData(value: unknown, path: string, seen: Set<object>): string | undefined {
  const at = path === '' ? 'the value' : `"${path}"`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${at} is ${String(value)}, which JSON cannot hold`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${at} refers back to itself`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null)
        return `${at} is a ${value.constructor?.name ?? 'class instance'}, not plain JSON data`;
      seen.add(value);
      for (const [key, item] of Object.entries(value)) {
        const problem = notJsonData(item, path === '' ? key : `${path}.${key}`, seen);
        if (problem !== undefined) return problem;
      }
      seen.delete(value);
      return undefined;
    }
    default:
      return `${at} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`;
  }
}
