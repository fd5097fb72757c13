import type { AdminApi } from '../../api/client';
import type { HistorySource } from '../../state';
import { TrendChart } from './TrendChart';
import { useLive } from './use-live';

/**
 * "Show live trend" for a node (or a wire: its source and port), offered once the runtime has sent
 * samples of what the node sends; otherwise a line saying plainly why there is no trend yet.
 */
export function TrendToggle({
  nodeId,
  port,
  outputs,
  flow,
  flowId,
  api,
  open,
  onTrend,
}: {
  nodeId: string;
  port?: string;
  /** The node's output ports (none: a publisher, whose trend is what it receives). */
  outputs: readonly string[];
  flow: HistorySource;
  flowId?: string;
  api: AdminApi;
  open: boolean;
  onTrend(nodeId: string | null): void;
}) {
  const live = useLive();
  const fromInputs = outputs.length === 0;
  const available = live.trendPorts(nodeId, fromInputs).some((p) => port === undefined || p.port === port);
  if (!available && !open)
    return (
      <p className="hint" data-testid="trend-unavailable">
        {whyNoTrend(live.connection, live.isRunning(nodeId), outputs.length > 0)}
      </p>
    );
  return (
    <>
      <button type="button" data-testid="trend-open" onClick={() => onTrend(open ? null : nodeId)} aria-pressed={open}>
        {open ? 'Hide trend' : 'Show live trend'}
      </button>
      {open && (
        <TrendChart
          nodeId={nodeId}
          port={port}
          fromInputs={fromInputs}
          flow={flow}
          flowId={flowId}
          api={api}
          onClose={() => onTrend(null)}
        />
      )}
    </>
  );
}

/** Why a node has no trend, in plain words. */
export function whyNoTrend(connection: string, running: boolean | undefined, hasOutputs: boolean): string {
  if (connection !== 'open') return 'No live trend: the editor is not connected to the runtime right now.';
  if (running === false) return 'No live trend: this node is not in the running flow yet. Deploy to see what it sends.';
  if (!hasOutputs) return 'No live trend: nothing has reached this node since the editor connected.';
  return 'No live trend yet: this node has sent nothing since the editor connected. A trend appears as soon as it sends values.';
}
