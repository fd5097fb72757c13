import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isRecord } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';
import { deployErrors } from '../error-codes';
import { defaultLogger, Engine } from './engine';
import type { DeployOptions, DeployResult, EngineEvents, EngineOptions } from './engine';
import { DEFAULT_CONTEXT_LIMITS, FlowStateStores } from './flow-state-stores';
import type { ContextScopeRef, ContextScopeView, ContextSummary, ContextWriteResult } from './flow-state-stores';
import { FilesFolder } from './files-folder';
import { systemClock } from './node-clock';
import { ResourcePool } from './resource-pool';
import { toolDefinition } from './resource-tools';
import type { ResourceToolCall } from './resource-tools';

/**
 * Node indexes of one flow in `EngineOptions.activity` slot 1 start at its slot times this: more
 * than the nodes a flow may have once its subflows are expanded.
 */
export const ACTIVITY_SLOT_SIZE = 1_000_000;
/** Flows one process can tell apart in `activity` (an Int32 holds 2,147 slots of the size above). */
const MAX_SLOTS = 2000;

const EVENTS = ['debug', 'status', 'node-error', 'deployed', 'samples'] as const;
/** Events an engine makes only while someone listens: passed on to every engine. */
const ON_DEMAND = ['debug', 'samples'] as const;
type OnDemand = (typeof ON_DEMAND)[number];
const isOnDemand = (name: string): name is OnDemand => (ON_DEMAND as readonly string[]).includes(name);

/**
 * Every flow of a runtime in one process: one `Engine` per flow id, so that deploying, stopping or
 * rolling back one flow never restarts or pauses another, with what they share shared: the
 * connections (a `ResourcePool`: two flows that define the same PLC or broker use one connection),
 * the context stores (one global context) and the activity array a watchdog reads.
 * Events of every flow are re-emitted here; each carries its `flowId`.
 */
export class FlowSet extends EventEmitter<EngineEvents> {
  private readonly engines = new Map<string, { engine: Engine; slot: number }>();
  private readonly pool: ResourcePool;
  private readonly contexts: FlowStateStores;
  private readonly options: EngineOptions;
  /** Deploys and stops per flow, one at a time for each flow (flows do not wait for each other). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: EngineOptions) {
    super();
    const dataDir = options.dataDir ?? join(homedir(), '.tagflow');
    const logger = options.logger ?? defaultLogger();
    const persist = options.context?.persist ?? options.dataDir !== undefined;
    this.contexts = new FlowStateStores({
      limits: { ...DEFAULT_CONTEXT_LIMITS, ...options.context?.limits },
      dir: persist ? join(dataDir, 'context') : undefined,
      logger,
    });
    this.pool = new ResourcePool({
      logger,
      clock: options.clock ?? systemClock,
      dataDir,
      files: new FilesFolder(resolve(options.filesDir ?? join(dataDir, 'files'))),
      closeTimeoutMs: options.closeTimeoutMs ?? 5000,
      secret: options.secret ?? ((name) => process.env[name]),
    });
    this.options = { ...options, logger, dataDir };
    // Debug values and samples are made only while someone listens: pass listening on to every engine.
    const sync = (name: string) => isOnDemand(name) && queueMicrotask(() => this.syncOnDemand());
    (this as EventEmitter).on('newListener', sync);
    (this as EventEmitter).on('removeListener', sync);
  }

  /** Runs a resource tool for the editor's pickers, on the shared connections (see `ResourcePool.runTool`). */
  async runResourceTool(call: ResourceToolCall): Promise<unknown> {
    const definition = toolDefinition(this.options.registry, call.resource.type);
    return this.pool.runTool(call.resource, definition, call.tool, call.input, call.timeoutMs);
  }

  /** Ids of the flows running now, in the order they were first deployed. */
  flowIds(): string[] {
    return [...this.engines].filter(([, e]) => e.engine.currentFlow !== undefined).map(([id]) => id);
  }

  /** The engine running flow `flowId`, if it runs. */
  engine(flowId: string): Engine | undefined {
    const entry = this.engines.get(flowId);
    return entry?.engine.currentFlow === undefined ? undefined : entry.engine;
  }

  /** Connections open now, shared between flows (for tests and the admin API). */
  get sharedConnections(): number {
    return this.pool.size;
  }

