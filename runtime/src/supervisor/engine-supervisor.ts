import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Flow } from '@tagflow/flow-model';
import { isRecord } from '@tagflow/flow-model';
import type { NodeStatus } from '@tagflow/node-sdk';
import type { DeployOptions, DeployResult, EngineEvents } from '../engine/engine';
import type { EngineLogger, NodeCounters } from '../engine/types';
import type {
  ContextLimits,
  ContextScopeRef,
  ContextScopeView,
  ContextSummary,
  ContextWriteResult,
} from '../engine/flow-state-stores';
import { supervisorErrors } from '../error-codes';
import { DEFAULT_TOOL_TIMEOUT_MS } from '../engine/resource-tools';
import type { ResourceToolCall } from '../engine/resource-tools';
import type { LogLevel } from '../log/log-level';
import { hashFlow } from '../store/flow-store';
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
import { EngineCallError, RpcClient } from './engine-rpc';
import { MONITOR_FD } from './host-protocol';
import type {
  DeployAnswer,
  EngineSnapshot,
  FromHost,
  HostConfig,
  FlowSnapshot,
  HostEvent,
  MonitorReport,
  ToHost,
} from './host-protocol';
import { parseMonitorLine } from './monitor-thread';
import { ACTIVITY_SLOT_SIZE } from '../engine/flow-set';
import { FlowEngineView } from './flow-engine-view';
import { Watchdog } from './watchdog';

/** How the engine process is run and watched. */
export interface EngineSupervisorOptions {
  /** Folders searched for node packages, highest priority first. */
  searchDirs: string[];
  dataDir: string;
  /** The files folder flows read and write in (default `<dataDir>/files`); see `EngineOptions.filesDir`. */
  filesDir?: string;
  logger: EngineLogger;
  /**
   * Where the engine process's own log records go (default `logger`): it limits them per node
   * before they cross, so this should not limit them again (`RuntimeLogger.unlimited`).
   */
  engineLogger?: EngineLogger;
  logLevel?: LogLevel;
  /** Time a node or resource gets to close (default 5000 ms). */
  closeTimeoutMs?: number;
  /** No heartbeat for this long ends the engine (default 5000 ms). */
  watchdogMs?: number;
  /** Memory cap of the engine process, resident (default 1024 MB); its V8 heap gets the same cap. */
  memoryMb?: number;
  /** Heartbeat period of the engine process (default 250 ms). */
  heartbeatMs?: number;
  /** Longest wait for a new engine process to load its node packages (default 60 s). */
  startTimeoutMs?: number;
  /** The engine process's entry (default the built `engine-host.process.js`). */
  entry?: string;
  /**
   * The runtime's variables, read at each deploy that brings none (a restart, recovery, boot):
   * a stored flow's `${NAME}` gets today's values. Default: none.
   */
  variables?: () => Readonly<Record<string, string>>;
  /** Size limits of the context scopes (default DEFAULT_CONTEXT_LIMITS). */
  contextLimits?: Partial<ContextLimits>;
}

/** Default watchdog timeout: no heartbeat for this long ends the engine. */
export const DEFAULT_WATCHDOG_MS = 5000;
/** Default memory cap of the engine process (MB). */
export const DEFAULT_ENGINE_MEMORY_MB = 1024;

const emptySnapshot = (): EngineSnapshot => ({ flows: {} });

/** A flow running in the engine process, as the supervisor knows it. */
interface FlowRun {
  flow: Flow;
  /** The variables it was deployed with. */
  variables: Readonly<Record<string, string>>;
  /** Hash of the flow as deployed (the flow store's hash of it); undefined when not a flow file. */
  hash: string | undefined;
  startedAt: number;
}

/** What `onRunning` listeners hear: a flow started running (a hash and since when), or stopped (undefined). */
export type RunChange = { hash: string; startedAt: number } | undefined;

/** One engine process and what the supervisor knows of it. */
interface Host {
  child: ChildProcess;
  rpc: RpcClient;
  watchdog: Watchdog;
  ready: Promise<void>;
  startedAt: number;
  pid: number | undefined;
  monitor?: MonitorReport;
  /** Set when the supervisor ends it on purpose: the reason recorded. */
  ending?: Pick<EngineEnd, 'kind' | 'reason'>;
  exited: Promise<void>;
  failReady(err: Error): void;
  markExited(): void;
  /** The exit was handled. */
  done?: boolean;
}

