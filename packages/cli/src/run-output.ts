import type { DebugEvent, EngineLogger, StatusEvent } from '@tagflow/runtime/engine';

/** Writes debug lines to stdout; `closed` aborts (with the error) when stdout can no longer be written. */
export function debugOutput(): { write: (event: DebugEvent) => void; closed: AbortSignal } {
  const controller = new AbortController();
  process.stdout.on('error', (err) => controller.abort(err));
  const write = (event: DebugEvent) => {
    if (!controller.signal.aborted) process.stdout.write(`${debugLine(event)}\n`);
  };
  return { write, closed: controller.signal };
}

/** One JSON line per debug value; values JSON cannot hold (BigInt, cycles) are shown as text. */
function debugLine(event: DebugEvent): string {
  const line = {
    time: new Date(event.time).toISOString(),
    node: event.nodeId,
    ...(event.name ? { name: event.name } : {}),
  };
  try {
    return JSON.stringify({ ...line, data: event.data }, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
  } catch (err) {
    return JSON.stringify({ ...line, data: `[not JSON: ${err instanceof Error ? err.message : String(err)}]` });
  }
}

/**
 * Logs a node's status when it changes, at level debug (`--log-level debug`): statuses change at
 * message rate, so they are not part of the default log; the admin API and the editor show them.
 * Repeats of the same status are skipped.
 */
export function statusLogger(log: EngineLogger): (event: StatusEvent) => void {
  const last = new Map<string, string>();
  return ({ nodeId, status }) => {
    if (!(log.isLevelEnabled?.('debug') ?? true)) return;
    const text = `${status.state}${status.text ? `: ${status.text}` : ''}${status.backlog ? ` (${status.backlog} waiting)` : ''}`;
    if (last.get(nodeId) === text) return;
    last.set(nodeId, text);
    log.debug({ node: nodeId }, `status ${text}`);
  };
}
