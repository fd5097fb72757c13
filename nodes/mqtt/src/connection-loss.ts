/** What a publisher waits on while one broker connection lasts. */
export interface ConnectionLoss {
  /** Marks the connection lost: the wait under way, and every later one, fail with `reason`. */
  fail(reason: Error): void;
  /** Settles as `work` does, or rejects with the loss reason as soon as the connection is lost. */
  unlessLost<T>(work: Promise<T>): Promise<T>;
}

/**
 * Tracks the loss of one connection for waits made one after another (a window of publishes,
 * batch by batch). Not a race against one long-lived "lost" promise: each Promise.race leaves a
 * reaction on it that lives as long as the connection (the hour-long soak grew 1.7 MB a minute
 * from them). This holds on to the one pending wait only.
 */
export function connectionLoss(): ConnectionLoss {
  let lost: Error | undefined;
  let failPending: ((reason: Error) => void) | undefined;
  return {
    fail(reason) {
      lost ??= reason;
      failPending?.(reason);
    },
    unlessLost<T>(work: Promise<T>): Promise<T> {
      // Once lost, a later rejection of the work has nobody waiting for it.
      work.catch(() => undefined);
      if (lost) return Promise.reject(lost);
      return new Promise<T>((resolve, reject) => {
        failPending = reject;
        void work.then(resolve, reject).finally(() => {
          if (failPending === reject) failPending = undefined;
        });
      });
    },
  };
}
