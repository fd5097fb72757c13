import type { Flow } from '@tagflow/flow-model';
import type { EngineLogger } from '../engine/types';
import type { AuditLogApi, FlowStoreApi, FlowVersion } from '../store/types';
import type { BootRecord } from './boot-record';
import type { EngineEnd } from './engine-contract';
import type { EngineSupervisor } from './engine-supervisor';

/** A flow runs this long without being ended: it is healthy, and may be restored later. */
export const HEALTHY_AFTER_MS = 60_000;
/** Ends in a row within the first minute that a flow is allowed before the one before it is restored. */
export const MAX_YOUNG_ENDS = 2;

/** Why no flow runs after `tagflow start --safe`. */
export const SAFE_START_REASON = 'started with --safe: no flow runs until a deploy or rollback through the API';

/** What recovery works with, injected. */
export interface EngineRecoveryDeps {
  supervisor: EngineSupervisor;
  flows: FlowStoreApi;
  audit: AuditLogApi;
  record: BootRecord;
  logger: EngineLogger;
  /** Runs `work` alone: no deploy or rollback in between (the deployer's queue). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  healthyAfterMs?: number;
}

/** A frame for WebSocket clients (the event hub's broadcast). */
export type RecoveryFrame = { type: 'engine-ended' | 'engine-restored' | 'safe-mode'; [field: string]: unknown };

/**
 * What runs after the engine is ended or crashes, and at start: safe boot. A flow that ran
 * healthily (a minute, or a deploy's health window) is started again, unless it ended young more
 * than twice in a row; any other flow is replaced by the newest healthy version, saved as a new
 * version with the reason in its note, like the health gate does. With no healthy version to go
 * back to, no flow runs: safe mode, until a deploy or rollback.
 */
export class EngineRecovery {
  /** Where recovery events go (the WebSocket hub); set once the admin server listens. */
  broadcast: (frame: RecoveryFrame) => void = () => undefined;
  private readonly healthyAfterMs: number;
  private healthyTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: EngineRecoveryDeps) {
    this.healthyAfterMs = deps.healthyAfterMs ?? HEALTHY_AFTER_MS;
    deps.supervisor.onEnded((end) => this.ended(end));
    deps.supervisor.onRunning((run) => this.running(run));
  }

  /**
   * Starts what should run at start-up: nothing with `safe`; the current version unless it ended
   * young too often (counting a previous runtime that died without a clean stop); else the newest
   * healthy version, or safe mode. Returns false when there is no flow in the data dir yet.
   */
  boot(options: { safe: boolean }): Promise<boolean> {
    // First in the deployer's queue: a deploy that comes while the engine process starts waits for the boot.
    return this.deps.exclusive(async () => {
      const { record, flows, logger, supervisor } = this.deps;
      await supervisor.start();
      if (record.problem) logger.warn({}, record.problem);
      const last = record.read().run;
      if (last && !last.healthy) {
        // A deploy records its run before the version is saved: the version is looked up now.
        const version = this.versionOf(last.hash)?.version ?? last.version;
        const end: EngineEnd = {
          at: new Date().toISOString(),
          kind: 'unclean-stop',
          reason: `the runtime ended without a clean stop within a minute of starting flow version ${version ?? '?'} (power loss, kill or crash)`,
          flowHash: last.hash,
          ...(version !== undefined ? { version } : {}),
        };
        supervisor.recordEnd(end);
        const inRow = await record.recordEnd(end, true);
        await this.auditEnd(end, `${inRow} in a row`);
      } else if (last) await record.runEnded();

      if (options.safe) {
        this.safeMode(SAFE_START_REASON, true);
        return true;
      }
      const current = flows.current();
      if (!current) return false;
      const { hash, version } = current.version;
      const inRow = record.quickEnds(hash);
      if (inRow > MAX_YOUNG_ENDS) {
        await record.forgetHealthy(hash);
        await this.restoreHealthy(hash, `version ${version} ended ${inRow} times in a row within a minute of starting`);
        return true;
      }
      const result = await supervisor.deploy(current.flow);
      if (result.ok)
        logger.info(
          { flowId: result.flowId, version },
          `running flow "${result.flowId}" version ${version} from the data dir`,
        );
      else {
        for (const e of result.errors) logger.error({ path: e.path, code: e.code }, e.message);
        logger.error(
          { version },
          `the stored flow version ${version} cannot start here (${result.errors.length} errors); deploy a flow through the admin API`,
        );
      }
      return true;
    });
  }

  /** A deploy's health window passed: the flow is healthy. */
  async healthPassed(version: FlowVersion): Promise<void> {
    await this.deps.record.markHealthy(version.hash);
  }

  /** The runtime stops cleanly: nothing to count at the next start. */
  async stopped(): Promise<void> {
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    await this.deps.record.runEnded();
  }

  private running(run: { hash: string; startedAt: number } | undefined): void {
    const { record, supervisor, logger } = this.deps;
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    if (!run) {
      void record.runEnded().catch((err: unknown) => logger.error({ err }, 'could not update the boot record'));
      return;
    }
    const version = this.versionOf(run.hash)?.version;
    void record
      .runStarted({ hash: run.hash, startedAt: new Date(run.startedAt).toISOString(), ...(version ? { version } : {}) })
      .catch((err: unknown) => logger.error({ err }, 'could not update the boot record'));
    this.healthyTimer = setTimeout(() => {
      const now = supervisor.running();
      if (now?.hash !== run.hash || now.startedAt !== run.startedAt) return;
      void record
        .markHealthy(run.hash)
        .catch((err: unknown) => logger.error({ err }, 'could not update the boot record'));
    }, this.healthyAfterMs);
    this.healthyTimer.unref();
  }

