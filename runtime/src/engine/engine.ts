import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DEFAULT_MAX_HOPS,
  diffFlows,
  resolveFlowVariables,
  resourceIdsOf,
  shortestCycle,
  validateFlow,
} from '@tagflow/flow-model';
import type { Flow, FlowIssue, FlowNode } from '@tagflow/flow-model';
import { createMessage, ERROR_PORT, isNodeError, NodeError, sdkErrors } from '@tagflow/node-sdk';
import type { Clock, ErrorInfo, Message, NodeStatus, SendOptions } from '@tagflow/node-sdk';
import { deployErrors, engineErrors } from '../error-codes';
import type { DeployErrorCode } from '../error-codes';
import type { NodeRegistry } from '../registry/node-registry';
import { Activity } from './activity';
import { HandledTracker } from './handled-tracker';
import { carriedHops, HOPS, NodeRunner } from './node-runner';
import type { RunnerHost, Target } from './node-runner';
import { systemClock } from './node-clock';
import { DEFAULT_CONTEXT_LIMITS, FlowStateStores } from './flow-state-stores';
import type {
  ContextLimits,
  ContextScopeRef,
  ContextScopeView,
  ContextSummary,
  ContextWriteResult,
} from './flow-state-stores';
import { addLinkRoutes } from './link-routes';
import { settleMemoryAfter } from './settle-memory';
import { OutputSampler } from './output-sampler';
import type { SamplesEvent } from './output-sampler';
import { addStatusWatchers, routeStatus } from './status-routes';
import { FilesFolder, filesDirProblem } from './files-folder';
import type { ResourceRunner } from './resource-runner';
import { ResourcePool } from './resource-pool';
import { toolDefinition } from './resource-tools';
import type { ResourceToolCall } from './resource-tools';
import type { ResourceLease } from './resource-pool';
import { openOutbox } from '../store-forward';
import type { FileOutbox } from '../store-forward';
import type { DebugEvent, EngineLogger, NodeCounters, NodeErrorEvent, StatusEvent, TapListener } from './types';
import { isHistoryReader } from '../supervisor/engine-contract';
import type { HistoryQuery, ResourceInfo, TriggerOutcome } from '../supervisor/engine-contract';

export interface EngineOptions {
  /** The node and resource types this engine can run. */
  registry: NodeRegistry;
  /**
   * Defaults to JSON lines on stderr at level `TAGFLOW_LOG_LEVEL` (info), rate-limited per node
   * (`createLogger`). A logger given here is used as it is.
   */
  logger?: EngineLogger;
  /** Defaults to the system clock; the test harness passes a fake one. */
  clock?: Clock;
  /** Time a node or resource gets to close before the engine moves on (default 5 s). */
  closeTimeoutMs?: number;
  /**
   * When set, the process's start-up garbage is collected this long after the latest deploy
   * (settle-memory.ts): for hosts that own the whole process, not for an embedding application.
   */
  settleMemoryAfterMs?: number;
  /** Error-handling hops before an error loop is cut (default 10). */
  maxErrorDepth?: number;
  /** Where the runtime keeps state: store-and-forward buffers, certificates (default ~/.tagflow). */
  dataDir?: string;
  /**
   * The files folder: the only folder flows read and write files in (`NodeContext.files`); default
   * `<dataDir>/files`. The constructor throws when it is the data dir, holds it, or lies inside it
   * elsewhere than under `<dataDir>/files` (`filesDirProblem`).
   */
  filesDir?: string;
  /**
   * Resolves a secret a flow names (a password, an API token). Default: the environment variable of
   * that name. `tagflow start` looks in its encrypted secret store first, then the environment.
   */
  secret?: (name: string) => string | undefined;
  /**
   * For a watchdog on another thread: an Int32Array over a SharedArrayBuffer (length >= 2) the
   * engine keeps up to date with Atomics. Slot 0 counts node entries (each message handled, each
   * start, timer callback and resource listener call; it wraps), slot 1 is the index in
   * `nodeIds()` of the node whose code runs synchronously now, -1 when none. A counter that stops
   * moving while slot 1 stays on a node means that node holds the thread.
   */
  activity?: Int32Array;
  /**
   * The node, flow and global context (`NodeContext.context`): size limits per scope (default
   * DEFAULT_CONTEXT_LIMITS), and whether it is kept in `<dataDir>/context` (default: when a
   * `dataDir` is given; an engine without one keeps context in memory only).
   */
  context?: { limits?: Partial<ContextLimits>; persist?: boolean };
  /**
   * For several flows in one process (`FlowSet`): the connections shared between their engines
   * (default: this engine's own), the context stores (so that global context is one), and where
   * this engine's node indexes start in `activity` slot 1.
   */
  shared?: { resources: ResourcePool; contexts: FlowStateStores; activityBase: number };
}

