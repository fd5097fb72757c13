import type { Flow } from '@tagflow/flow-model';
import type { NodeStatus } from '@tagflow/node-sdk';
import type { DeployResult, EngineEvents } from '../engine/engine';
import type { NodeCounters } from '../engine/types';
import type { ContextLimits } from '../engine/flow-state-stores';
import type { LogLevel } from '../log/log-level';
import type { RpcReply, RpcRequest } from './engine-rpc';
import type { ResourceInfo } from './engine-contract';

/** What the engine process needs to build the same registry and engine as the runtime would. */
export interface HostConfig {
  /** Folders searched for node packages, highest priority first (as `tagflow start` resolved them). */
  searchDirs: string[];
  dataDir: string;
  /** The files folder flows read and write in (the engine's `filesDir`); default `<dataDir>/files`. */
  filesDir?: string;
  logLevel: LogLevel;
  /** Time a node or resource gets to close (the engine's close timeout). */
  closeTimeoutMs: number;
  /** How often the engine process says it is alive (ms). */
  heartbeatMs: number;
  /** How often counters, statuses and resources are pushed (ms; grows with the node count). */
  snapshotMs: number;
  /** Debug, status and error events are sent at least this often (ms), or when `eventBatch` are waiting. */
  eventFlushMs: number;
  eventBatch: number;
  /** Size limits of the context scopes (default DEFAULT_CONTEXT_LIMITS). */
  contextLimits?: Partial<ContextLimits>;
}

/** Figures of one flow the parent keeps so that reads never wait on the engine process. */
export interface FlowSnapshot {
  stats: Record<string, NodeCounters>;
  statuses: Record<string, NodeStatus>;
  resources: ResourceInfo[];
  /** Node ids in the engine's order: `activity[1]` indexes into it, from `slot * ACTIVITY_SLOT_SIZE`. */
  nodeIds: string[];
  slot: number;
}

/** Figures of every running flow, by flow id. */
export interface EngineSnapshot {
  flows: Record<string, FlowSnapshot>;
}

/** What a deploy or stop answers: the outcome, the flow now running (under that id) and fresh figures. */
export interface DeployAnswer {
  result: DeployResult;
  flow: Flow | null;
  snapshot: EngineSnapshot;
}

/** An engine event, in order, as batched to the parent. */
export type HostEvent = { [K in keyof EngineEvents]: [K, EngineEvents[K][0]] }[keyof EngineEvents];

/** Messages from the parent to the engine process. */
export type ToHost =
  | { t: 'init'; config: HostConfig }
  | { t: 'watch-debug'; on: boolean }
  /** Whether the engines sample what nodes send (`samples` events, one batch a second per flow). */
  | { t: 'watch-samples'; on: boolean }
  | RpcRequest;

/** Messages from the engine process to the parent. */
export type FromHost =
  | { t: 'ready'; pid: number }
  | { t: 'fatal'; message: string }
  | { t: 'hb'; rss: number; heapUsed: number; lagMs: number }
  /** With the counters as they were when the batch left, when due: a frame never runs ahead of /metrics. */
  | { t: 'events'; events: HostEvent[]; snapshot?: EngineSnapshot }
  | { t: 'snapshot'; snapshot: EngineSnapshot }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg?: string }
  | RpcReply;

/**
 * A line the engine process's monitor thread writes on its extra pipe: it runs while the engine's
 * own thread is stuck, so it is how the parent learns the busy node and the memory in use then.
 */
export interface MonitorReport {
  /** `activity[0]`: messages handled so far (a stuck engine's stays put). */
  progress: number;
  /** `activity[1]`: index of the node being run synchronously, -1 for none. */
  busy: number;
  rss: number;
}

/** The file descriptor of the monitor pipe in the engine process (after stdin, stdout, stderr, ipc). */
export const MONITOR_FD = 4;
