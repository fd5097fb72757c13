import type { Message } from '@tagflow/node-sdk';

/** Anything with a `payload` is taken as a message (missing timestamp/quality filled); else it is the payload. */
export function toMessage(value: unknown, now: number): Message {
  if (value !== null && typeof value === 'object' && 'payload' in value) {
    const partial = value as Partial<Message> & { payload: unknown };
    return { timestamp: now, quality: 'good', ...partial };
  }
  return { payload: value, timestamp: now, quality: 'good' };
}
