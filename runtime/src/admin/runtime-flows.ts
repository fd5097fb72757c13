import type { EngineLogger } from '../engine/types';
import type { BootRecord } from '../supervisor/boot-record';
import { EngineRecovery } from '../supervisor/engine-recovery';
import type { RecoveryFrame } from '../supervisor/engine-recovery';
import type { EngineSupervisor } from '../supervisor/engine-supervisor';
import type { AuditLogApi, FlowStoreApi, FlowsStoreApi } from '../store/types';
import { Deployer } from './deployer';
import type { DeployerDeps } from './deployer';
import type { FlowChangeOutcome, FlowHandle, FlowSummary, RuntimeFlowsApi } from './runtime-flows-types';
import { summarize } from './flow-summary';

/** What the runtime's flows work with, injected. */
export interface RuntimeFlowsDeps extends Pick<DeployerDeps, 'secretBindings' | 'variables' | 'resourceWaitMs'> {
  store: FlowsStoreApi;
  supervisor: EngineSupervisor;
  audit: AuditLogApi;
  logger: EngineLogger;
  record: BootRecord;
  healthyAfterMs?: number;
}

interface Entry extends FlowHandle {
  readonly deployer: Deployer;
  readonly recovery: EngineRecovery;
}

/**
 * The flows of a runtime whose engine runs in its own process (`tagflow start`): one history,
 * deployer and recovery per flow over one engine process, so that a deploy, a rollback, a health
 * gate or a recovery of one flow never waits for, stops or rolls back another.
 */
export class RuntimeFlows implements RuntimeFlowsApi {
  private readonly entries = new Map<string, Entry>();
  private broadcastTo: (frame: RecoveryFrame) => void = () => undefined;

  private constructor(private readonly deps: RuntimeFlowsDeps) {}

  /** The runtime's flows, each with a deployer and a recovery, ready for `boot`. */
  static async open(deps: RuntimeFlowsDeps): Promise<RuntimeFlows> {
    const flows = new RuntimeFlows(deps);
    for (const id of deps.store.ids()) await flows.open(id);
    return flows;
  }

  /** Where recovery events go (the WebSocket hub), for every flow. */
  set broadcast(to: (frame: RecoveryFrame) => void) {
    this.broadcastTo = to;
    for (const entry of this.entries.values()) entry.recovery.broadcast = to;
  }

  ids(): string[] {
    return this.deps.store.ids();
  }

  get(id: string): FlowHandle | undefined {
    return this.deps.store.get(id) ? this.entries.get(id) : undefined;
  }

  async open(id: string): Promise<FlowHandle> {
    return this.entries.get(id) ?? this.create(id, await this.deps.store.open(id));
  }

