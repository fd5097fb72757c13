import type { Flow } from '@tagflow/flow-model';
import { underId } from '../admin/deployer';
import type { EngineLogger } from '../engine/types';
import type { AuditLogApi, FlowStoreApi, FlowVersion } from '../store/types';
import { LEGACY_RUN } from './boot-record';
import type { BootRecord, RunRecord } from './boot-record';
import type { EngineEnd } from './engine-contract';
import type { EngineSupervisor, RunChange } from './engine-supervisor';

/** A flow runs this long without being ended: it is healthy, and may be restored later. */
export const HEALTHY_AFTER_MS = 60_000;
/** Ends in a row within the first minute that a flow is allowed before the one before it is restored. */
export const MAX_YOUNG_ENDS = 2;

/** Why no flow runs after `tagflow start --safe`. */
export const SAFE_START_REASON = 'started with --safe: no flow runs until a deploy or rollback through the API';

/** What recovery works with, injected. */
export interface EngineRecoveryDeps {
  supervisor: EngineSupervisor;
  /** The flow this recovery looks after (default: the id of the history's current version). */
  flowId?: string;
  /** That flow's history. */
  flows: FlowStoreApi;
  audit: AuditLogApi;
  record: BootRecord;
  logger: EngineLogger;
  /** Runs `work` alone: no deploy or rollback of this flow in between (its deployer's queue). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  healthyAfterMs?: number;
}

/** A frame for WebSocket clients (the event hub's broadcast). */
export type RecoveryFrame = { type: 'engine-ended' | 'engine-restored' | 'safe-mode'; [field: string]: unknown };

/**
 * What runs of one flow after the engine is ended or crashes, and at start: safe boot. A flow that
 * ran healthily (a minute, or a deploy's health window) is started again, unless it ended young
 * more than twice in a row; any other flow is replaced by the newest healthy version, saved as a
 * new version with the reason in its note, like the health gate does. With no healthy version to
 * go back to, the flow stops (and with no flow running at all, the runtime shows safe mode) until
 * a deploy or rollback. A flow the end is not blamed on (another flow's node held the engine) is
 * started again at the version it ran: one flow's fault rolls back that flow only.
 */
export class EngineRecovery {
  /** Where recovery events go (the WebSocket hub); set once the admin server listens. */
  broadcast: (frame: RecoveryFrame) => void = () => undefined;
  /** Set when this flow was stopped because no healthy version of it was left: why, and since when. */
  failed: { reason: string; since: string } | undefined;
  private readonly healthyAfterMs: number;
  private healthyTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly deps: EngineRecoveryDeps) {
    this.healthyAfterMs = deps.healthyAfterMs ?? HEALTHY_AFTER_MS;
    this.unsubscribe = [
      deps.supervisor.onEnded((end) => this.ended(end)),
      deps.supervisor.onRunning((flowId, run) => {
        if (flowId === this.flowId) this.running(run);
      }),
    ];
  }

  /** The flow this recovery looks after. */
  get flowId(): string {
    return this.deps.flowId ?? this.deps.flows.current()?.version.flowId ?? '';
  }

  /** Stops listening to the engine (the flow was removed from the runtime). */
  detach(): void {
    for (const off of this.unsubscribe) off();
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
  }

