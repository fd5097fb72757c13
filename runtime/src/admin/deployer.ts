import { checkFlowLimits, deepEqual, findVariableRefs, resolveFlowVariables } from '@tagflow/flow-model';
import type { Flow, FlowIssue } from '@tagflow/flow-model';
import type { EngineApi } from '../supervisor/engine-contract';
import type { EngineLogger, NodeErrorEvent, StatusEvent } from '../engine/types';
import { deployErrors } from '../error-codes';
import type { NodeRegistry } from '../registry/node-registry';
import type {
  AuditEvent,
  AuditLogApi,
  FlowStoreApi,
  FlowVersion,
  SecretStoreApi,
  VariableStoreApi,
} from '../store/types';
import type { DeployerApi, DeployOutcome } from './deployer-types';
import { boundSecrets, flowSecretProblems } from './secret-bindings';

/** Watches a new flow's health from before its deploy until its window ends. */
interface HealthWatch {
  /** The first failure seen since the watch began, or in the next `ms`; undefined when healthy. */
  verdict(ms: number): Promise<string | undefined>;
  stop(): void;
}

/** What a deployer works with, injected. */
export interface DeployerDeps {
  /** The engine in this process, or the supervisor of an engine process. */
  engine: EngineApi;
  flows: FlowStoreApi;
  audit: AuditLogApi;
  logger: EngineLogger;
  /**
   * The node types and secret store to check secret bindings with, here in the admin process
   * before a flow reaches the engine: a flow that would send a bound secret elsewhere is refused.
   * Without it, bindings are not checked (an embedding without a secret store).
   */
  secretBindings?: { registry: NodeRegistry; secrets: Pick<SecretStoreApi, 'list'> };
  /**
   * The runtime's variables: each deploy, rollback and restore resolves the flow's `${NAME}` with
   * their values of that moment (the stored version keeps the text), and the secret bindings are
   * checked on the resolved flow, so a variable cannot send a bound secret elsewhere. Without it,
   * the engine resolves with its own variables.
   */
  variables?: Pick<VariableStoreApi, 'all'>;
  /**
   * The id of the flow this deployer deploys, when it deploys one of several: an older version
   * saved under another id (before a data dir held several flows) is rolled back to under this one.
   */
  flowId?: string;
  /** How long a deploy waits for the resources of nodes that require them (default 10 s). */
  resourceWaitMs?: number;
  /** Called when a deployed version passed its health window (safe boot counts it as healthy). */
  onHealthy?(version: FlowVersion): void | Promise<void>;
  /**
   * Called when a deploy replaced a version that was running (not one ended or refused): it ran
   * until a person chose to replace it, so safe boot may restore it after the new one fails.
   */
  onReplaced?(previous: FlowVersion): void | Promise<void>;
}

/**
 * Deploys with versions, revision checks and health-gated rollback. One deploy or rollback at a
 * time, health window included, so that a rollback always restores the version that ran before.
 */
