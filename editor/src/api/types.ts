import type { Flow } from '@tagflow/flow-model';
import type { FlowSummary } from './flows-types';

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
  /** Messages the node lost (set by the runtime, which also appends `· N dropped` to `text`). */
  dropped?: number;
  /** Ticks or polls the source skipped (set by the runtime, also in `text`). */
  skipped?: number;
}

/** Why and when the runtime ended its flow engine (runtime `EngineEnd`). */
export interface EngineEnd {
  /** ISO 8601. */
  at: string;
  /** Plain words from the runtime, e.g. `no heartbeat for 5000 ms (the engine was stuck)`. */
  reason: string;
  kind: 'watchdog' | 'memory' | 'crash' | 'stuck-at-deploy' | 'unclean-stop';
  nodeId?: string;
  nodeType?: string;
  /** The flow version that was running. */
  version?: number;
  uptimeMs?: number;
  flowHash?: string;
}

/** The flow engine's state (`engine` of GET /api/status; runtime `EngineStateInfo`). */
export interface EngineStateInfo {
  state: 'running' | 'starting' | 'restarting' | 'safe-mode' | 'stopped';
  pid?: number;
  flowVersion?: number;
  lastEnd?: EngineEnd;
  /** Set in safe mode: no flow runs until a deploy or rollback. `since` is ISO 8601. */
  safeMode?: { reason: string; since: string };
}

/** GET /api/status. */
export interface ApiStatus {
  flow: { id: string; version: number; hash: string } | null;
  /** Absent from a runtime older than the supervisor. */
  engine?: EngineStateInfo;
  nodes: Record<string, { status: NodeStatus | null; counters: Record<string, number> }>;
  uptimeSeconds: number;
  /** Every flow of the runtime (absent from a runtime that runs one flow). */
  flows?: FlowSummary[];
}