/**
 * Runs the engine in a child process and watches it, so that nothing a flow does (a loop, a
 * blocking node, a memory blow-up, a native crash) can stop the admin API, a deploy or SIGTERM.
 * Implements `EngineApi`: reads answer from the latest figures the engine pushed (never waiting on
 * it); calls are RPCs with deadlines. When the engine process ends (watchdog, memory cap, crash),
 * a fresh one is started with no flow, and `onEnded` listeners decide what runs next.
 */
export class EngineSupervisor extends EventEmitter<EngineEvents> implements EngineApi {
  private readonly options: Required<
    Omit<EngineSupervisorOptions, 'entry' | 'logLevel' | 'engineLogger' | 'filesDir' | 'variables' | 'contextLimits'>
  > & {
    filesDir?: string;
    variables?: () => Readonly<Record<string, string>>;
    contextLimits?: Partial<ContextLimits>;
    engineLogger: EngineLogger;
    entry: string;
    logLevel: LogLevel;
  };
  private host: Host | undefined;
  private snapshot: EngineSnapshot = emptySnapshot();
  /** The flows the engine process runs, by id, in the order they started. */
  private readonly runs = new Map<string, FlowRun>();
  /** Hashes of flows being given by deploys in progress, by flow id. */
  private readonly deploying = new Map<string, string | undefined>();
  private readonly views = new Map<string, FlowEngineView>();
  private status: EngineStateInfo['state'] = 'stopped';
  private lastEnd: EngineEnd | undefined;
  private figures: EngineProcessFigures | undefined;
  private safeMode: EngineStateInfo['safeMode'];
  private shuttingDown = false;
  private quickFailures = 0;
  /** A restart waiting out its back-off: whoever needs an engine meanwhile waits for it too. */
  private pendingRestart: { due: Promise<void>; now: () => void } | undefined;
  private readonly endListeners = new Set<(end: EngineEnd) => void>();
  private readonly runListeners = new Set<(flowId: string, run: RunChange) => void>();
  private watchTimer: NodeJS.Timeout | undefined;

  constructor(options: EngineSupervisorOptions) {
    super();
    this.options = {
      logLevel: 'info',
      closeTimeoutMs: 5000,
      watchdogMs: DEFAULT_WATCHDOG_MS,
      memoryMb: DEFAULT_ENGINE_MEMORY_MB,
      heartbeatMs: 250,
      startTimeoutMs: 60_000,
      ...options,
      engineLogger: options.engineLogger ?? options.logger,
      entry: options.entry ?? defaultEntry(),
    };
    // Debug values and samples cross the process boundary only while someone listens (the editor, a test).
    const sync = () => queueMicrotask(() => this.watchDebug());
    const watched = (name: string) => name === 'debug' || name === 'samples';
    (this as EventEmitter).on('newListener', (name: string) => watched(name) && sync());
    (this as EventEmitter).on('removeListener', (name: string) => watched(name) && sync());
  }

  /** Starts the first engine process; resolves when it is ready for a deploy. */
  async start(): Promise<void> {
    this.shuttingDown = false;
    await this.readyHost();
  }

  /**
   * The flow running, when the engine runs one flow (or the first of several): what an embedding
   * of one flow sees. Several flows are reached each through `flow(id)`.
   */
  get currentFlow(): Flow | undefined {
    return this.runs.values().next().value?.flow;
  }

  /** The engine as one flow sees it: its deploys, figures and events only. */
  flow(flowId: string): FlowEngineView {
    let view = this.views.get(flowId);
    if (!view) {
      view = new FlowEngineView(this, flowId);
      this.views.set(flowId, view);
    }
    return view;
  }

  /** Ids of the flows running now, in the order they started. */
  flowIds(): string[] {
    return [...this.runs.keys()];
  }

  /** The flow running under `flowId`, if it runs. */
  runningFlow(flowId: string): Flow | undefined {
    return this.runs.get(flowId)?.flow;
  }

  /** The process id of the engine process now, if one runs. */
  get pid(): number | undefined {
    return this.host?.pid;
  }

  /** The variables the running flow (the first, see `currentFlow`) was deployed with, undefined when none runs. */
  deployedVariables(): Readonly<Record<string, string>> | undefined {
    return this.runs.values().next().value?.variables;
  }