  /**
   * Deploys `input` as flow `flowId` (its `id` must be `flowId`): only that flow's engine changes.
   * Deploys of one flow are applied one at a time; other flows deploy meanwhile.
   */
  deploy(flowId: string, input: unknown, options: DeployOptions = {}): Promise<DeployResult> {
    const id = isRecord(input) ? input.id : undefined;
    if (id !== flowId) {
      const issue: FlowIssue = {
        code: deployErrors.code.FLOW_ID_MISMATCH,
        path: '/id',
        message: `the flow's id is ${JSON.stringify(id)}, not "${flowId}": a flow is deployed under its own id`,
      };
      return Promise.resolve({ ok: false, errors: [issue], warnings: [] });
    }
    return this.serial(flowId, async () => {
      const fresh = !this.engines.has(flowId);
      const { engine } = this.engineFor(flowId);
      const result = await engine.deploy(input, options);
      // A flow that never ran leaves no engine behind when its first deploy is refused.
      if (!result.ok && fresh && engine.currentFlow === undefined) this.engines.delete(flowId);
      return result;
    });
  }

  /** Stops flow `flowId` (sources first, queues drained, time-boxed); the others run on. */
  stop(flowId: string): Promise<void> {
    return this.serial(flowId, async () => {
      const entry = this.engines.get(flowId);
      if (!entry) return;
      await entry.engine.stop();
      this.engines.delete(flowId);
      // A stopped flow makes no more debug values or samples (its sampler's timer ends with this).
      for (const name of ON_DEMAND)
        (entry.engine as EventEmitter).off(name, this.forward[name] as (e: unknown) => void);
    });
  }

  /** Stops every flow, all at once. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.engines.keys()].map((id) => this.stop(id)));
    await this.contexts.flush();
  }

  /** The flow and node at index `index` of `activity` slot 1 (what a watchdog saw running). */
  nodeAt(index: number): { flowId: string; nodeId: string } | undefined {
    if (index < 0) return undefined;
    const slot = Math.floor(index / ACTIVITY_SLOT_SIZE);
    for (const [flowId, entry] of this.engines) {
      if (entry.slot !== slot) continue;
      const nodeId = entry.engine.nodeIds()[index - slot * ACTIVITY_SLOT_SIZE];
      return nodeId === undefined ? undefined : { flowId, nodeId };
    }
    return undefined;
  }

  /** The slot of flow `flowId` in `activity` (its node indexes start at slot times ACTIVITY_SLOT_SIZE). */
  slotOf(flowId: string): number | undefined {
    return this.engines.get(flowId)?.slot;
  }

  async contextSummary(): Promise<ContextSummary> {
    return this.contexts.summary();
  }

  async readContext(ref: ContextScopeRef): Promise<ContextScopeView> {
    return this.contexts.view(ref);
  }

  async writeContext(ref: ContextScopeRef, key: string, value: unknown): Promise<ContextWriteResult> {
    return this.contexts.write(ref, key, value);
  }

  flushContext(): Promise<void> {
    return this.contexts.flush();
  }

  private engineFor(flowId: string): { engine: Engine; slot: number } {
    const known = this.engines.get(flowId);
    if (known) return known;
    const used = new Set([...this.engines.values()].map((e) => e.slot));
    let slot = 0;
    while (used.has(slot)) slot++;
    if (slot >= MAX_SLOTS) throw new Error(`a runtime runs at most ${MAX_SLOTS} flows`);
    const engine = new Engine({
      ...this.options,
      shared: { resources: this.pool, contexts: this.contexts, activityBase: slot * ACTIVITY_SLOT_SIZE },
    });
    for (const name of EVENTS) {
      if (isOnDemand(name)) continue;
      (engine as EventEmitter).on(name, (event: unknown) => {
        (this.emit as (n: string, e: unknown) => boolean)(name, event);
      });
    }
    const entry = { engine, slot };
    this.engines.set(flowId, entry);
    this.syncOnDemand();
    return entry;
  }

  private readonly forward = {
    debug: (event: EngineEvents['debug'][0]) => this.emit('debug', event),
    samples: (event: EngineEvents['samples'][0]) => this.emit('samples', event),
  };

  private syncOnDemand(): void {
    for (const name of ON_DEMAND) {
      const on = this.listenerCount(name) > 0;
      const forward = this.forward[name] as (event: unknown) => void;
      for (const { engine } of this.engines.values()) {
        const emitter = engine as EventEmitter;
        // `off` then `on` would restart an engine's sampler (a new window): touch only what changes.
        const has = emitter.listeners(name).includes(forward);
        if (on && !has) emitter.on(name, forward);
        else if (!on && has) emitter.off(name, forward);
      }
    }
  }

  private serial<T>(flowId: string, work: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(flowId) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => undefined);
    this.queues.set(flowId, settled);
    void settled.then(() => {
      if (this.queues.get(flowId) === settled) this.queues.delete(flowId);
    });
    return run;
  }
}
