import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { decodeRegisters, describe, encodeRegisters } from './register-codec';
import type { TagValue } from './register-codec';
import type { ResolvedLayout } from './tag-config';
import { applyScaling, removeScaling } from './tag-scaling';

/**
 * A tag's engineering value as the wire holds it: `true`/`false` for a bit, else its register
 * words (scaling undone, then encoded in the tag's type and order). Throws the codec's NodeError,
 * naming the value and the limit, when it does not fit: the same words modbus-write uses.
 */
export function encodeTagValue(tag: ResolvedLayout & { name: string }, value: unknown): boolean | number[] {
  if (tag.type === 'bool') {
    if (typeof value !== 'boolean')
      throw new NodeError(
        modbusErrors.code.NOT_A_BOOLEAN,
        `tag "${tag.name}" (a ${tag.table}) takes true or false, but the value is ${describe(value)}`,
        { value: String(value) },
      );
    return value;
  }
  try {
    return encodeRegisters(removeScaling(value, tag, tag.type), tag);
  } catch (err) {
    if (err instanceof NodeError)
      throw new NodeError(err.code, `tag "${tag.name}": ${err.message}`, { ...err.details });
    throw err;
  }
}

/** The engineering value of a register tag's words (decoded, then scaled), as modbus-read sends it. */
export function decodeTagValue(tag: ResolvedLayout, words: readonly number[]): TagValue {
  const raw = decodeRegisters(words, tag);
  return typeof raw === 'number' ? applyScaling(raw, tag) : raw;
}
