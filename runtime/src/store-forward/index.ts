export { FileOutbox, SEGMENT_BYTES, DEFAULT_MAX_BYTES } from './file-outbox';
export type { OpenOutboxOptions } from './file-outbox';

import { FileOutbox } from './file-outbox';
import type { OpenOutboxOptions } from './file-outbox';

/** Opens a node's store-and-forward buffer in `dir`. */
export function openOutbox<T>(dir: string, options: OpenOutboxOptions = {}): Promise<FileOutbox<T>> {
  return FileOutbox.open<T>(dir, options);
}
