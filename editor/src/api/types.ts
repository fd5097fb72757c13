import type { Flow } from '@tagflow/flow-model';

/** A recorded flow version (GET /api/flow `version`). */
export interface FlowVersionInfo {
  version: number;
  flowId?: string;
  hash?: string;
  by?: string;
  at?: string;
  note?: string;
  [key: string]: unknown;
}

/** GET /api/flow, or `null` when nothing was deployed yet (the version to send is then 0). */
export interface RunningFlow {
  version: number;
  info: FlowVersionInfo | null;
  flow: Flow | null;
}

/** One deploy error (422 rejected). */
export interface DeployError {
  code?: string;
  nodeId?: string;
  path?: string;
  message: string;
}

/** What PUT /api/flow answered, in the editor's terms. */
export type DeployResult =
  | { status: 'deployed' | 'unchanged'; version: number; warnings?: unknown[] }
  | { status: 'rejected'; message: string; errors: DeployError[] }
  | { status: 'conflict'; message: string; current: number }
  | { status: 'rolled-back'; message: string; reason: string }
  | { status: 'failed'; message: string };

/** A node's status (node-sdk NodeStatus). */
export interface NodeStatus {
  state: 'ok' | 'idle' | 'connecting' | 'reconnecting' | 'disconnected' | 'error';
  text?: string;
  backlog?: number;
}

/** GET /api/status. */
export interface ApiStatus {
  flow: { id: string; version: number; hash: string } | null;
  nodes: Record<string, { status: NodeStatus | null; counters: Record<string, number> }>;
  uptimeSeconds: number;
}
