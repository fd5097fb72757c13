import { worstQuality } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';

/**
 * Keeps `msg.qualities` true after rules rewrote a message: it describes the keys of an object
 * payload, so once the payload is no longer that object it must go. When the new payload is the
 * value of one key of the old one (`payload.flow` moved to `payload`), the message takes that key's
 * own quality rather than the worst of all tags; a quality the rules set themselves is kept.
 */
export function settleQualities(before: Message, after: Message): Message {
  if (after.qualities === undefined || after.payload === before.payload) return after;
  if (isPlainObject(after.payload)) return after;
  const { qualities, ...rest } = after;
  if (after.quality !== before.quality || !isPlainObject(before.payload)) return rest;
  const from = Object.entries(before.payload)
    .filter(([, value]) => Object.is(value, after.payload))
    .map(([key]) => (Object.hasOwn(qualities, key) ? qualities[key] : before.quality));
  if (from.length === 0) return rest;
  return { ...rest, quality: from.reduce<Quality>((worst, q) => worstQuality(worst, q), 'good') };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