  /** The variables flow `flowId` was deployed with, undefined when it does not run. */
  variablesOf(flowId: string): Readonly<Record<string, string>> | undefined {
    return this.runs.get(flowId)?.variables;
  }

  /** Deploys `input` under its own id (see `deployFlow`). */
  deploy(input: unknown, options: DeployOptions = {}): Promise<DeployResult> {
    const id = isRecord(input) && typeof input.id === 'string' ? input.id : '';
    return this.deployFlow(id, input, options);
  }

  /** Deploys `input` as flow `flowId` in the engine process; the other flows run on untouched. */
  async deployFlow(flowId: string, input: unknown, options: DeployOptions = {}): Promise<DeployResult> {
    const hash = hashFlowSafe(input);
    const variables = { ...(options.variables ?? this.options.variables?.() ?? {}) };
    for (let attempt = 1; ; attempt++) {
      const host = await this.readyHost();
      const silent = host.watchdog.silentForMs();
      const stuckAfter = Math.min(this.options.watchdogMs, Math.max(2000, 4 * this.options.heartbeatMs));
      if (silent >= stuckAfter) {
        // It would be ended by the watchdog anyway; the deploy should not wait for that.
        await this.end(host, {
          kind: 'stuck-at-deploy',
          reason: `the engine sent no heartbeat for ${silent} ms when a deploy came: it was stuck`,
        });
        continue;
      }
      this.deploying.set(flowId, hash);
      try {
        const answer = await host.rpc.call<DeployAnswer>('deploy', [flowId, input, variables]);
        this.snapshot = answer.snapshot;
        if (answer.result.ok && answer.flow) {
          const startedAt = Date.now();
          this.runs.set(flowId, { flow: answer.flow, variables, hash, startedAt });
          this.safeMode = undefined;
          this.status = 'running';
          if (hash) for (const listener of this.runListeners) listener(flowId, { hash, startedAt });
        }
        return answer.result;
      } catch (err) {
        if (!(err instanceof EngineCallError) || err.code !== supervisorErrors.code.ENGINE_ENDED || attempt >= 2) {
          return {
            ok: false,
            errors: [
              {
                code: supervisorErrors.code.ENGINE_ENDED,
                path: '',
                message: `the flow could not be deployed: ${(err as Error).message}`,
              },
            ],
            warnings: [],
          };
        }
        // The engine ended during the deploy (its old flow was stuck, or this one crashed it):
        // once more on a fresh engine, which has no old flow to blame.
      } finally {
        this.deploying.delete(flowId);
      }
    }
  }

  /** Stops every flow. */
  async stop(): Promise<void> {
    await this.stopCall('stopAll', []);
    const stopped = [...this.runs.keys()];
    this.runs.clear();
    for (const id of stopped) for (const listener of this.runListeners) listener(id, undefined);
  }

  /** Stops flow `flowId` (sources first, queues drained, time-boxed); the others run on. */
  async stopFlow(flowId: string): Promise<void> {
    await this.stopCall('stop', [flowId]);
    const was = this.runs.get(flowId);
    this.runs.delete(flowId);
    if (was) for (const listener of this.runListeners) listener(flowId, undefined);
  }

  private async stopCall(method: 'stop' | 'stopAll', args: unknown[]): Promise<void> {
    const host = this.host;
    if (!host) return;
    try {
      this.snapshot = await host.rpc.call<EngineSnapshot>(method, args);
    } catch (err) {
      // An engine that ended while stopping has stopped: a fresh one runs no flow.
      if (!(err instanceof EngineCallError) || err.code !== supervisorErrors.code.ENGINE_ENDED) throw err;
    }
  }

  /**
   * Stops the flow gracefully (sources first, queue drained, nodes closed) and ends the engine
   * process, killing it when that takes longer than `limitMs`: never longer than the limit plus a
   * little, even when the engine is stuck.
   */
  async shutdown(limitMs: number): Promise<void> {
    this.shuttingDown = true;
    // Callers waiting for a restart's back-off learn now that the runtime is stopping.
    this.pendingRestart?.now();
    const host = this.host;
    if (!host) {
      if (this.watchTimer) clearInterval(this.watchTimer);
      return;
    }
    const kill = setTimeout(() => {
      this.options.logger.warn({ limitMs }, `the flow did not stop within ${limitMs} ms: the engine process is killed`);
      host.child.kill('SIGKILL');
    }, limitMs);
    try {
      await host.rpc.call('stopAll', [], limitMs);
    } catch (err) {
      this.options.logger.warn({}, `the flow did not stop cleanly: ${(err as Error).message}`);
    }
    if (host.child.connected) host.child.disconnect();
    await host.exited;
    clearTimeout(kill);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.status = 'stopped';
    this.runs.clear();
  }

