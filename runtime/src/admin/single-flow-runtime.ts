import type { EngineApi } from '../supervisor/engine-contract';
import type { FlowStoreApi } from '../store/types';
import type { DeployerApi } from './deployer-types';
import { summarize } from './flow-summary';
import type { FlowChangeOutcome, FlowHandle, FlowSummary, RuntimeFlowsApi } from './runtime-flows-types';

const ONE_FLOW =
  'this runtime holds one flow (an embedding with one engine and one flow history): a flow cannot be disabled or removed here';

/**
 * The flows of an embedding that has one engine, one history and one deployer (the engine in the
 * admin server's own process, as tests and small embeddings build it): one flow slot, whatever
 * id a deploy brings, as runtimes did before they held several flows.
 */
export class SingleFlowRuntime implements RuntimeFlowsApi {
  private readonly handle: FlowHandle;

  constructor(deps: { engine: EngineApi; flows: FlowStoreApi; deployer: DeployerApi }) {
    const { engine, flows, deployer } = deps;
    this.handle = {
      get id() {
        return flows.current()?.version.flowId ?? engine.currentFlow?.id ?? '';
      },
      engine,
      history: flows,
      deployer,
    };
  }

  ids(): string[] {
    // A flow deployed to the engine directly (without the deployer) counts as the one flow too.
    const id = this.handle.history.current()?.version.flowId ?? this.handle.engine.currentFlow?.id;
    return id === undefined ? [] : [id];
  }

  get(id: string): FlowHandle | undefined {
    return this.ids().includes(id) ? this.handle : undefined;
  }

  open(): Promise<FlowHandle> {
    return Promise.resolve(this.handle);
  }

  summaries(): FlowSummary[] {
    return this.ids().map(() => summarize(this.handle));
  }

  disable(): Promise<FlowChangeOutcome> {
    return Promise.resolve({ status: 'unsupported', reason: ONE_FLOW });
  }

  enable(): Promise<FlowChangeOutcome> {
    return Promise.resolve({ status: 'unsupported', reason: ONE_FLOW });
  }

  remove(): Promise<FlowChangeOutcome> {
    return Promise.resolve({ status: 'unsupported', reason: ONE_FLOW });
  }
}
