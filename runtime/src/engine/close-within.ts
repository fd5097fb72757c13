import type { NodeLogger } from '@tagflow/node-sdk';
import type { EngineLogger } from './types';

/**
 * Runs a node's or resource's `close` and waits at most `timeoutMs` for it: a close that hangs
 * (a dead TCP peer) must not hold a redeploy or a shutdown. Failures and timeouts are logged.
 */
export async function closeWithin(
  close: () => unknown,
  timeoutMs: number,
  logger: EngineLogger,
  tag: Record<string, unknown>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(close), timedOut]);
    if (outcome === 'timeout') logger.warn({ ...tag, timeoutMs }, 'did not finish closing in time; moving on');
  } catch (err) {
    logger.error({ ...tag, err }, 'failed while closing');
  } finally {
    clearTimeout(timer);
  }
}

/** A NodeLogger writing to the engine's logger, every line tagged (node or resource id and type). */
export function taggedLogger(logger: EngineLogger, tag: Record<string, unknown>): NodeLogger {
  return {
    debug: (message, data) => logger.debug({ ...tag, ...data }, message),
    info: (message, data) => logger.info({ ...tag, ...data }, message),
    warn: (message, data) => logger.warn({ ...tag, ...data }, message),
    error: (message, data) => logger.error({ ...tag, ...data }, message),
  };
}