  private ended(end: EngineEnd): void {
    const young = end.uptimeMs === undefined || end.uptimeMs < this.healthyAfterMs;
    this.deps
      .exclusive(() => this.afterEnd(end, young))
      .catch((err: unknown) =>
        this.deps.logger.error({ err }, `recovery after the engine ended failed: ${(err as Error).message}`),
      );
  }

  private async afterEnd(end: EngineEnd, young: boolean): Promise<void> {
    const { record, supervisor, flows, logger } = this.deps;
    // Looked up now, in the deployer's queue: a deploy that was under way when the engine ended
    // has saved its version by then.
    const version = end.flowHash ? this.versionOf(end.flowHash)?.version : undefined;
    if (version !== undefined) end.version = version;
    this.broadcast({ type: 'engine-ended', ...end });
    const inRow = await record.recordEnd(end, young);
    const hash = end.flowHash;
    // A deploy or the health gate already put a flow on the fresh engine: that one stays.
    if (supervisor.currentFlow !== undefined || !hash) {
      await this.auditEnd(end, supervisor.currentFlow ? 'a newer deploy runs now' : 'no flow was running');
      return;
    }
    const healthy = record.isHealthy(hash);
    if (healthy && inRow <= MAX_YOUNG_ENDS) {
      const version = this.versionOf(hash);
      const flow = version ? await flows.get(version.version) : undefined;
      if (version && flow) {
        const result = await supervisor.deploy(flow);
        if (result.ok) {
          await this.auditEnd(end, `version ${version.version}, which had run healthily, was started again`);
          logger.warn(
            { version: version.version },
            `flow version ${version.version} started again after the engine ended`,
          );
          this.broadcast({ type: 'engine-restored', version: version.version, restarted: true, reason: end.reason });
          return;
        }
      }
    }
    if (healthy) await record.forgetHealthy(hash);
    const outcome = await this.restoreHealthy(hash, describeEnd(end));
    await this.auditEnd(end, outcome);
  }

  /** Runs the newest healthy version other than `exclude`, saved as a new version; else safe mode. Says which. */
  private async restoreHealthy(exclude: string, reason: string): Promise<string> {
    const { record, supervisor, flows, audit, logger } = this.deps;
    const candidates = flows
      .list()
      .reverse()
      .filter((v) => v.hash !== exclude && record.isHealthy(v.hash) && record.quickEnds(v.hash) <= MAX_YOUNG_ENDS);
    for (const target of candidates) {
      const flow: Flow | undefined = await flows.get(target.version);
      if (!flow) continue;
      const result = await supervisor.deploy(flow);
      if (!result.ok) {
        logger.error({ version: target.version }, `healthy version ${target.version} could not be restored`);
        continue;
      }
      const failed = flows.current()?.version.version;
      const saved = await flows.save(flow, 'watchdog', `rollback to version ${target.version}: ${reason}`);
      logger.warn(
        { restored: target.version, version: saved.version, failedVersion: failed },
        `restored flow version ${target.version} as version ${saved.version}: ${reason}`,
      );
      await audit.append({
        type: 'rollback',
        actor: 'watchdog',
        detail: `version ${failed ?? '?'} was ended (${reason}); version ${target.version} restored as version ${saved.version}`,
        data: { failedVersion: failed, target: target.version, version: saved.version, hash: saved.hash },
      });
      this.broadcast({
        type: 'engine-restored',
        version: saved.version,
        restored: target.version,
        failedVersion: failed,
        reason,
      });
      return `version ${target.version} restored as version ${saved.version}`;
    }
    await supervisor.stop();
    this.safeMode(`${reason}; no version ran healthily before it, so no flow runs`);
    return 'safe mode: no version ran healthily before it';
  }

  private safeMode(reason: string, asked = false): void {
    const { supervisor, logger, audit } = this.deps;
    supervisor.enterSafeMode(reason);
    const message = `safe mode: ${reason}. Deploy a flow or roll back through the API to leave it.`;
    if (asked) logger.warn({}, message);
    else logger.error({}, message);
    void audit
      .append({
        type: 'engine-ended',
        actor: asked ? 'cli' : 'watchdog',
        detail: `safe mode: ${reason}`,
        data: { safeMode: true },
      })
      .catch((err: unknown) => logger.error({ err }, 'could not write the audit log'));
    this.broadcast({ type: 'safe-mode', reason });
  }

  private async auditEnd(end: EngineEnd, outcome: string): Promise<void> {
    await this.deps.audit.append({
      type: 'engine-ended',
      actor: 'watchdog',
      detail: `${describeEnd(end)}; ${outcome}`,
      data: { ...end },
    });
  }

  /** The newest version of the flow with this hash. */
  private versionOf(hash: string): FlowVersion | undefined {
    return this.deps.flows
      .list()
      .reverse()
      .find((v) => v.hash === hash);
  }
}

/** One line for the log, the audit and a version's note: what ended, why, and where. */
export function describeEnd(end: EngineEnd): string {
  const version = end.version !== undefined ? `version ${end.version}` : 'the engine';
  const node = end.nodeId ? ` while node "${end.nodeId}"${end.nodeType ? ` (${end.nodeType})` : ''} ran` : '';
  return `${version} was ended${node}: ${end.reason}`;
}