  /** The figures of flow `flowId` (empty when it does not run). */
  flowSnapshot(flowId: string): FlowSnapshot {
    return this.snapshot.flows[flowId] ?? { stats: {}, statuses: {}, resources: [], nodeIds: [], slot: -1 };
  }

  // The reads of EngineApi answer for the first flow, as `currentFlow` does.
  stats(): Record<string, NodeCounters> {
    return this.firstSnapshot().stats;
  }

  statuses(): Record<string, NodeStatus> {
    return this.firstSnapshot().statuses;
  }

  resourceList(): ResourceInfo[] {
    return this.firstSnapshot().resources;
  }

  private firstSnapshot(): FlowSnapshot {
    return this.flowSnapshot(this.runs.keys().next().value ?? '');
  }

  unreachableRequiredResources(timeoutMs: number): Promise<UnreachableResource[]> {
    return this.unreachableOf(this.runs.keys().next().value ?? '', timeoutMs);
  }

  /** The required resources of flow `flowId` still unreachable after `timeoutMs`. */
  async unreachableOf(flowId: string, timeoutMs: number): Promise<UnreachableResource[]> {
    const host = await this.readyHost();
    try {
      return await host.rpc.call<UnreachableResource[]>(
        'unreachable',
        [flowId, timeoutMs],
        timeoutMs + this.options.watchdogMs,
      );
    } catch (err) {
      // The engine ended while its resources connected (a flow that hangs it at once): the flow was
      // deployed, and the end is recovery's to handle, like any other end.
      if (err instanceof EngineCallError && err.code === supervisorErrors.code.ENGINE_ENDED) return [];
      throw err;
    }
  }

  queryHistory(resourceId: string, query: HistoryQuery): Promise<unknown[]> {
    return this.queryHistoryOf(this.runs.keys().next().value ?? '', resourceId, query);
  }

  /** Runs a history query through resource `resourceId` of flow `flowId`. */
  async queryHistoryOf(flowId: string, resourceId: string, query: HistoryQuery): Promise<unknown[]> {
    const host = await this.readyHost();
    return host.rpc.call<unknown[]>('history', [flowId, resourceId, query], 30_000);
  }

  /** A person's inject on node `nodeId` of flow `flowId` (see `Engine.triggerNode`). */
  async triggerNodeOf(flowId: string, nodeId: string): Promise<TriggerOutcome> {
    const host = await this.readyHost();
    return host.rpc.call<TriggerOutcome>('trigger', [flowId, nodeId], 10_000);
  }

  /** Runs a resource tool in the engine process, so that package code stays out of this one. */
  async runResourceTool(call: ResourceToolCall): Promise<unknown> {
    const host = await this.readyHost();
    // The tool is time-boxed in the engine; the margin lets its own plain-words timeout come back.
    return host.rpc.call<unknown>('tool', [call], (call.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS) + 2000);
  }

  /** Loads (or reloads) a node package folder into the engine's registry, after an install. */
  async loadPackage(dir: string): Promise<void> {
    const host = await this.readyHost();
    await host.rpc.call('loadPackage', [dir], 30_000);
  }

  /** Removes a package's types from the engine's registry, after a removal. */
  async unloadPackage(name: string): Promise<void> {
    const host = await this.readyHost();
    await host.rpc.call('unloadPackage', [name], 30_000);
  }

  // Context lives in the engine process (it is the one writing the files): the admin API asks it.
  async contextSummary(): Promise<ContextSummary> {
    const host = await this.readyHost();
    return host.rpc.call<ContextSummary>('contextSummary', [], 10_000);
  }

  async readContext(ref: ContextScopeRef): Promise<ContextScopeView> {
    const host = await this.readyHost();
    return host.rpc.call<ContextScopeView>('readContext', [ref], 10_000);
  }

