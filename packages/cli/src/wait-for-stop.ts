/** Why a running flow is being stopped. */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'timeout' | 'aborted';

/** When the stop request fires, besides Ctrl-C and SIGTERM. */
export interface StopTriggers {
  /** Fire this many milliseconds after `waitForStop` is called. */
  durationMs?: number;
  /** Fire when this aborts (stdout was closed, for instance). */
  signal?: AbortSignal;
  /** Called when a second signal arrives while stopping, just before exiting with code 1. */
  onForce: () => void;
}

/** A pending stop request. */
export interface StopRequest {
  /** Resolves with the first trigger that fired. */
  readonly reason: Promise<StopReason>;
  /** Removes the signal handlers and the timer (when the flow never started). */
  cancel(): void;
}

/**
 * Listens for the moment the flow should stop: Ctrl-C (SIGINT), SIGTERM (a service manager),
 * `durationMs`, or `signal` aborting. Call it before deploying, so a Ctrl-C during start-up still
 * closes the nodes. A second signal while stopping exits at once with code 1: a node that hangs
 * while closing must not make the command impossible to quit.
 */
export function waitForStop({ durationMs, signal, onForce }: StopTriggers): StopRequest {
  let timer: NodeJS.Timeout | undefined;
  let resolveReason: (reason: StopReason) => void = () => undefined;
  const reason = new Promise<StopReason>((resolve) => (resolveReason = resolve));
  const onSigint = () => fire('SIGINT');
  const onSigterm = () => fire('SIGTERM');
  const onAbort = () => fire('aborted');
  const cancel = () => {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    signal?.removeEventListener('abort', onAbort);
  };
  const fire = (why: StopReason) => {
    cancel();
    const force = () => {
      onForce();
      process.exit(1);
    };
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    resolveReason(why);
  };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  if (signal?.aborted) fire('aborted');
  else signal?.addEventListener('abort', onAbort, { once: true });
  if (durationMs !== undefined && !signal?.aborted) timer = setTimeout(() => fire('timeout'), durationMs);
  return { reason, cancel };
}
