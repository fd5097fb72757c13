import { NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from '../error-codes';

const QUALITIES: ReadonlySet<unknown> = new Set(['good', 'uncertain', 'bad']);
const USAGE =
  'return a message such as { ...msg, payload: 42 }, an array of messages to send several, or null to send nothing';

/**
 * Turns what the user's function returned (already copied out of the isolate, so owned here) into
 * the messages to send, in order. `null`/`undefined` send nothing; `null` items of an array are
 * skipped. Missing `timestamp` and `quality` are taken from the input message.
 */
export function toOutputMessages(result: unknown, input: Message): Message[] {
  if (result === undefined || result === null) return [];
  if (!Array.isArray(result)) return [toMessage(result, input, 'The function returned')];
  const messages: Message[] = [];
  for (let i = 0; i < result.length; i++) {
    const item: unknown = result[i];
    if (item === undefined || item === null) continue;
    if (Array.isArray(item)) {
      throw resultError(
        `Item ${i} of the returned array is itself an array. An array sends each message in order on the single output (Node-RED's one-array-per-output form does not apply: use a switch node to route)`,
      );
    }
    messages.push(toMessage(item, input, `Item ${i} of the returned array is`));
  }
  return messages;
}

function toMessage(value: unknown, input: Message, what: string): Message {
  if (typeof value !== 'object' || value === null || !('payload' in value)) {
    const kind =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? `${describe(value)} without a payload`
        : describe(value);
    throw resultError(`${what} ${kind}; ${USAGE}`);
  }
  // The value was copied out of the isolate for us: completing it in place copies nothing.
  const msg = value as Record<string, unknown>;
  if (msg.timestamp === undefined) msg.timestamp = input.timestamp;
  else if (typeof msg.timestamp !== 'number' || !Number.isFinite(msg.timestamp)) {
    throw resultError(
      `${what} a message whose timestamp is ${describe(msg.timestamp)}; it must be milliseconds since 1970 (a number)`,
    );
  }
  if (msg.quality === undefined) msg.quality = input.quality;
  else if (!QUALITIES.has(msg.quality)) {
    throw resultError(
      `${what} a message whose quality is ${describe(msg.quality)}; it must be "good", "uncertain" or "bad"`,
    );
  }
  if (msg.topic !== undefined && typeof msg.topic !== 'string') {
    throw resultError(`${what} a message whose topic is ${describe(msg.topic)}; a topic must be a string`);
  }
  return msg as Message;
}

function resultError(message: string): NodeError {
  return new NodeError(coreErrors.code.FUNCTION_RESULT, message);
}

/** Names a value for the user: its kind, and a short rendering of it. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value === 'boolean' ? 'a boolean' : 'a number'} (${String(value)})`;
    case 'object': {
      const keys = Object.keys(value);
      const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', ...' : '');
      return keys.length === 0 ? 'an empty object' : `an object (fields: ${shown})`;
    }
    default:
      return `a ${typeof value}`;
  }
}