export class Deployer implements DeployerApi {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DeployerDeps) {}

  deploy(flow: unknown, options: { by: string; expectedVersion?: number; healthMs?: number }): Promise<DeployOutcome> {
    return this.serial(() => this.applyDeploy(flow, options));
  }

  /**
   * Runs `work` alone, between deploys and rollbacks (health windows included): for the
   * supervisor's recovery, which restores versions as the health gate does.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.serial(work);
  }

  rollback(options: { by: string; toVersion?: number; expectedVersion?: number }): Promise<DeployOutcome> {
    return this.serial(async () => {
      const { flows } = this.deps;
      const current = flows.current();
      const conflict = this.conflict(options.expectedVersion);
      if (conflict) return conflict;
      const versions = flows.list();
      const target =
        options.toVersion ?? versions[versions.findIndex((v) => v.version === current?.version.version) - 1]?.version;
      const stored = target === undefined ? undefined : await flows.get(target);
      const flow = stored && this.deps.flowId !== undefined ? underId(this.deps.flowId, stored) : stored;
      if (target === undefined || flow === undefined) {
        const reason =
          target === undefined ? 'there is no earlier version to roll back to' : `there is no version ${target}`;
        return { status: 'rejected', errors: [{ code: deployErrors.code.NO_SUCH_VERSION, message: reason, path: '' }] };
      }
      const variables = this.deps.variables?.all();
      const refused = await this.refuseSecretLeaks(flow, variables, options.by, `rollback to version ${target}`);
      if (refused) return refused;
      const result = await this.deps.engine.deploy(flow, variables ? { variables } : {});
      if (!result.ok) {
        await this.record({
          type: 'deploy-rejected',
          actor: options.by,
          detail: `rollback to version ${target} refused: ${result.errors.length} errors`,
          data: { target },
        });
        return { status: 'rejected', errors: result.errors };
      }
      const version = await flows.save(flow, options.by, `rollback to version ${target}`);
      this.deps.logger.info(
        { flowId: version.flowId, version: version.version, target, by: options.by },
        `rolled back flow "${version.flowId}" to version ${target} (now version ${version.version}) by ${options.by}`,
      );
      await this.record({
        type: 'rollback',
        actor: options.by,
        detail: `rolled back to version ${target} as version ${version.version}`,
        data: { target, version: version.version, hash: version.hash },
      });
      return { status: 'deployed', version, warnings: result.warnings };
    });
  }

  private async applyDeploy(
    flow: unknown,
    options: { by: string; expectedVersion?: number; healthMs?: number },
  ): Promise<DeployOutcome> {
    const { engine, flows } = this.deps;
    const conflict = this.conflict(options.expectedVersion);
    if (conflict) return conflict;
    // Limits first: deepEqual below, and the engine's copies and checks, recurse into the input.
    const overLimits = checkFlowLimits(flow);
    if (overLimits.length > 0) return { status: 'rejected', errors: overLimits };
    const previous = flows.current();
    const previousRan = previous !== undefined && engine.currentFlow !== undefined;
    // The same file with other variable values is a change: that is how a new value is applied.
    if (previous && deepEqual(previous.flow, flow) && engine.currentFlow !== undefined && !this.variablesChanged(flow))
      return { status: 'unchanged', version: previous.version };

    // Listening before the deploy: a node that fails the moment it starts must count too.
    const health = options.healthMs ? this.watchHealth() : undefined;
    try {
      return await this.deployWatched(flow, options, previous, health, previousRan);
    } finally {
      health?.stop();
    }
  }

  private async deployWatched(
    flow: unknown,
    options: { by: string; healthMs?: number },
    previous: { version: FlowVersion; flow: Flow } | undefined,
    health: HealthWatch | undefined,
    previousRan = false,
  ): Promise<DeployOutcome> {
    const { engine, flows, logger } = this.deps;
    const variables = this.deps.variables?.all();
    const refused = await this.refuseSecretLeaks(flow, variables, options.by, 'deploy');
    if (refused) return refused;
    const result = await engine.deploy(flow, variables ? { variables } : {});
    if (!result.ok) {
      logger.info(
        { by: options.by, errors: result.errors.length },
        `deploy by ${options.by} refused (${result.errors.length} error${result.errors.length === 1 ? '' : 's'}); the running flow is unchanged`,
      );
      await this.record({
        type: 'deploy-rejected',
        actor: options.by,
        detail: `deploy refused: ${result.errors.length} errors, the running flow is unchanged`,
        data: { errors: result.errors.map((e) => e.message).slice(0, 20) },
      });
      return { status: 'rejected', errors: result.errors };
    }
    const unreachable = await this.unreachableResources(flow as Flow);
    if (unreachable.length > 0) {
      // The old flow comes back before anyone relies on the new one: the deploy is refused whole.
      await this.restore(previous);
      logger.warn(
        { by: options.by, resources: unreachable.map((e) => e.resourceId) },
        `deploy by ${options.by} refused: ${unreachable.map((e) => e.message).join('; ')}`,
      );
      await this.record({
        type: 'deploy-rejected',
        actor: options.by,
        detail: `deploy refused: ${unreachable.map((e) => e.message).join('; ')}`,
      });
      return { status: 'rejected', errors: unreachable };
    }
    const version = await flows.save(flow as Flow, options.by);
    if (previousRan && previous) await this.deps.onReplaced?.(previous.version);
    logger.info(
      {
        flowId: version.flowId,
        version: version.version,
        by: options.by,
        added: result.added,
        changed: result.changed,
        removed: result.removed,
      },
      `deployed flow "${version.flowId}" as version ${version.version} by ${options.by}`,
    );
    await this.record({
      type: 'deploy',
      actor: options.by,
      detail: `deployed flow "${version.flowId}" as version ${version.version}`,
      data: { version: version.version, hash: version.hash },
    });
    if (!health || !options.healthMs) return { status: 'deployed', version, warnings: result.warnings };

    const failure = await health.verdict(options.healthMs);
    if (failure === undefined) {
      await this.deps.onHealthy?.(version);
      return { status: 'deployed', version, warnings: result.warnings };
    }
    logger.warn(
      { version: version.version, reason: failure },
      'the new flow failed in its health window; restoring the previous version',
    );
    const restored =
      (await this.restore(previous)) && previous
        ? await flows.save(previous.flow, 'health check', `rollback to version ${previous.version.version}: ${failure}`)
        : undefined;
    await this.record({
      type: 'rollback',
      actor: 'health check',
      detail: `version ${version.version} failed in its health window (${failure}); ${restored ? `version ${previous?.version.version} restored as version ${restored.version}` : 'no earlier version: the flow was stopped'}`,
      data: { failedVersion: version.version, restored: restored?.version },
    });
    return { status: 'rolled-back', failedVersion: version, restored, reason: failure };
  }

  /** The refusal of a flow that would send a bound secret where it may not go (logged and audited), if it would. */
  private async refuseSecretLeaks(
    flow: unknown,
    variables: Readonly<Record<string, string>> | undefined,
    by: string,
    what: string,
  ): Promise<DeployOutcome | undefined> {
    const check = this.deps.secretBindings;
    // Checked on the flow as it will run: `url: mqtt://${HOST}` goes where HOST says. A flow whose
    // variables do not resolve is refused by the engine, in the words validate uses.
    const resolved = check && variables ? resolveFlowVariables(flow, check.registry.catalog(), variables) : undefined;
    const runs = resolved && resolved.errors.length === 0 ? resolved.flow : flow;
    const errors = check ? flowSecretProblems(runs, check.registry, boundSecrets(check.secrets)) : [];
    if (errors.length === 0) return undefined;
    const reason = `${what} by ${by} refused: ${errors.map((e) => e.message).join('; ')}`;
    this.deps.logger.warn({ by, errors: errors.length }, `${reason}; the running flow is unchanged`);
    await this.record({
      type: 'deploy-rejected',
      actor: by,
      detail: `${what} refused: ${errors.length} secret binding${errors.length === 1 ? '' : 's'} broken, the running flow is unchanged`,
      data: { errors: errors.map((e) => e.message).slice(0, 20) },
    });
    return { status: 'rejected', errors };
  }

  /** True when a variable `flow` uses has another value now than the running flow was deployed with. */
  private variablesChanged(flow: unknown): boolean {
    const now = this.deps.variables?.all();
    const then = this.deps.engine.deployedVariables?.();
    if (!now || !then) return false;
    return findVariableRefs(flow).some(({ name }) => now[name] !== then[name]);
  }

  /** Records the first node error, or node in state error, from now until `stop`. */
  private watchHealth(): HealthWatch {
    const { engine } = this.deps;
    let failure: string | undefined;
    let settle: ((reason: string | undefined) => void) | undefined;
    const fail = (reason: string) => {
      failure ??= reason;
      settle?.(failure);
    };
    const onError = (e: NodeErrorEvent) => fail(`node "${e.nodeId}" failed: ${e.message}`);
    const onStatus = (e: StatusEvent) => {
      if (e.status.state === 'error') fail(`node "${e.nodeId}" is in error: ${e.status.text ?? ''}`.trim());
    };
    engine.on('node-error', onError);
    engine.on('status', onStatus);
    // An engine ended in the window (stuck, out of memory, crashed) fails it like a node error.
    const stopEnded = engine.onEnded?.((end) => fail(`the engine was ended: ${end.reason}`));
    return {
      verdict: (ms) => {
        const failing = Object.entries(engine.statuses()).find(([, st]) => st.state === 'error');
        if (failing) fail(`node "${failing[0]}" is in error: ${failing[1].text ?? ''}`.trim());
        if (failure !== undefined) return Promise.resolve(failure);
        return new Promise((resolve) => {
          const timer = setTimeout(() => resolve(undefined), ms);
          settle = (reason) => {
            clearTimeout(timer);
            resolve(reason);
          };
        });
      },
      stop: () => {
        engine.off('node-error', onError);
        engine.off('status', onStatus);
        stopEnded?.();
      },
    };
  }

  /** Resources that nodes of the new flow require at deploy and that did not connect in time, as issues. */
  private async unreachableResources(flow: Flow): Promise<FlowIssue[]> {
    const missing = await this.deps.engine.unreachableRequiredResources(this.deps.resourceWaitMs ?? 10_000);
    return missing.map((m) => ({
      code: deployErrors.code.RESOURCE_UNREACHABLE,
      path: `/resources/${(flow.resources ?? []).findIndex((r) => r.id === m.resourceId)}`,
      resourceId: m.resourceId,
      nodeId: m.nodeIds[0],
      message: `resource "${m.resourceId}" (${m.type}), which node${m.nodeIds.length === 1 ? '' : 's'} ${m.nodeIds.map((id) => `"${id}"`).join(', ')} cannot work without, is not reachable: ${m.reason}`,
    }));
  }

  /** Runs the previous version again (true when it runs), or no flow when there was none. */
  private async restore(previous: { version: FlowVersion; flow: Flow } | undefined): Promise<boolean> {
    const { engine, logger } = this.deps;
    if (!previous) {
      await engine.stop();
      return false;
    }
    const variables = this.deps.variables?.all();
    const back = await engine.deploy(previous.flow, variables ? { variables } : {});
    if (!back.ok) logger.error({ errors: back.errors }, 'the previous flow could not be restored');
    return back.ok;
  }

  /** Appends to the audit log; with several flows, each entry names its flow (in the detail and `data.flowId`). */
  private record(event: Omit<AuditEvent, 'time'>): Promise<void> {
    const id = this.deps.flowId;
    if (id === undefined) return this.deps.audit.append(event);
    const detail = event.detail.includes(`flow "${id}"`) ? event.detail : `flow "${id}": ${event.detail}`;
    return this.deps.audit.append({ ...event, detail, data: { flowId: id, ...event.data } });
  }

  private conflict(expected: number | undefined): DeployOutcome | undefined {
    const current = this.deps.flows.current()?.version.version ?? 0;
    return expected !== undefined && expected !== current ? { status: 'conflict', current } : undefined;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** `flow` under id `id`: a version stored under another id runs as this flow's. */
export function underId(id: string, flow: Flow): Flow {
  return flow.id === id ? flow : { ...flow, id };
}
