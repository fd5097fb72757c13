import type { Flow } from '@tagflow/flow-model';
import type { NodeStatus } from '@tagflow/node-sdk';
import type { DeployOptions, DeployResult, EngineEvents } from '../engine/engine';
import type { NodeCounters } from '../engine/types';
import type { ResourceToolCall } from '../engine/resource-tools';
import type {
  ContextScopeRef,
  ContextScopeView,
  ContextSummary,
  ContextWriteResult,
} from '../engine/flow-state-stores';

/** A resource of the running flow, as the admin API lists it. */
export interface ResourceInfo {
  id: string;
  type: string;
  connected: boolean;
  /** True when its live connection answers history queries (a historian). */
  answersHistory?: boolean;
}

/** A resource that nodes need at deploy and that did not connect in time. */
export interface UnreachableResource {
  resourceId: string;
  type: string;
  nodeIds: string[];
  reason: string;
}

/** A history query, as `GET /api/history` asks it of a historian resource. */
export interface HistoryQuery {
  tags: string[];
  from: number;
  to: number;
  bucketMs?: number;
  limit?: number;
}

/**
 * What a press of a node's inject button did: sent (`ok`), or why not in plain words: the node
 * does not run (not deployed, disabled, or its flow stopped), or its type cannot be triggered.
 */
export type TriggerOutcome = { ok: true } | { ok: false; reason: 'not-running' | 'not-triggerable'; message: string };

/** Why and when an engine process was ended, and what it was doing. */
export interface EngineEnd {
  /** ISO 8601. */
  at: string;
  /** Plain words, e.g. `no heartbeat for 5000 ms (the engine was stuck)`. */
  reason: string;
  kind: 'watchdog' | 'memory' | 'crash' | 'stuck-at-deploy' | 'unclean-stop';
  /** The node running synchronously when it was ended, when the engine could tell. */
  nodeId?: string;
  nodeType?: string;
  /** The flow version it ran (undefined when none ran). */
  version?: number;
  /** How long the flow had run in that engine, in ms. */
  uptimeMs?: number;
  /** Hash of the flow it ran (or was being given by a deploy), as the flow store records it. */
  flowHash?: string;
  /** The flow to blame (whose node held the thread, or the one being deployed); absent when it cannot be told. */
  flowId?: string;
  /** Every flow the engine ran or was being given when it ended (all of them end with it). */
  flows?: Array<{ flowId: string; hash?: string; uptimeMs?: number; deploying?: boolean }>;
}

/** The engine's state as `/api/status` shows it (`engine`), and `tagflow status`, and the editor banner. */
/** What an engine process reports of itself with each heartbeat. */
export interface EngineProcessFigures {
  /** Resident memory of the engine process, bytes. */
  rss: number;
  /** V8 heap in use in the engine process, bytes. */
  heapUsed: number;
  /** How late its heartbeat timer fired, ms: the engine's event-loop lag. */
  lagMs: number;
}

export interface EngineStateInfo {
  state: 'running' | 'starting' | 'restarting' | 'safe-mode' | 'stopped';
  /** The engine process's id (absent for an engine inside the server's process). */
  pid?: number;
  /** The flow version the engine runs now. */
  flowVersion?: number;
  /** The last time an engine was ended or crashed. */
  lastEnd?: EngineEnd;
  /** Set in safe mode: why no flow runs. Leaving it: a deploy or rollback through the API. */
  safeMode?: { reason: string; since: string };
}

/**
 * What the admin server, the deployer and the package manager need of an engine: the in-process
 * `Engine` satisfies it, and so does the `EngineSupervisor`, which runs the engine in a child
 * process. Reads (`stats`, `statuses`, `resourceList`, `currentFlow`) are synchronous and never
 * wait on a child: a supervisor answers them from the latest figures the child pushed.
 */
export interface EngineApi {
  /** The running flow (validated and normalized), if any. */
  readonly currentFlow: Flow | undefined;
  /**
   * Resolves `input`'s `${NAME}` variables (with `options.variables`, else the engine's own),
   * validates it and makes it the running flow; a refused deploy leaves the running flow alone.
   */
  deploy(input: unknown, options?: DeployOptions): Promise<DeployResult>;
  /** The variables the running flow was deployed with; absent when the engine cannot tell. */
  deployedVariables?(): Readonly<Record<string, string>> | undefined;
  /** Stops the flow: sources first, queued messages drained (time-boxed), then the rest. */
  stop(): Promise<void>;
  stats(): Record<string, NodeCounters>;
  statuses(): Record<string, NodeStatus>;
  unreachableRequiredResources(timeoutMs: number): Promise<UnreachableResource[]>;
  resourceList(): ResourceInfo[];
  /**
   * Runs a resource tool (browse an OPC UA server, test-read Modbus registers) where node code runs:
   * the engine (process). Throws a `ToolError`, or an `EngineCallError` whose `remoteCode` is its code.
   */
  runResourceTool?(call: ResourceToolCall): Promise<unknown>;
  /** Runs a history query through a resource of the running flow; throws in plain words when it cannot. */
  queryHistory(resourceId: string, query: HistoryQuery): Promise<unknown[]>;
  on<K extends keyof EngineEvents>(event: K, listener: (...args: EngineEvents[K]) => void): unknown;
  off<K extends keyof EngineEvents>(event: K, listener: (...args: EngineEvents[K]) => void): unknown;
  /** The engine's own state (a supervisor has one: restarts, safe mode); absent for an in-process engine. */
  state?(): EngineStateInfo;
  /** The engine process's own figures from its last heartbeat (absent for an engine in the server's process). */
  processFigures?(): EngineProcessFigures | undefined;
  /** Calls `listener` whenever the engine is ended or crashes; returns the function that unsubscribes. */
  onEnded?(listener: (end: EngineEnd) => void): () => void;
  /** Makes a running node of a `manualTrigger` type send now (its `onTrigger`); absent for engines that cannot. */
  triggerNode?(nodeId: string): Promise<TriggerOutcome>;
  /** Every context scope the engine holds or keeps a file of (the admin API's `/api/context`). */
  contextSummary?(): Promise<ContextSummary>;
  /** One context scope with its values. */
  readContext?(ref: ContextScopeRef): Promise<ContextScopeView>;
  /** Sets a context key (`undefined` deletes it); refused writes answer `ok: false` with the reason. */
  writeContext?(ref: ContextScopeRef, key: string, value: unknown): Promise<ContextWriteResult>;
}

/** True when `value` can answer history queries (the historian's resource does): the runtime knows no node package by name. */
export function isHistoryReader(value: unknown): value is { query(query: HistoryQuery): Promise<unknown[]> } {
  return typeof value === 'object' && value !== null && typeof (value as { query?: unknown }).query === 'function';
}