  /**
   * Starts the engine process and what should run of each flow that is not disabled (safe boot,
   * per flow). Returns false when the runtime holds no flow yet.
   */
  async boot(options: { safe: boolean }): Promise<boolean> {
    await this.deps.supervisor.start();
    let any = false;
    for (const id of this.ids()) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      if (this.deps.store.disabled(id)) {
        any = true;
        this.deps.logger.info({ flowId: id }, `flow "${id}" is disabled: not started`);
        continue;
      }
      if (await entry.recovery.boot(options)) any = true;
    }
    return any;
  }

  /** The runtime stops cleanly: nothing to count at the next start. */
  async stopped(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.recovery.stopped()));
  }

  summaries(): FlowSummary[] {
    return this.ids().flatMap((id) => {
      const entry = this.entries.get(id);
      if (!entry) return [];
      return [
        summarize(entry, {
          disabled: this.deps.store.disabled(id),
          failed: entry.recovery.failed?.reason,
        }),
      ];
    });
  }

  async disable(id: string, by: string): Promise<FlowChangeOutcome> {
    const entry = this.get(id) as Entry | undefined;
    if (!entry) return { status: 'not-found' };
    return entry.deployer.exclusive(async () => {
      await this.deps.store.setDisabled(id, true);
      await entry.engine.stop();
      await entry.recovery.stopped();
      this.deps.logger.info({ flowId: id, by }, `flow "${id}" disabled by ${by}: stopped, and not started at boot`);
      await this.deps.audit.append({
        type: 'flow-disabled',
        actor: by,
        detail: `flow "${id}" disabled: stopped, and not started at boot`,
        data: { flowId: id },
      });
      return { status: 'done', state: 'disabled' };
    });
  }

  async enable(id: string, by: string): Promise<FlowChangeOutcome> {
    const entry = this.get(id) as Entry | undefined;
    if (!entry) return { status: 'not-found' };
    return entry.deployer.exclusive(async () => {
      const current = entry.history.current();
      if (!current) return { status: 'failed', reason: `flow "${id}" has no version to run` };
      await this.deps.store.setDisabled(id, false);
      const variables = this.deps.variables?.all();
      const result = await entry.engine.deploy(current.flow, variables ? { variables } : {});
      if (!result.ok) {
        const reason = `flow "${id}" version ${current.version.version} cannot start: ${result.errors.map((e) => e.message).join('; ')}`;
        this.deps.logger.error({ flowId: id }, reason);
        return { status: 'failed', reason };
      }
      this.deps.logger.info(
        { flowId: id, by },
        `flow "${id}" enabled by ${by}: version ${current.version.version} runs`,
      );
      await this.deps.audit.append({
        type: 'flow-enabled',
        actor: by,
        detail: `flow "${id}" enabled: version ${current.version.version} runs`,
        data: { flowId: id, version: current.version.version },
      });
      return { status: 'done', state: 'running' };
    });
  }

  async remove(id: string, by: string, expectedVersion?: number): Promise<FlowChangeOutcome> {
    const entry = this.get(id) as Entry | undefined;
    if (!entry) return { status: 'not-found' };
    return entry.deployer.exclusive(async () => {
      const current = entry.history.current()?.version.version ?? 0;
      if (expectedVersion !== undefined && expectedVersion !== current) return { status: 'conflict', current };
      await entry.engine.stop();
      await entry.recovery.stopped();
      entry.recovery.detach();
      await this.deps.store.remove(id);
      this.entries.delete(id);
      this.deps.logger.info({ flowId: id, by }, `flow "${id}" removed by ${by}; its history is kept in the data dir`);
      await this.deps.audit.append({
        type: 'flow-removed',
        actor: by,
        detail: `flow "${id}" (version ${current}) stopped and removed`,
        data: { flowId: id, version: current },
      });
      return { status: 'done', state: 'stopped' };
    });
  }

  private create(id: string, history: FlowStoreApi): Entry {
    const { deps } = this;
    const engine = deps.supervisor.flow(id);
    // The deployer tells recovery of passed health windows; recovery runs its work in the deployer's queue.
    const healthy: { passed(hash: Parameters<EngineRecovery['healthPassed']>[0]): Promise<void> | undefined } = {
      passed: () => undefined,
    };
    const deployer = new Deployer({
      flowId: id,
      engine,
      flows: history,
      audit: deps.audit,
      logger: deps.logger,
      ...(deps.secretBindings ? { secretBindings: deps.secretBindings } : {}),
      ...(deps.variables ? { variables: deps.variables } : {}),
      ...(deps.resourceWaitMs !== undefined ? { resourceWaitMs: deps.resourceWaitMs } : {}),
      onHealthy: (v) => healthy.passed(v),
      // A version that ran until someone replaced it is one recovery may go back to.
      onReplaced: (v) => healthy.passed(v),
    });
    const recovery = new EngineRecovery({
      supervisor: deps.supervisor,
      flowId: id,
      flows: history,
      audit: deps.audit,
      record: deps.record,
      logger: deps.logger,
      exclusive: (work) => deployer.exclusive(work),
      ...(deps.healthyAfterMs !== undefined ? { healthyAfterMs: deps.healthyAfterMs } : {}),
    });
    recovery.broadcast = this.broadcastTo;
    healthy.passed = (version) => recovery.healthPassed(version);
    const entry: Entry = { id, engine, history, deployer, recovery };
    this.entries.set(id, entry);
    return entry;
  }
}
