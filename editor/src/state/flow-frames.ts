/**
 * Which flow a live frame or a status answer is about. Frames `status`, `debug` and `node-error`
 * carry `flowId`; others (engine, deploy, log) are about the whole runtime, as are all frames of a
 * runtime that runs one flow.
 */
export function frameFlowId(frame: { readonly [key: string]: unknown }): string | undefined {
  return typeof frame.flowId === 'string' && frame.flowId !== '' ? frame.flowId : undefined;
}

/**
 * True when a GET /api/status answer describes `flowId`'s nodes: a runtime asked for a flow it does
 * not hold (not deployed yet) may answer with its first flow, whose nodes must not show on this tab.
 */
export function statusIsFor(status: { flow: { id: string } | null }, flowId: string): boolean {
  return status.flow?.id === flowId;
}