/** What a deploy may bring besides the flow. */
export interface DeployOptions {
  /**
   * The runtime's variables for this deploy: `${NAME}` in the flow's configs is replaced with
   * them before validation, and `ctx.variable` reads them once the deploy succeeded. Absent: the
   * variables of the last deploy (or `setVariables`).
   */
  variables?: Readonly<Record<string, string>>;
}

/** The outcome of a deploy: what changed, or every reason it was refused. */
export type DeployResult =
  | {
      ok: true;
      flowId: string;
      added: string[];
      changed: string[];
      removed: string[];
      unchanged: string[];
      warnings: FlowIssue[];
    }
  | { ok: false; errors: FlowIssue[]; warnings: FlowIssue[] };

/** Events an engine emits; see the `on` overloads. */
export interface EngineEvents {
  debug: [DebugEvent];
  status: [StatusEvent];
  'node-error': [NodeErrorEvent];
  deployed: [{ flowId: string; added: string[]; changed: string[]; removed: string[] }];
  /** What each node sent per output port, once a second, only while someone listens (`OutputSampler`). */
  samples: [SamplesEvent];
}

/**
 * Runs one flow at a time. `deploy` validates a flow, then starts only what changed compared with the
 * running flow; a deploy that fails leaves the running flow untouched. Knows nothing of HTTP: the
 * server and the CLI drive it through this API.
 */
export class Engine extends EventEmitter<EngineEvents> {
  private readonly registry: NodeRegistry;
  private readonly logger: EngineLogger;
  private readonly clock: Clock;
  private readonly closeTimeoutMs: number;
  private readonly settleMemoryAfterMs: number | undefined;
  private readonly maxErrorDepth: number;
  private readonly dataDir: string;
  private readonly files: FilesFolder;
  private readonly pool: ResourcePool;
  /** This engine's holds on pooled connections, by the runner they hold. */
  private readonly leases = new Map<ResourceRunner, ResourceLease>();
  private readonly activityBase: number;
  /** Open outboxes by node id: they outlive a node's restarts, and close when the node is removed. */
  private readonly outboxes = new Map<string, Promise<FileOutbox<unknown>>>();
  private flow: Flow | undefined;
  private runners = new Map<string, NodeRunner>();
  private resources = new Map<string, ResourceRunner>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly activity: Activity;
  private ids: readonly string[] = [];
  /** The hop-limit error text per node, made on the first drop after each deploy. */
  private hopLimitTexts = new Map<string, string>();
  /** The node, flow and global context scopes, kept in `<dataDir>/context`. */
  private readonly contexts: FlowStateStores;
  /** The runtime's variables, by name. */
  private variables: Readonly<Record<string, string>> = {};
  /** Samples what nodes send while a `samples` listener exists; undefined otherwise (no cost). */
  private sampler: OutputSampler | undefined;

  constructor(options: EngineOptions) {
    super();
    this.registry = options.registry;
    this.logger = options.logger ?? defaultLogger();
    this.clock = options.clock ?? systemClock;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.settleMemoryAfterMs = options.settleMemoryAfterMs;
    this.maxErrorDepth = options.maxErrorDepth ?? 10;
    this.dataDir = options.dataDir ?? join(homedir(), '.tagflow');
    const filesDir = resolve(options.filesDir ?? join(this.dataDir, 'files'));
    const problem = filesDirProblem(filesDir, this.dataDir);
    if (problem !== undefined) throw new Error(problem);
    this.files = new FilesFolder(filesDir);
    this.activity = new Activity(options.activity);
    const persist = options.context?.persist ?? options.dataDir !== undefined;
    this.contexts =
      options.shared?.contexts ??
      new FlowStateStores({
        limits: { ...DEFAULT_CONTEXT_LIMITS, ...options.context?.limits },
        dir: persist ? join(this.dataDir, 'context') : undefined,
        logger: this.logger,
      });
    this.activityBase = options.shared?.activityBase ?? 0;
    this.pool =
      options.shared?.resources ??
      new ResourcePool({
        logger: this.logger,
        clock: this.clock,
        dataDir: this.dataDir,
        files: this.files,
        closeTimeoutMs: this.closeTimeoutMs,
        secret: options.secret ?? ((name) => process.env[name]),
      });
    // Samples are made only while someone listens: `newListener` fires before the listener is added.
    const syncSampling = (name: string) => name === 'samples' && queueMicrotask(() => this.syncSampler());
    (this as EventEmitter).on('newListener', syncSampling);
    (this as EventEmitter).on('removeListener', syncSampling);
  }

