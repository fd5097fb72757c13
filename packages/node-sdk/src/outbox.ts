/** Settings of a node's store-and-forward buffer. */
export interface OutboxOptions {
  /** Bytes on disk before the overflow policy applies (default 100 MiB). */
  maxBytes?: number;
  /**
   * When full: `drop-oldest` (default) discards the oldest items, counted in `dropped` and logged;
   * `block` makes `push` wait until delivery made room (backpressure up the flow).
   */
  overflow?: 'drop-oldest' | 'block';
}

/**
 * A durable FIFO in which a publisher keeps what it has not delivered yet (store-and-forward). The
 * runtime keeps it in its data dir, per flow and node id, so it survives a runtime crash, a restart
 * and a redeploy that keeps the node's id. Items are JSON values. Delivery is at least once: an item
 * stays until `ack`, so one delivered just before a crash may be delivered again after it.
 */
export interface Outbox<T> {
  /**
   * Appends an item. It is handed to the operating system before the Promise resolves (survives a
   * crash of the runtime) and flushed to disk within `OUTBOX_SYNC_MS` (survives a power cut after
   * that). With overflow `block`, waits while the outbox is full. Items are kept in push order
   * whether or not the caller waits for each Promise: pushes made before the next write (at least
   * the rest of the current event-loop turn) are written together with one system call and may
   * share one Promise, so a publisher need not wait for each before pushing the next.
   */
  push(item: T): Promise<void>;
  /**
   * Up to `max` of the oldest items, oldest first, without removing them; with `skip`, leaving out
   * that many of the oldest first (a publisher with `skip` items already under way asks for the
   * next ones).
   */
  peek(max: number, skip?: number): T[];
  /** Removes the `count` oldest items, once they were delivered. */
  ack(count: number): Promise<void>;
  /** Resolves as soon as the outbox holds at least one item, or when `signal` aborts. */
  whenNotEmpty(signal: AbortSignal): Promise<void>;
  /** Items held now. */
  readonly size: number;
  /** Bytes held on disk now. */
  readonly bytes: number;
  /** Items discarded by `drop-oldest` since the outbox was opened. */
  readonly dropped: number;
}

/** How often buffered items are flushed to disk (fsync), at most. */
export const OUTBOX_SYNC_MS = 200;

/**
 * Removes from the head the `sent` items a publisher peeked when the outbox's `dropped` was
 * `droppedBefore`, once they were delivered. With `drop-oldest`, a full buffer may have dropped
 * some of them from the head meanwhile: acknowledging all `sent` would then remove items behind
 * them that were never sent.
 */
export async function ackSent<T>(outbox: Outbox<T>, sent: number, droppedBefore: number): Promise<void> {
  const gone = outbox.dropped - droppedBefore;
  if (sent > gone) await outbox.ack(sent - gone);
}