  async writeContext(ref: ContextScopeRef, key: string, value: unknown): Promise<ContextWriteResult> {
    const host = await this.readyHost();
    return host.rpc.call<ContextWriteResult>('writeContext', [ref, key, value], 10_000);
  }

  state(): EngineStateInfo {
    const info: EngineStateInfo = { state: this.safeMode ? 'safe-mode' : this.status };
    if (this.host?.pid !== undefined && this.status !== 'stopped') info.pid = this.host.pid;
    if (this.lastEnd) info.lastEnd = this.lastEnd;
    if (this.safeMode) info.safeMode = this.safeMode;
    return info;
  }

  /** Shows safe mode (no flow runs, and why) until the next successful deploy. */
  enterSafeMode(reason: string): void {
    this.safeMode = { reason, since: new Date().toISOString() };
  }

  /** Shows an end that happened before this supervisor started (a runtime that died), in `state().lastEnd`. */
  recordEnd(end: EngineEnd): void {
    this.lastEnd = end;
  }

  onEnded(listener: (end: EngineEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Calls `listener` each time the engine starts running a flow (hash of the flow as deployed), or stops it (undefined). */
  onRunning(listener: (flowId: string, run: RunChange) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** The engine process's memory and event-loop lag from its last heartbeat; undefined while none runs. */
  processFigures(): EngineProcessFigures | undefined {
    return this.figures && { ...this.figures };
  }

  /** Hash of flow `flowId` running now, and since when. */
  running(flowId: string): RunChange {
    const run = this.runs.get(flowId);
    return run?.hash ? { hash: run.hash, startedAt: run.startedAt } : undefined;
  }

  /** Ends the engine process on purpose; resolves once a fresh one is starting. */
  async end(host: Host, why: Pick<EngineEnd, 'kind' | 'reason'>): Promise<void> {
    if (host !== this.host || host.ending) return host.exited;
    host.ending = why;
    host.child.kill('SIGKILL');
    await host.exited;
  }

  private async readyHost(): Promise<Host> {
    for (;;) {
      if (this.shuttingDown) throw new EngineCallError(supervisorErrors.code.ENGINE_ENDED, 'the runtime is stopping');
      if (!this.host && this.pendingRestart) {
        // Spawning here would skip the back-off and start a process dying at load in a tight loop.
        await this.pendingRestart.due;
        continue;
      }
      if (!this.host) this.spawn('starting');
      const host = this.host as Host;
      try {
        await host.ready;
        if (host === this.host) return host;
      } catch (err) {
        // It ended while starting; the next one is on its way (or the runtime stops).
        this.options.logger.debug({ err }, 'engine process ended while starting');
        await host.exited;
      }
    }
  }

  private spawn(state: EngineStateInfo['state']): void {
    const { options } = this;
    this.status = state;
    const child = fork(options.entry, [], {
      execArgv: ['--no-node-snapshot', `--max-old-space-size=${options.memoryMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    });
    const rpc = new RpcClient((request) => (child.connected ? child.send(request) : false));
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Callers await it through readyHost, which handles the failure; this only marks it handled.
    ready.catch(() => undefined);
    let markExited: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const host: Host = {
      child,
      rpc,
      watchdog: new Watchdog({
        timeoutMs: options.watchdogMs,
        memoryMb: options.memoryMb,
        checkEveryMs: Math.min(250, options.heartbeatMs),
      }),
      ready,
      startedAt: Date.now(),
      pid: child.pid,
      exited,
      failReady,
      markExited,
    };
    this.host = host;
    const startTimer = setTimeout(() => {
      host.ending = { kind: 'crash', reason: `the engine process did not start within ${options.startTimeoutMs} ms` };
      child.kill('SIGKILL');
    }, options.startTimeoutMs);
    child.on('message', (message: FromHost) => {
      switch (message.t) {
        case 'ready':
          clearTimeout(startTimer);
          host.watchdog.beat(0);
          if (host === this.host && this.status !== 'running') this.status = 'running';
          markReady();
          this.watchDebug();
          return;
        case 'fatal':
          options.logger.error({}, `the engine process could not start: ${message.message}`);
          host.ending = { kind: 'crash', reason: `the engine process could not start: ${message.message}` };
          return;
        case 'hb':
          host.watchdog.beat(message.rss);
          if (host === this.host) this.figures = { rss: message.rss, heapUsed: message.heapUsed, lagMs: message.lagMs };
          if (message.lagMs > 1000) options.logger.debug({ lagMs: message.lagMs }, 'engine event loop lag');
          return;
        case 'events':
          if (host !== this.host) return;
          if (message.snapshot) this.snapshot = message.snapshot;
          this.relay(message.events);
          return;
        case 'snapshot':
          if (host === this.host) this.snapshot = message.snapshot;
          return;
        case 'log':
          options.engineLogger[message.level](message.obj, message.msg);
          return;
        case 'reply':
          rpc.handle(message);
          return;
      }
    });
    const monitor = child.stdio[MONITOR_FD] as Readable | undefined;
    let partial = '';
    monitor?.setEncoding('utf8');
    monitor?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const report = parseMonitorLine(line);
        if (!report) continue;
        host.monitor = report;
        host.watchdog.memory(report.rss);
      }
    });
    monitor?.on('error', (err) => options.logger.debug({ err }, 'engine monitor pipe error'));
    child.on('error', (err) => {
      // Spawning failed (no such entry, no memory): an exit may never come.
      options.logger.error({ err }, `the engine process failed: ${err.message}`);
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined)
        this.onExit(host, null, null);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(startTimer);
      this.onExit(host, code, signal);
    });
    const init: ToHost = {
      t: 'init',
      config: {
        searchDirs: options.searchDirs,
        dataDir: options.dataDir,
        filesDir: options.filesDir,
        logLevel: options.logLevel,
        closeTimeoutMs: options.closeTimeoutMs,
        heartbeatMs: options.heartbeatMs,
        snapshotMs: 250,
        eventFlushMs: 50,
        eventBatch: 500,
        contextLimits: options.contextLimits,
      } satisfies HostConfig,
    };
    if (child.connected) child.send(init);
    // Watched from the start: a process that hangs while loading its packages is ended too.
    this.watchTimer ??= setInterval(() => this.watch(), Math.min(250, options.heartbeatMs));
    this.watchTimer.unref();
  }

  private watch(): void {
    const host = this.host;
    if (!host || host.ending) return;
    if (this.shuttingDown) {
      // A stuck engine cannot stop gracefully: no need to wait for the whole stop limit.
      const verdict = host.watchdog.check();
      if (verdict) {
        this.options.logger.warn({}, `the engine is killed while stopping: ${verdict.reason}`);
        host.ending = verdict;
        host.child.kill('SIGKILL');
      }
      return;
    }
    // Before it is ready the start timeout applies, not the heartbeat.
    if (this.status === 'starting' || this.status === 'restarting') {
      host.watchdog.beat(0);
      return;
    }
    const verdict = host.watchdog.check();
    if (verdict) void this.end(host, verdict);
  }

  private onExit(host: Host, code: number | null, signal: NodeJS.Signals | null): void {
    if (host.done) return;
    host.done = true;
    const reason =
      host.ending?.reason ??
      (signal
        ? `the engine process was killed by ${signal}${signal === 'SIGKILL' ? ' (by the system: out of memory?)' : ''}`
        : `the engine process exited with code ${code}${code === 134 ? ' (aborted: a native module or V8 failed, e.g. its heap was full)' : ''}`);
    host.rpc.close(reason);
    host.failReady(new EngineCallError(supervisorErrors.code.ENGINE_ENDED, reason));
    const current = host === this.host;
    if (current) this.host = undefined;
    if (!current || this.shuttingDown) {
      host.markExited();
      return;
    }
    const now = Date.now();
    // Every flow that ran, or was being deployed: each is ended with the process.
    const flows: NonNullable<EngineEnd['flows']> = [];
    for (const [flowId, run] of this.runs)
      if (!this.deploying.has(flowId)) flows.push({ flowId, hash: run.hash, uptimeMs: now - run.startedAt });
    for (const [flowId, hash] of this.deploying) flows.push({ flowId, hash, deploying: true });
    const busy = this.busyNode(host);
    // The flow to blame: the one whose node held the thread, else the one being deployed, else
    // the only one running; unknown (undefined) when several ran and none can be told.
    const culprit =
      busy.flowId !== undefined
        ? flows.find((f) => f.flowId === busy.flowId)
        : flows.length === 1
          ? flows[0]
          : flows.filter((f) => f.deploying).length === 1
            ? flows.find((f) => f.deploying)
            : undefined;
    const end: EngineEnd = {
      at: new Date().toISOString(),
      reason,
      kind: host.ending?.kind ?? 'crash',
      ...(busy.nodeId !== undefined ? { nodeId: busy.nodeId } : {}),
      ...(busy.nodeType !== undefined ? { nodeType: busy.nodeType } : {}),
      ...(culprit ? { flowId: culprit.flowId } : {}),
      ...(culprit?.uptimeMs !== undefined ? { uptimeMs: culprit.uptimeMs } : {}),
      ...(culprit?.hash ? { flowHash: culprit.hash } : {}),
      flows,
    };
    this.lastEnd = end;
    this.figures = undefined;
    this.runs.clear();
    this.snapshot = emptySnapshot();
    const where = end.nodeId
      ? ` while node "${end.nodeId}"${end.nodeType ? ` (${end.nodeType})` : ''} was running`
      : '';
    this.options.logger.error({ kind: end.kind, node: end.nodeId }, `engine ended${where}: ${reason}`);
    // A process that keeps dying young (a package that crashes at load) is restarted ever slower.
    this.quickFailures = Date.now() - host.startedAt < 60_000 ? this.quickFailures + 1 : 0;
    const delay = this.quickFailures <= 3 ? 0 : Math.min(30_000, 500 * 2 ** (this.quickFailures - 3));
    this.status = 'restarting';
    const restart = () => {
      if (!this.shuttingDown && !this.host) this.spawn('restarting');
    };
    if (delay === 0) restart();
    else this.restartAfter(delay, restart);
    host.markExited();
    for (const listener of this.endListeners) listener(end);
  }

  /** Runs `restart` after `delayMs`, or at once when the runtime stops (which then spawns nothing). */
  private restartAfter(delayMs: number, restart: () => void): void {
    let release: () => void = () => undefined;
    const due = new Promise<void>((resolve) => (release = resolve));
    const now = () => {
      clearTimeout(timer);
      this.pendingRestart = undefined;
      restart();
      release();
    };
    const timer = setTimeout(now, delayMs);
    timer.unref();
    this.pendingRestart = { due, now };
  }

  /** The node (and its flow) that was running when the engine was ended, from the monitor thread's last report. */
  private busyNode(host: Host): { flowId?: string; nodeId?: string; nodeType?: string } {
    const index = host.monitor?.busy ?? -1;
    if (index < 0) return {};
    const slot = Math.floor(index / ACTIVITY_SLOT_SIZE);
    const entry = Object.entries(this.snapshot.flows).find(([, f]) => f.slot === slot);
    const nodeId = entry?.[1].nodeIds[index - slot * ACTIVITY_SLOT_SIZE];
    if (!entry || nodeId === undefined) return {};
    const flowId = entry[0];
    const type = this.runs.get(flowId)?.flow.nodes.find((n) => n.id === nodeId)?.type;
    return type ? { flowId, nodeId, nodeType: type } : { flowId, nodeId };
  }

  private relay(events: HostEvent[]): void {
    for (const [kind, event] of events) {
      if (kind === 'status' && event.flowId !== undefined) {
        const flow = this.snapshot.flows[event.flowId];
        if (flow) flow.statuses[event.nodeId] = event.status;
      }
      // Each kind travels with its own payload (HostEvent pairs them); emit's overloads cannot see it.
      (this.emit as (name: string, payload: unknown) => boolean)(kind, event);
    }
  }

  private watchDebug(): void {
    const host = this.host;
    if (!host?.child.connected) return;
    host.child.send({ t: 'watch-debug', on: this.listenerCount('debug') > 0 } satisfies ToHost);
    host.child.send({ t: 'watch-samples', on: this.listenerCount('samples') > 0 } satisfies ToHost);
  }
}

function hashFlowSafe(input: unknown): string | undefined {
  try {
    return hashFlow(input as Flow);
  } catch {
    // Not a flow at all (the engine refuses it with the reason); nothing runs under this hash.
    return undefined;
  }
}

/** The built entry of the engine process; from the sources (jest), the package's build. */
function defaultEntry(): string {
  const beside = path.join(__dirname, 'engine-host.process.js');
  if (existsSync(beside)) return beside;
  return path.resolve(__dirname, '../../dist/supervisor/engine-host.process.js');
}
