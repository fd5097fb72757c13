import type { EngineApi } from '../supervisor/engine-contract';
import type { FlowStoreApi } from '../store/types';
import type { DeployerApi } from './deployer-types';

/** One flow of the runtime: its engine view, its history and its deployer. */
export interface FlowHandle {
  readonly id: string;
  /** The engine as this flow sees it: its deploys, figures and events only. */
  readonly engine: EngineApi;
  readonly history: FlowStoreApi;
  readonly deployer: DeployerApi;
}

/** What the admin API lists of a flow (`GET /api/flows`). */
export interface FlowSummary {
  id: string;
  name?: string;
  /** `failed`: stopped by recovery with no healthy version to go back to; `stopped`: not running for another reason. */
  state: 'running' | 'disabled' | 'stopped' | 'failed';
  /** The current version (0 when none is stored). */
  version: number;
  hash?: string;
  deployedAt?: string;
  deployedBy?: string;
  /** Nodes of the current version. */
  nodes: number;
  /** Totals over the flow's running nodes. */
  counters: { in: number; out: number; errors: number; dropped: number };
  /** Why it failed or stopped, in plain words. */
  reason?: string;
}

/** The outcome of disabling, enabling or removing a flow. */
export type FlowChangeOutcome =
  | { status: 'done'; state: FlowSummary['state'] }
  | { status: 'not-found' }
  /** The revision given with If-Match is not the current one. */
  | { status: 'conflict'; current: number }
  /** This embedding holds one flow only (no multi-flow store). */
  | { status: 'unsupported'; reason: string }
  | { status: 'failed'; reason: string };

/**
 * The runtime's flows: any number, each known by its id with its own versions, revision, deploys,
 * health gate, rollback and audit entries. The admin API works through it.
 */
export interface RuntimeFlowsApi {
  /** Ids of the flows the runtime holds, in the order they were first deployed. */
  ids(): string[];
  /** One flow, or undefined when the runtime holds no flow of that id. */
  get(id: string): FlowHandle | undefined;
  /** One flow, made ready for its first deploy when new (it is listed from its first version). */
  open(id: string): Promise<FlowHandle>;
  /** Every flow as `GET /api/flows` lists it. */
  summaries(): FlowSummary[];
  /** Stops the flow and keeps it stopped across restarts, until enabled. */
  disable(id: string, by: string): Promise<FlowChangeOutcome>;
  /** Runs the flow's current version again. */
  enable(id: string, by: string): Promise<FlowChangeOutcome>;
  /** Stops the flow and removes it from the runtime (its history is kept aside in the data dir). */
  remove(id: string, by: string, expectedVersion?: number): Promise<FlowChangeOutcome>;
}
