import { NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from '../error-codes';

/**
 * The number in `msg.payload`; throws NodeError `NOT_A_NUMBER` naming the value otherwise. Only
 * finite numbers count: numeric text, NaN and Infinity are refused, so a wrong upstream type shows up
 * as an error instead of as a silently converted (or poisoned) average.
 */
export function readNumber(msg: Message): number {
  const value = msg.payload;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new NodeError(coreErrors.code.NOT_A_NUMBER, `msg.payload must be a number, but it is ${describeValue(value)}`, {
    payload: safeDetail(value),
    topic: msg.topic,
  });
}

/** `value`, read from `msg` at `property`, as a finite number; throws NodeError `NOT_A_NUMBER` otherwise. */
export function readNumberAt(value: unknown, property: string, msg: Message): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new NodeError(
    coreErrors.code.NOT_A_NUMBER,
    `msg.${property} must be a number, but it is ${describeValue(value)}`,
    {
      [property]: safeDetail(value),
      topic: msg.topic,
    },
  );
}

/** The number in `msg.payload`, or undefined when there is none (for bad-quality reads). */
export function numberOrUndefined(msg: Message): number | undefined {
  const value = msg.payload;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A short plain-words rendering of any value, e.g. `the text "12,5"` or `an object`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing (undefined)';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the text ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `${String(value)} (not a finite number)`;
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  if (typeof value === 'bigint') return `the big integer ${String(value)} (send a regular number)`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

// Error details are logged and shown in the editor: keep them small and JSON-safe.
function safeDetail(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 100 ? `${value.slice(0, 97)}...` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return value;
  return describeValue(value);
}
