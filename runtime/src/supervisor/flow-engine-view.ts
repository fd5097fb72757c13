import type { Flow } from '@tagflow/flow-model';
import type { NodeStatus } from '@tagflow/node-sdk';
import type { DeployOptions, DeployResult, EngineEvents } from '../engine/engine';
import type { NodeCounters } from '../engine/types';
import type {
  ContextScopeRef,
  ContextScopeView,
  ContextSummary,
  ContextWriteResult,
} from '../engine/flow-state-stores';
import type {
  EngineApi,
  EngineEnd,
  EngineProcessFigures,
  EngineStateInfo,
  HistoryQuery,
  ResourceInfo,
  TriggerOutcome,
  UnreachableResource,
} from './engine-contract';
import type { EngineSupervisor } from './engine-supervisor';

type Listener = (payload: never) => void;

/**
 * One flow's view of the engine process: what a deployer, the health gate and the admin API need
 * for that flow alone. Deploys and stops reach that flow only; figures and events are that flow's
 * (events of other flows are filtered out); the process's state and context are shared by all.
 */
export class FlowEngineView implements EngineApi {
  private readonly wrapped = new Map<Listener, Listener>();

  constructor(
    private readonly supervisor: EngineSupervisor,
    readonly flowId: string,
  ) {}

  get currentFlow(): Flow | undefined {
    return this.supervisor.runningFlow(this.flowId);
  }

  deploy(input: unknown, options?: DeployOptions): Promise<DeployResult> {
    return this.supervisor.deployFlow(this.flowId, input, options);
  }

  deployedVariables(): Readonly<Record<string, string>> | undefined {
    return this.supervisor.variablesOf(this.flowId);
  }

  stop(): Promise<void> {
    return this.supervisor.stopFlow(this.flowId);
  }

  stats(): Record<string, NodeCounters> {
    return this.supervisor.flowSnapshot(this.flowId).stats;
  }

  statuses(): Record<string, NodeStatus> {
    return this.supervisor.flowSnapshot(this.flowId).statuses;
  }

  unreachableRequiredResources(timeoutMs: number): Promise<UnreachableResource[]> {
    return this.supervisor.unreachableOf(this.flowId, timeoutMs);
  }

  resourceList(): ResourceInfo[] {
    return this.supervisor.flowSnapshot(this.flowId).resources;
  }

  queryHistory(resourceId: string, query: HistoryQuery): Promise<unknown[]> {
    return this.supervisor.queryHistoryOf(this.flowId, resourceId, query);
  }

  on<K extends keyof EngineEvents>(event: K, listener: (...args: EngineEvents[K]) => void): this {
    const own = (payload: EngineEvents[K][0]) => {
      if ((payload as { flowId?: string }).flowId === this.flowId) (listener as (p: unknown) => void)(payload);
    };
    this.wrapped.set(listener, own);
    this.supervisor.on(event, own as never);
    return this;
  }

  off<K extends keyof EngineEvents>(event: K, listener: (...args: EngineEvents[K]) => void): this {
    const own = this.wrapped.get(listener);
    if (own) {
      this.wrapped.delete(listener);
      this.supervisor.off(event, own as never);
    }
    return this;
  }

  state(): EngineStateInfo {
    return this.supervisor.state();
  }

  processFigures(): EngineProcessFigures | undefined {
    return this.supervisor.processFigures();
  }

  /** Ends this flow took part in: the ones it is blamed for, and those no flow could be blamed for. */
  onEnded(listener: (end: EngineEnd) => void): () => void {
    return this.supervisor.onEnded((end) => {
      const mine =
        end.flowId !== undefined ? end.flowId === this.flowId : (end.flows ?? []).some((f) => f.flowId === this.flowId);
      if (mine) listener(end);
    });
  }

  contextSummary(): Promise<ContextSummary> {
    return this.supervisor.contextSummary();
  }

  triggerNode(nodeId: string): Promise<TriggerOutcome> {
    return this.supervisor.triggerNodeOf(this.flowId, nodeId);
  }

  readContext(ref: ContextScopeRef): Promise<ContextScopeView> {
    return this.supervisor.readContext(ref);
  }

  writeContext(ref: ContextScopeRef, key: string, value: unknown): Promise<ContextWriteResult> {
    return this.supervisor.writeContext(ref, key, value);
  }
}