  private syncSampler(): void {
    const listening = this.listenerCount('samples') > 0;
    if (listening && this.sampler === undefined) {
      this.sampler = new OutputSampler(
        () => this.flow?.id,
        this.clock,
        (event) => this.emit('samples', event),
      );
      this.sampler.attach(this.runners.values());
    } else if (!listening && this.sampler !== undefined) {
      this.sampler.close();
      this.sampler = undefined;
    }
  }

  /** Every context scope the engine holds or keeps a file of, with sizes and refused writes. */
  async contextSummary(): Promise<ContextSummary> {
    return this.contexts.summary();
  }

  /** One context scope with its values. */
  async readContext(ref: ContextScopeRef): Promise<ContextScopeView> {
    return this.contexts.view(ref);
  }

  /** Sets a context key (`undefined` deletes it); a value that is not JSON data or too large is refused. */
  async writeContext(ref: ContextScopeRef, key: string, value: unknown): Promise<ContextWriteResult> {
    return this.contexts.write(ref, key, value);
  }

  /** Writes pending context changes to disk now (they are otherwise written within a second). */
  flushContext(): Promise<void> {
    return this.contexts.flush();
  }

  /** Replaces the runtime's variables, read by nodes through `ctx.variable(name)` and by the next deploy's `${NAME}`. */
  setVariables(variables: Readonly<Record<string, string>>): void {
    this.variables = { ...variables };
  }

  /** The variables the running flow was deployed with (its `${NAME}` values). */
  deployedVariables(): Readonly<Record<string, string>> {
    return this.variables;
  }

  /** The running flow (validated and normalized), if any. */
  get currentFlow(): Flow | undefined {
    return this.flow;
  }

