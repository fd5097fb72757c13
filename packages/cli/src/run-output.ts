import type { DebugEvent, StatusEvent } from '@tagflow/runtime';

/** Writes a line for people on stderr. */
export function writeErr(line: string): void {
  process.stderr.write(`${line}\n`);
}

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

/** Prints `[avg] ok: 10 values` when a node's status changes; repeats of the same status are skipped. */
export function statusPrinter(): (event: StatusEvent) => void {
  const last = new Map<string, string>();
  return ({ nodeId, status }) => {
    const text = `${status.state}${status.text ? `: ${status.text}` : ''}${status.backlog ? ` (${status.backlog} waiting)` : ''}`;
    if (last.get(nodeId) === text) return;
    last.set(nodeId, text);
    writeErr(`[${nodeId}] ${text}`);
  };
}
