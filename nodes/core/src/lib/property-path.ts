import { NodeError } from '@tagflow/node-sdk';
import { coreErrors } from '../error-codes';
import { parsePath, PathError } from './message-path';
import type { PathSegment } from './message-path';

/**
 * Parses a config field naming a message property (`payload`, `payload.raw`); a path that does not
 * parse is an INVALID_PROPERTY NodeError whose words start with the field's label.
 */
export function configPropertyPath(property: string, label = 'Property'): PathSegment[] {
  try {
    return parsePath(property);
  } catch (err) {
    if (err instanceof PathError)
      throw new NodeError(coreErrors.code.INVALID_PROPERTY, `${label}: ${err.message}`, { property });
    throw err;
  }
}
