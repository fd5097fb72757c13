import type { Message } from '@tagflow/node-sdk';

/**
 * Where a message sits in a sequence made by `split` (Node-RED's `msg.parts`), so that `join`
 * can put the sequence back together.
 */
export interface MessageParts {
  /** Identifies the sequence: every part of one split shares it. */
  id: string;
  /** Position in the sequence, from 0. */
  index: number;
  /** How many parts the sequence has; absent in streaming mode, where it is not known. */
  count?: number;
  /** What was split: `string`, `buffer`, `array` or `object`. */
  type: 'string' | 'buffer' | 'array' | 'object';
  /** The delimiter a text or Buffer was split at (`''` when split by length). */
  ch?: string;
  /** The key an object part came from. */
  key?: string;
  /** The length of each part, when split by length or into lists of several items. */
  len?: number;
  /** The message property split, when not `payload`. */
  property?: string;
  /** The `parts` the message had before this split (nested splits). */
  parts?: unknown;
}

/** The `msg.parts` of a message, when it has one with an id. */
export function partsOf(msg: Message): MessageParts | undefined {
  const parts = msg.parts;
  return parts !== null && typeof parts === 'object' && typeof (parts as MessageParts).id === 'string'
    ? (parts as MessageParts)
    : undefined;
}