  /**
   * Resolves the `${NAME}` variables of `input`, validates it and makes it the running flow.
   * Deploys are applied one at a time.
   */
  deploy(input: unknown, options: DeployOptions = {}): Promise<DeployResult> {
    const run = this.queue.then(() => this.applyDeploy(input, options.variables ?? this.variables));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops the flow without losing what is in it: sources close first, messages already queued are
   * processed (waiting at most the close timeout), then every other node closes (time-boxed), then
   * every resource. The engine can deploy again afterwards.
   */
  stop(): Promise<void> {
    const run = this.queue.then(async () => {
      const runners = [...this.runners.values()];
      const isSource = (r: NodeRunner) =>
        r.definition.inputs.length === 0 && !r.definition.catches && !r.definition.watchesStatus && !r.definition.link;
      await Promise.all(runners.filter(isSource).map((r) => r.close(this.closeTimeoutMs)));
      await this.idleWithin(this.closeTimeoutMs);
      await Promise.all(runners.filter((r) => !isSource(r)).map((r) => r.close(this.closeTimeoutMs)));
      await Promise.all([...this.resources.values()].map((r) => this.releaseResource(r)));
      await Promise.all([...this.outboxes.keys()].map((id) => this.closeOutbox(id)));
      // Nodes may save their state as they close: write it after them.
      await this.contexts.flush();
      this.sampler?.flush();
      this.sampler?.attach([]);
      this.runners = new Map();
      this.resources = new Map();
      this.flow = undefined;
      this.ids = [];
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The node whose code the engine runs synchronously now (its `onMessage`, `start`, a timer
   * callback or a resource listener), since when (ms since the Unix epoch); undefined between them.
   */
  busyNode(): { nodeId: string; type: string; sinceMs: number } | undefined {
    const node = this.activity.node;
    return node === undefined ? undefined : { nodeId: node.id, type: node.type, sinceMs: node.enteredAtMs };
  }

  /**
   * The ids of the running flow's nodes (disabled ones included), in the flow file's order: what
   * slot 1 of `EngineOptions.activity` indexes. Fixed until the next deploy.
   */
  nodeIds(): string[] {
    return [...this.ids];
  }

  /** Counters of every running node, by node id. */
  stats(): Record<string, NodeCounters> {
    const out: Record<string, NodeCounters> = {};
    for (const [id, runner] of this.runners) {
      const c = runner.counters;
      out[id] = { ...c, drops: { ...c.drops }, skips: { ...c.skips } };
    }
    return out;
  }

  /**
   * The latest status of every running node that reported one or lost messages, as shown: with
   * its drop and skip counts appended (`NodeRunner.shownStatus`).
   */
  statuses(): Record<string, NodeStatus> {
    const out: Record<string, NodeStatus> = {};
    for (const [id, runner] of this.runners) {
      const shown = runner.shownStatus();
      if (shown) out[id] = shown;
    }
    return out;
  }

  /**
   * Waits up to `timeoutMs` for the resources of nodes that declare `requiresResourcesAtDeploy`
   * to connect; returns those still unreachable then (none: all connected), with the nodes that
   * need them and the last connection error.
   */
  async unreachableRequiredResources(
    timeoutMs: number,
  ): Promise<Array<{ resourceId: string; type: string; nodeIds: string[]; reason: string }>> {
    const needed = new Map<string, string[]>();
    for (const runner of this.runners.values()) {
      if (!runner.definition.requiresResourcesAtDeploy) continue;
      for (const id of this.resourcesOf(runner.node)) needed.set(id, [...(needed.get(id) ?? []), runner.id]);
    }
    const signal = AbortSignal.timeout(timeoutMs);
    const unreachable = await Promise.all(
      [...needed].map(async ([id, nodeIds]) => {
        const resource = this.resources.get(id);
        if (!resource) return undefined;
        try {
          await resource.ready(signal);
          return undefined;
        } catch {
          // Timed out: not connected within the wait. The reason is the last connection error.
          return {
            resourceId: id,
            type: resource.resource.type,
            nodeIds,
            reason: resource.failure ?? `not connected within ${timeoutMs} ms`,
          };
        }
      }),
    );
    return unreachable.filter((u): u is NonNullable<typeof u> => u !== undefined);
  }

  /**
   * The live connection of a running resource (what its `create` returned), or undefined when the
   * flow has no such resource or it is not connected now. For services that read through a
   * resource, e.g. the admin API's history queries through a historian.
   */
  resourceInstance(id: string): { type: string; instance: unknown } | undefined {
    const runner = this.resources.get(id);
    return runner?.current === undefined ? undefined : { type: runner.resource.type, instance: runner.current };
  }

  /** Ids and types of the running flow's resources. */
  resourceList(): ResourceInfo[] {
    return [...this.resources].map(([id, r]) => ({
      id,
      type: r.resource.type,
      connected: r.current !== undefined,
      answersHistory: isHistoryReader(r.current),
    }));
  }

  /** Runs a resource tool for the editor's pickers, on this engine's connections (see `ResourcePool.runTool`). */
  async runResourceTool(call: ResourceToolCall): Promise<unknown> {
    const definition = toolDefinition(this.registry, call.resource.type);
    return this.pool.runTool(call.resource, definition, call.tool, call.input, call.timeoutMs);
  }

  /** Runs a history query through a resource of the running flow (a historian); throws when it cannot answer now. */
  async queryHistory(resourceId: string, query: HistoryQuery): Promise<unknown[]> {
    const live = this.resources.get(resourceId)?.current;
    if (!isHistoryReader(live)) throw new Error(`resource "${resourceId}" cannot answer history queries now`);
    return live.query(query);
  }

  /**
   * Delivers a message to a node's input port; resolves when the node has processed its queue.
   * With `options.onHandled`, the message is followed as if a source had sent it (see `SendOptions`).
   */
  inject(nodeId: string, msg: Message, port?: string, options?: SendOptions): Promise<void> {
    const runner = this.requireRunner(nodeId);
    const inputPort = port ?? runner.definition.inputs[0];
    if (inputPort === undefined || !runner.definition.inputs.includes(inputPort)) {
      throw new NodeError(
        engineErrors.code.UNKNOWN_PORT,
        `node "${nodeId}" (${runner.type}) has no input port "${port ?? 'in'}"`,
      );
    }
    const onHandled = options?.onHandled;
    if (onHandled === undefined) runner.receive(msg, inputPort, carriedHops(msg));
    else {
      const tracker = new HandledTracker((outcome) => queueMicrotask(() => onHandled(outcome)), undefined);
      runner.receiveTracked(msg, inputPort, carriedHops(msg), tracker);
      tracker.release();
    }
    return runner.settled();
  }

  /** A person's inject: the running node's `onTrigger`, for types declaring `manualTrigger`. */
  async triggerNode(nodeId: string): Promise<TriggerOutcome> {
    const runner = this.runners.get(nodeId);
    if (!runner) return { ok: false, reason: 'not-running', message: `node "${nodeId}" does not run in this flow` };
    const refused = {
      ok: false as const,
      reason: 'not-triggerable' as const,
      message: `node "${nodeId}" (${runner.type}) cannot be triggered by hand`,
    };
    if (!runner.definition.manualTrigger) return refused;
    return (await runner.trigger()) ? { ok: true } : refused;
  }

  /** Calls `listener` with every message the node sends on `port`; returns the function that stops it. */
  tap(nodeId: string, port: string, listener: TapListener): () => void {
    return this.requireRunner(nodeId).tap(port, listener);
  }

  /** Resolves once no node has queued or in-flight messages. */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.runners.values()].filter((r) => !r.idle);
      if (busy.length === 0) return;
      await Promise.all(busy.map((r) => r.settled()));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async idleWithin(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.idle(), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const queued = Object.fromEntries(
        Object.entries(this.stats())
          .filter(([, c]) => c.queued > 0)
          .map(([id, c]) => [id, c.queued]),
      );
      this.logger.warn({ queued, timeoutMs }, 'stopping with messages still queued');
    }
  }

  private requireRunner(nodeId: string): NodeRunner {
    const runner = this.runners.get(nodeId);
    if (!runner) throw new NodeError(engineErrors.code.UNKNOWN_NODE, `no running node "${nodeId}" in this flow`);
    return runner;
  }

  private async applyDeploy(input: unknown, variables: Readonly<Record<string, string>>): Promise<DeployResult> {
    const catalog = this.registry.catalog();
    // Before validation: `${PORT}` becomes the number the schema wants; the stored flow keeps the text.
    const resolved = resolveFlowVariables(input, catalog, variables);
    if (resolved.errors.length > 0) return { ok: false, errors: resolved.errors, warnings: [] };
    const validation = validateFlow(resolved.flow, catalog, { migrations: this.registry.migrations });
    if (!validation.ok) return { ok: false, errors: validation.errors, warnings: validation.warnings };
    const flow = validation.flow;
    // New nodes read their variables while being created; a refused deploy puts the old ones back.
    const previousVariables = this.variables;
    this.variables = { ...variables };
    const nodeIndex = new Map(flow.nodes.map((n, i) => [n.id, i]));
    const resourceIndex = new Map((flow.resources ?? []).map((r, i) => [r.id, i]));
    const diff = diffFlows(this.flow, flow, (node) => this.resourcesOf(node));

    // Phase 1: create what is new or changed while the old flow keeps running. Resources start
    // connecting in the background: a peer that is down is retried, it does not fail the deploy.
    const host = this.makeHost(flow.id);
    const newResources = new Map<string, ResourceRunner>();
    for (const id of [...diff.resourcesAdded, ...diff.resourcesChanged]) {
      const resource = (flow.resources ?? [])[resourceIndex.get(id) as number];
      const registered = this.registry.resource(resource.type);
      if (!registered) continue; // validation already refused unknown types
      const lease = this.pool.acquire(resource, registered.definition, (status) => this.onResourceStatus(id, status));
      this.leases.set(lease.runner, lease);
      newResources.set(id, lease.runner);
    }
    // New nodes look their resources up while being created: let them find the new flow's ones
    // (resources connect in the background, so only a node can fail the deploy here).
    const newRunners = new Map<string, NodeRunner>();
    const errors: FlowIssue[] = [];
    const pendingResources = this.resources;
    this.resources = new Map([...pendingResources, ...newResources]);
    await Promise.all(
      [...diff.added, ...diff.changed].map(async (id) => {
        const node = flow.nodes[nodeIndex.get(id) as number];
        if (node.disabled) return;
        const registered = this.registry.node(node.type);
        if (!registered) return;
        const runner = new NodeRunner(node, registered.definition, host);
        newRunners.set(id, runner);
        try {
          await runner.create();
        } catch (err) {
          errors.push(
            startIssue(
              deployErrors.code.NODE_START_FAILED,
              `/nodes/${nodeIndex.get(id)}`,
              `node "${id}" (${node.type})`,
              err,
              {
                nodeId: id,
              },
            ),
          );
        }
      }),
    );
    this.resources = pendingResources;
    if (errors.length > 0) {
      this.variables = previousVariables;
      await Promise.all([...newRunners.values()].map((r) => r.close(this.closeTimeoutMs)));
      await Promise.all([...newResources.values()].map((r) => this.releaseResource(r)));
      return { ok: false, errors, warnings: validation.warnings };
    }

    // Phase 2: retire what was removed or replaced. A retiring node first finishes the message in
    // progress; what is queued at it moves to its replacement, ahead of anything new.
    const retiring = [...diff.removed, ...diff.changed]
      .map((id) => this.runners.get(id))
      .filter((r): r is NodeRunner => !!r);
    await Promise.all(retiring.map((r) => r.quiesce(this.closeTimeoutMs)));
    for (const old of retiring) {
      const pending = old.takePending();
      const replacement = newRunners.get(old.id);
      if (replacement) replacement.adoptPending(pending);
      else if (pending.length > 0) {
        this.logger.warn({ node: old.id, discarded: pending.length }, 'node removed with messages still queued');
        old.discardPending(pending);
      }
    }
    const runners = new Map<string, NodeRunner>();
    for (const node of flow.nodes) {
      const runner = newRunners.get(node.id) ?? (node.disabled ? undefined : this.runners.get(node.id));
      if (runner) runners.set(node.id, runner);
    }
    const resources = new Map<string, ResourceRunner>();
    for (const resource of flow.resources ?? []) {
      const runner = newResources.get(resource.id) ?? this.resources.get(resource.id);
      if (runner) resources.set(resource.id, runner);
    }
    const retiringResources = [...diff.resourcesRemoved, ...diff.resourcesChanged]
      .map((id) => this.resources.get(id))
      .filter((r): r is ResourceRunner => !!r);
    this.runners = runners;
    this.resources = resources;
    this.flow = flow;
    this.wire(flow);
    this.sampler?.attach(runners.values());
    // Nodes installed now missed what their connections reported while connecting: tell them.
    for (const [id, resource] of newResources) if (resource.lastStatus) this.onResourceStatus(id, resource.lastStatus);
    await Promise.all(retiring.map((r) => r.close(this.closeTimeoutMs)));
    await Promise.all(retiringResources.map((r) => this.releaseResource(r)));
    await Promise.all(diff.removed.map((id) => this.closeOutbox(id)));
    // A node the flow no longer has loses its context, as in Node-RED (which also cleans at
    // start); a disabled node keeps it; other flows' scopes are left alone.
    this.contexts.retainNodes(flow.id, new Set(flow.nodes.map((n) => n.id)));
    const result = { flowId: flow.id, added: diff.added, changed: diff.changed, removed: diff.removed };
    // The host says it in its own words (the deployer with the version, `tagflow run` with the node count).
    this.logger.debug(result, `deployed flow "${flow.id}"`);
    // Before sources start, so listeners (taps, the editor) miss nothing they send first.
    this.emit('deployed', result);

    // Phase 3: start the new nodes, processors before sources, so the first message a source
    // sends finds every node downstream started.
    const starting = [...newRunners.values()];
    await Promise.all(starting.filter((r) => r.definition.inputs.length > 0).map((r) => r.start()));
    await Promise.all(starting.filter((r) => r.definition.inputs.length === 0).map((r) => r.start()));
    if (this.settleMemoryAfterMs !== undefined) settleMemoryAfter(this.settleMemoryAfterMs);
    return { ok: true, ...result, unchanged: diff.unchanged, warnings: validation.warnings };
  }

  private wire(flow: Flow): void {
    this.ids = flow.nodes.map((n) => n.id);
    this.activity.maxHops = flow.settings?.maxHops ?? DEFAULT_MAX_HOPS;
    this.hopLimitTexts = new Map();
    flow.nodes.forEach((n, i) => {
      const runner = this.runners.get(n.id);
      if (runner) runner.activityIndex = this.activityBase + i;
    });
    const routes = new Map<string, Map<string, Target[]>>();
    const parents = new Map<string, Set<string>>();
    for (const edge of flow.edges) {
      const source = this.runners.get(edge.source);
      const target = this.runners.get(edge.target);
      if (!source || !target) continue; // a disabled node passes nothing on
      const byPort = routes.get(edge.source) ?? new Map<string, Target[]>();
      const port = edge.sourcePort ?? 'out';
      byPort.set(port, [...(byPort.get(port) ?? []), { runner: target, port: edge.targetPort ?? 'in' }]);
      routes.set(edge.source, byPort);
      const p = parents.get(edge.target) ?? new Set<string>();
      p.add(edge.source);
      parents.set(edge.target, p);
    }
    addLinkRoutes(flow.id, this.runners, routes, parents, (runner, err, msg) => this.routeError(runner, err, msg));
    const handlers = [...this.runners.values()].filter((r) => r.definition.catches);
    for (const runner of this.runners.values()) {
      runner.setRoutes(routes.get(runner.id) ?? new Map<string, Target[]>());
      runner.setUpstream(ancestors(runner.id, parents).map((id) => this.runners.get(id) as NodeRunner));
      runner.catchers = handlers.filter((h) => {
        if (h === runner) return false;
        const scope = h.definition.catches?.(h.node.config);
        return scope === 'all' || (scope ?? []).includes(runner.id);
      });
    }
    addStatusWatchers(this.runners);
  }

  private resourcesOf(node: FlowNode): string[] {
    return resourceIdsOf(node, this.registry.node(node.type)?.definition.resources);
  }

  private onResourceStatus(resourceId: string, status: NodeStatus): void {
    for (const runner of this.runners.values()) {
      if (this.resourcesOf(runner.node).includes(resourceId)) {
        // The backlog is the node's own figure, which a connection's status knows nothing of: it
        // stays, or the editor and /metrics would lose a buffer's size just while it grows.
        const backlog = runner.lastStatus?.backlog;
        runner.lastStatus = backlog === undefined || status.backlog !== undefined ? status : { ...status, backlog };
        // A resource's `connected` must not hide what the node lost while it was down.
        const shown = runner.shownStatus(runner.lastStatus) as NodeStatus;
        this.emit('status', { flowId: this.flow?.id, nodeId: runner.id, status: shown });
        routeStatus(runner, shown, this.clock.now(), 0);
      }
    }
  }

  /** Gives back this engine's hold on a pooled connection (closed when no other flow holds it). */
  private async releaseResource(runner: ResourceRunner): Promise<void> {
    const lease = this.leases.get(runner);
    this.leases.delete(runner);
    await (lease ? lease.release() : runner.close());
  }

  private makeHost(flowId: string): RunnerHost {
    return {
      flowId,
      logger: this.logger,
      clock: this.clock,
      routeError: (runner, err, msg) => this.routeError(runner, err, msg),
      debug: (runner, data, topic) => {
        const event: DebugEvent = {
          flowId,
          nodeId: runner.id,
          nodeType: runner.type,
          name: runner.node.name,
          data,
          time: this.clock.now(),
        };
        if (topic !== undefined) event.topic = topic;
        // Debug values are for whoever watches (the editor, `tagflow run`'s stdout); with nobody
        // watching they go to the log at level debug, never at message rate into a default log.
        if (this.listenerCount('debug') === 0) this.logger.debug({ node: runner.id, data }, 'debug');
        else this.emit('debug', event);
      },
      status: (runner, status) => {
        this.emit('status', { flowId, nodeId: runner.id, status });
        routeStatus(runner, status, this.clock.now(), runner.nextHops());
      },
      resource: (runner, id) => {
        const resource = this.resources.get(id);
        if (!resource)
          throw new NodeError(
            sdkErrors.code.RESOURCE_NOT_FOUND,
            `node "${runner.id}" uses resource "${id}", which this flow does not define`,
          );
        return resource;
      },
      outbox: (runner, options) => {
        const open = this.outboxes.get(runner.id);
        if (open) return open;
        const opening = openOutbox<unknown>(join(this.dataDir, 'outbox', flowId, runner.id), {
          ...options,
          logger: this.logger,
          // The outbox outlives a node's restarts: its drops count at whichever runner has the id now.
          onDropped: (count) => this.runners.get(runner.id)?.countDrop('buffer-full', count),
        });
        this.outboxes.set(runner.id, opening);
        // A failed open must not stay cached: the next deploy may find the disk writable again.
        opening.catch(() => this.outboxes.delete(runner.id));
        return opening;
      },
      dataDir: this.dataDir,
      files: this.files,
      activity: this.activity,
      hopLimitError: (runner) => new NodeError(sdkErrors.code.HOP_LIMIT, this.hopLimitText(runner.id)),
      context: (runner) => this.contexts.forNode(runner.id, flowId),
      variable: (name) => (Object.hasOwn(this.variables, name) ? this.variables[name] : undefined),
    };
  }

  /** Names the loop a message dropped at `nodeId` went round: through that node, else upstream of it. */
  private hopLimitText(nodeId: string): string {
    const known = this.hopLimitTexts.get(nodeId);
    if (known !== undefined) return known;
    const successors = (id: string) => {
      const out = new Set<string>();
      for (const targets of this.runners.get(id)?.routes.values() ?? []) for (const t of targets) out.add(t.runner.id);
      return out;
    };
    let cycle = shortestCycle(nodeId, successors);
    if (cycle === undefined) {
      // The message left the loop before the limit caught it: name the nearest loop upstream.
      const parents = new Map<string, string[]>();
      for (const id of this.runners.keys())
        for (const target of successors(id)) parents.set(target, [...(parents.get(target) ?? []), id]);
      const seen = new Set([nodeId]);
      const queue = [nodeId];
      for (let head = 0; head < queue.length && cycle === undefined; head++) {
        for (const parent of parents.get(queue[head]) ?? []) {
          if (seen.has(parent)) continue;
          seen.add(parent);
          queue.push(parent);
          cycle = shortestCycle(parent, successors);
          if (cycle !== undefined) break;
        }
      }
    }
    const limit = this.activity.maxHops;
    const text =
      cycle === undefined
        ? `message dropped after ${limit} hops (the flow's settings.maxHops)`
        : `message dropped after ${limit} hops: it went round the cycle ${cycle.join(' -> ')}; ` +
          'a loop needs a node that delays or limits it, or a switch that ends it';
    this.hopLimitTexts.set(nodeId, text);
    return text;
  }

  private async closeOutbox(nodeId: string): Promise<void> {
    const outbox = this.outboxes.get(nodeId);
    if (!outbox) return;
    this.outboxes.delete(nodeId);
    try {
      await (await outbox).close();
    } catch (err) {
      this.logger.error({ node: nodeId, err }, 'could not close the store-and-forward buffer');
    }
  }

  private routeError(runner: NodeRunner, err: unknown, msg: Message | undefined): void {
    const info = describeError(runner, err, msg);
    if (info.depth > this.maxErrorDepth) {
      this.logger.error(
        { node: runner.id, type: runner.type, code: info.code, depth: info.depth },
        `error loop stopped: ${info.message}`,
      );
      this.emit('node-error', { ...info, flowId: this.flow?.id, handled: false });
      return;
    }
    const errorMessage: Message = {
      ...(msg ?? createMessage(undefined, { timestamp: this.clock.now() })),
      error: info,
    };
    // Error handling starts a new trip (error loops have their own limit, maxErrorDepth): a
    // message dropped for its hops would otherwise be dropped again on the error path.
    if (msg !== undefined && carriedHops(msg) !== 0) Reflect.set(errorMessage, HOPS, 0);
    let handled = false;
    if (runner.routes.get('error')?.length) {
      runner.deliver(errorMessage, 'error', 0);
      handled = true;
    } else if (runner.catchers.length > 0) {
      for (const handler of runner.catchers) handler.receive(errorMessage, ERROR_PORT, 0);
      handled = true;
    }
    this.emit('node-error', { ...info, flowId: this.flow?.id, handled });
    if (!handled) {
      this.logger.error(
        { node: runner.id, type: runner.type, code: info.code, ...(info.stack ? { stack: info.stack } : {}) },
        `node "${runner.id}" (${runner.type}): ${info.message}`,
      );
    }
  }
}

function describeError(runner: NodeRunner, err: unknown, msg: Message | undefined): ErrorInfo {
  const depth = msg?.error ? msg.error.depth + 1 : 0;
  if (isNodeError(err))
    return { message: err.message, code: err.code, nodeId: runner.id, nodeType: runner.type, depth };
  const message = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error ? err.stack : undefined;
  return { message, code: sdkErrors.code.UNEXPECTED, nodeId: runner.id, nodeType: runner.type, stack, depth };
}

function startIssue(
  code: DeployErrorCode,
  path: string,
  what: string,
  err: unknown,
  ids: Partial<FlowIssue>,
): FlowIssue {
  const reason = err instanceof Error ? err.message : String(err);
  return { code, path, message: `${what} could not start: ${reason}`, ...ids };
}

function ancestors(id: string, parents: Map<string, Set<string>>): string[] {
  const seen = new Set<string>();
  const stack = [...(parents.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (next === id || seen.has(next)) continue;
    seen.add(next);
    stack.push(...(parents.get(next) ?? []));
  }
  return [...seen];
}

/** JSON lines on stderr at level TAGFLOW_LOG_LEVEL (info); loaded only when the host gives no logger. */
export function defaultLogger(): EngineLogger {
  const { createLogger } = require('../log/create-logger') as typeof import('../log/create-logger');
  const { isLogLevel } = require('../log/log-level') as typeof import('../log/log-level');
  const level = process.env.TAGFLOW_LOG_LEVEL;
  return createLogger({ level: isLogLevel(level) ? level : 'info' });
}
