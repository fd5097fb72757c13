/** What the runtime does with a flow it holds (`state` of a flow summary). */
export type FlowRunState = 'running' | 'disabled' | 'stopped' | 'failed';

/** One flow of the runtime, as GET /api/flows and GET /api/status `flows` list it. */
export interface FlowSummary {
  id: string;
  name?: string;
  state: FlowRunState;
  /** The current version, 0 when none. */
  version: number;
  hash?: string;
  /** ISO 8601. */
  deployedAt?: string;
  deployedBy?: string;
  /** Number of nodes. */
  nodes?: number;
  counters?: { in: number; out: number; errors: number; dropped: number };
}
