import type { FlowHandle, FlowSummary } from './runtime-flows-types';

/** A flow as `GET /api/flows` lists it: its current version, its state and its nodes' totals. */
export function summarize(flow: FlowHandle, extra: { disabled?: boolean; failed?: string } = {}): FlowSummary {
  const current = flow.history.current();
  const running = flow.engine.currentFlow;
  const counters = { in: 0, out: 0, errors: 0, dropped: 0 };
  if (running)
    for (const c of Object.values(flow.engine.stats())) {
      counters.in += c.in;
      counters.out += c.out;
      counters.errors += c.errors;
      counters.dropped += c.dropped;
    }
  const state: FlowSummary['state'] = extra.disabled
    ? 'disabled'
    : running
      ? 'running'
      : extra.failed !== undefined
        ? 'failed'
        : 'stopped';
  const name = current?.flow.name;
  return {
    id: flow.id,
    ...(name !== undefined ? { name } : {}),
    state,
    version: current?.version.version ?? 0,
    ...(current
      ? { hash: current.version.hash, deployedAt: current.version.deployedAt, deployedBy: current.version.deployedBy }
      : {}),
    nodes: current?.flow.nodes.length ?? 0,
    counters,
    ...(state === 'failed' && extra.failed !== undefined ? { reason: extra.failed } : {}),
  };
}