  /**
   * Starts what should run of this flow at start-up: nothing with `safe`; the current version
   * unless it ended young too often (counting a previous runtime that died without a clean stop);
   * else the newest healthy version, or nothing. Returns false when the flow has no version yet.
   * The engine process must be started (`supervisor.start()`) before.
   */
  boot(options: { safe: boolean }): Promise<boolean> {
    // First in the deployer's queue: a deploy that comes while the engine process starts waits for the boot.
    return this.deps.exclusive(async () => {
      const { record, flows, logger, supervisor } = this.deps;
      await supervisor.start();
      if (record.problem) logger.warn({}, record.problem);
      const last = this.lastRun();
      if (last && !last.healthy) {
        // A deploy records its run before the version is saved: the version is looked up now.
        const version = this.versionOf(last.hash)?.version ?? last.version;
        const end: EngineEnd = {
          at: new Date().toISOString(),
          kind: 'unclean-stop',
          reason: `the runtime ended without a clean stop within a minute of starting flow version ${version ?? '?'} (power loss, kill or crash)`,
          flowHash: last.hash,
          flowId: this.flowId,
          ...(version !== undefined ? { version } : {}),
        };
        supervisor.recordEnd(end);
        const inRow = await record.recordEnd(end, this.flowId, last.hash, true);
        await this.auditEnd(end, `${inRow} in a row`);
      } else if (last) await record.runEnded(this.flowId);

      if (options.safe) {
        if (supervisor.state().safeMode === undefined) this.safeMode(SAFE_START_REASON, true);
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
      const result = await this.engine().deploy(current.flow);
      if (result.ok)
        logger.info(
          { flowId: result.flowId, version },
          `running flow "${result.flowId}" version ${version} from the data dir`,
        );
      else {
        for (const e of result.errors) logger.error({ path: e.path, code: e.code }, e.message);
        logger.error(
          { flowId: this.flowId, version },
          `the stored flow "${this.flowId}" version ${version} cannot start here (${result.errors.length} errors); deploy a flow through the admin API`,
        );
      }
      return true;
    });
  }

  /** A deploy's health window passed: the flow is healthy. */
  async healthPassed(version: FlowVersion): Promise<void> {
    this.failed = undefined;
    await this.deps.record.markHealthy(version.hash);
  }

  /** This flow stops cleanly (the runtime stops, or the flow is disabled): nothing to count at the next start. */
  async stopped(): Promise<void> {
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    await this.deps.record.runEnded(this.flowId);
  }

  private engine() {
    return this.deps.supervisor.flow(this.flowId);
  }

  /** The run of this flow the boot record holds (one a single-flow runtime wrote counts when its hash is this flow's). */
  private lastRun(): RunRecord | undefined {
    const runs = this.deps.record.read().runs;
    const own = runs[this.flowId];
    if (own) return own;
    const legacy = runs[LEGACY_RUN];
    return legacy && this.versionOf(legacy.hash) ? legacy : undefined;
  }

  private running(run: RunChange): void {
    const { record, supervisor, logger } = this.deps;
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    const flowId = this.flowId;
    if (!run) {
      void record.runEnded(flowId).catch((err: unknown) => logger.error({ err }, 'could not update the boot record'));
      return;
    }
    this.failed = undefined;
    const version = this.versionOf(run.hash)?.version;
    void record
      .runStarted(flowId, {
        hash: run.hash,
        startedAt: new Date(run.startedAt).toISOString(),
        ...(version ? { version } : {}),
      })
      .catch((err: unknown) => logger.error({ err }, 'could not update the boot record'));
    this.healthyTimer = setTimeout(() => {
      const now = supervisor.running(flowId);
      if (now?.hash !== run.hash || now.startedAt !== run.startedAt) return;
      void record
        .markHealthy(run.hash)
        .catch((err: unknown) => logger.error({ err }, 'could not update the boot record'));
    }, this.healthyAfterMs);
    this.healthyTimer.unref();
  }

  private ended(end: EngineEnd): void {
    const mine = (end.flows ?? []).find((f) => f.flowId === this.flowId);
    if (!mine) return;
    const work =
      end.flowId !== undefined && end.flowId !== this.flowId
        ? () => this.restartInnocent(end)
        : () => this.afterEnd(end, mine.hash, mine.uptimeMs === undefined || mine.uptimeMs < this.healthyAfterMs);
    this.deps
      .exclusive(work)
      .catch((err: unknown) =>
        this.deps.logger.error({ err }, `recovery after the engine ended failed: ${(err as Error).message}`),
      );
  }

  /** Another flow was blamed for the end: this one starts again at the version it ran. */
  private async restartInnocent(end: EngineEnd): Promise<void> {
    const { record, flows, logger } = this.deps;
    await record.runEnded(this.flowId);
    // A deploy of this flow that came meanwhile runs already.
    if (this.engine().currentFlow !== undefined) return;
    const current = flows.current();
    if (!current) return;
    const result = await this.engine().deploy(current.flow);
    if (!result.ok) {
      logger.error(
        { flowId: this.flowId, version: current.version.version },
        `flow "${this.flowId}" could not start again after flow "${end.flowId}" ended the engine`,
      );
      return;
    }
    logger.warn(
      { flowId: this.flowId, version: current.version.version, blamed: end.flowId },
      `flow "${this.flowId}" version ${current.version.version} started again: flow "${end.flowId}" ended the engine`,
    );
    this.broadcast({
      type: 'engine-restored',
      flowId: this.flowId,
      version: current.version.version,
      restarted: true,
      reason: `flow "${end.flowId}" ended the engine: ${end.reason}`,
    });
  }

  private async afterEnd(end: EngineEnd, hash: string | undefined, young: boolean): Promise<void> {
    const { record, flows, logger } = this.deps;
    // Looked up now, in the deployer's queue: a deploy that was under way when the engine ended
    // has saved its version by then.
    const version = hash ? this.versionOf(hash)?.version : undefined;
    // The end the runtime shows (`/api/status` lastEnd) names the version of the flow it blames.
    if (version !== undefined && (end.flowId ?? this.flowId) === this.flowId) end.version = version;
    const own: EngineEnd = { ...end, flowId: this.flowId, ...(version !== undefined ? { version } : {}) };
    if (hash) own.flowHash = hash;
    this.broadcast({ type: 'engine-ended', ...own });
    const inRow = await record.recordEnd(own, this.flowId, hash, young);
    // A deploy or the health gate already put this flow on the fresh engine: that one stays.
    if (this.engine().currentFlow !== undefined || !hash) {
      await this.auditEnd(own, this.engine().currentFlow ? 'a newer deploy runs now' : 'no flow was running');
      return;
    }
    const healthy = record.isHealthy(hash);
    if (healthy && inRow <= MAX_YOUNG_ENDS) {
      const listed = this.versionOf(hash);
      const stored = listed ? await flows.get(listed.version) : undefined;
      const flow = stored && underId(this.flowId, stored);
      if (listed && flow) {
        const result = await this.engine().deploy(flow);
        if (result.ok) {
          await this.auditEnd(own, `version ${listed.version}, which had run healthily, was started again`);
          logger.warn(
            { flowId: this.flowId, version: listed.version },
            `flow "${this.flowId}" version ${listed.version} started again after the engine ended`,
          );
          this.broadcast({
            type: 'engine-restored',
            flowId: this.flowId,
            version: listed.version,
            restarted: true,
            reason: end.reason,
          });
          return;
        }
      }
    }
    if (healthy) await record.forgetHealthy(hash);
    const outcome = await this.restoreHealthy(hash, describeEnd(own));
    await this.auditEnd(own, outcome);
  }

  /** Runs the newest healthy version other than `exclude`, saved as a new version; else stops the flow. Says which. */
  private async restoreHealthy(exclude: string, reason: string): Promise<string> {
    const { record, supervisor, flows, audit, logger } = this.deps;
    const candidates = flows
      .list()
      .reverse()
      .filter((v) => v.hash !== exclude && record.isHealthy(v.hash) && record.quickEnds(v.hash) <= MAX_YOUNG_ENDS);
    for (const target of candidates) {
      const stored: Flow | undefined = await flows.get(target.version);
      if (!stored) continue;
      const flow = underId(this.flowId, stored);
      const result = await this.engine().deploy(flow);
      if (!result.ok) {
        logger.error({ version: target.version }, `healthy version ${target.version} could not be restored`);
        continue;
      }
      const failed = flows.current()?.version.version;
      const saved = await flows.save(flow, 'watchdog', `rollback to version ${target.version}: ${reason}`);
      logger.warn(
        { flowId: this.flowId, restored: target.version, version: saved.version, failedVersion: failed },
        `restored flow "${this.flowId}" version ${target.version} as version ${saved.version}: ${reason}`,
      );
      await audit.append({
        type: 'rollback',
        actor: 'watchdog',
        detail: `flow "${this.flowId}" version ${failed ?? '?'} was ended (${reason}); version ${target.version} restored as version ${saved.version}`,
        data: {
          flowId: this.flowId,
          failedVersion: failed,
          target: target.version,
          version: saved.version,
          hash: saved.hash,
        },
      });
      this.broadcast({
        type: 'engine-restored',
        flowId: this.flowId,
        version: saved.version,
        restored: target.version,
        failedVersion: failed,
        reason,
      });
      return `version ${target.version} restored as version ${saved.version}`;
    }
    await this.engine().stop();
    this.failed = { reason: `${reason}; no version ran healthily before it`, since: new Date().toISOString() };
    // With no flow running at all, the runtime shows safe mode, as a runtime of one flow always did.
    if (supervisor.flowIds().length === 0) {
      this.safeMode(`${reason}; no version ran healthily before it, so no flow runs`);
      return 'safe mode: no version ran healthily before it';
    }
    logger.error(
      { flowId: this.flowId },
      `flow "${this.flowId}" stopped: ${reason}; no version ran healthily before it. Deploy it or roll it back through the API.`,
    );
    return `flow "${this.flowId}" stopped: no version ran healthily before it`;
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
      detail: `${end.flowId ? `flow "${end.flowId}": ` : ''}${describeEnd(end)}; ${outcome}`,
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
