// The engine process's entry: `tagflow start` forks it (see EngineSupervisor). It builds the same
// node registry and engine the runtime would, runs flows, and answers the supervisor over IPC.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngineOptions } from '../engine/engine';
import { FlowSet } from '../engine/flow-set';
import type { ResourceToolCall } from '../engine/resource-tools';
import { SETTLE_MEMORY_AFTER_MS } from '../engine/settle-memory';
import type { ContextScopeRef } from '../engine/flow-state-stores';
import type { EngineLogger } from '../engine/types';
import { levelPasses } from '../log/log-level';
import { RateLimitedLogger } from '../log/rate-limited-logger';
import { PackageManager } from '../packages/package-manager';
import { discoverNodePackages } from '../registry/discover-packages';
import { loadDefinitions, readManifest, registerPackage } from '../registry/load-node-package';
import { NodeRegistry } from '../registry/node-registry';
import { usePrivateUmask } from '../store/data-dir-permissions';
import { SecretStore } from '../store/secret-store';
import { serveRpc } from './engine-rpc';
import type { HistoryQuery, TriggerOutcome } from './engine-contract';
import { MONITOR_FD } from './host-protocol';
import type { DeployAnswer, EngineSnapshot, FromHost, HostConfig, HostEvent, ToHost } from './host-protocol';
import { MONITOR_THREAD_SOURCE } from './monitor-thread';
import type { MonitorData } from './monitor-thread';
import { resolveSecret } from './secret-resolver';
import { plainData } from './plain-data';

/** Batches of events sent and not yet taken by the channel; beyond it debug values are dropped (counted). */
const MAX_BATCHES_IN_FLIGHT = 20;

function send(message: FromHost, done?: (err: Error | null) => void): void {
  if (!process.connected) return;
  process.send?.(message, undefined, {}, done ?? failedOnlyIfChannelOpen);
}

/** Errors of a write to a channel the supervisor has closed or lost: 'disconnect' follows and stops the engine in order. */
const CLOSED_CHANNEL = new Set(['EPIPE', 'ECONNRESET', 'ERR_IPC_CHANNEL_CLOSED']);

/**
 * The callback of a send that needs none. Without any, a failed write is an 'error' event on
 * `process`, which ends the engine with a stack trace on the supervisor's stderr (seen when a
 * heartbeat raced the channel's closing at a stop); any other failure still ends it.
 */
function failedOnlyIfChannelOpen(err: Error | null): void {
  if (err && !CLOSED_CHANNEL.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
}

function forwardingLogger(config: HostConfig): RateLimitedLogger {
  const level = config.logLevel;
  const sink = {} as EngineLogger;
  for (const name of ['debug', 'info', 'warn', 'error'] as const) {
    sink[name] = (obj, msg) => {
      if (levelPasses(name, level))
        send({ t: 'log', level: name, obj: plainData(obj as Record<string, unknown>), msg });
    };
  }
  sink.isLevelEnabled = (name) => name !== 'silent' && levelPasses(name as 'debug', level);
  // Limited here, before IPC: a node flooding the log must not flood the channel either.
  return new RateLimitedLogger(sink);
}

async function boot(config: HostConfig): Promise<void> {
  const logger = forwardingLogger(config);
  const registry = new NodeRegistry();
  await discoverNodePackages(config.searchDirs, registry);
  // The same data-dir packages as the supervisor; its package manager tells us of later changes.
  await PackageManager.open({ dataDir: config.dataDir, registry, logger });
  // The store re-reads its file when it changes, so secrets set through the API count at the next
  // lookup; this process only reads it.
  const secrets = await SecretStore.open(config.dataDir);
  const activity = new Int32Array(new SharedArrayBuffer(8));
  activity[1] = -1;
  // `activity` is read by engines that track the busy node (runtime/src/engine); others ignore it.
  const options = {
    registry,
    logger,
    dataDir: config.dataDir,
    filesDir: config.filesDir,
    closeTimeoutMs: config.closeTimeoutMs,
    settleMemoryAfterMs: SETTLE_MEMORY_AFTER_MS,
    secret: (name: string) => resolveSecret(name, secrets, logger),
    activity,
    context: { limits: config.contextLimits, persist: true },
  } as EngineOptions;
  const engine = new FlowSet(options);
  // Often: memory can grow by hundreds of MB between two reports of a node allocating in a loop.
  startMonitor(activity, Math.min(100, config.heartbeatMs));

  let snapshotAt = 0;
  // A flow of 100k nodes would spend its time copying counters: figures go less often as it grows.
  const snapshotEveryMs = (floor: number) => Math.max(floor, (snapshotAt === 0 ? 0 : lastNodeCount) / 20);
  let lastNodeCount = 0;
  const takeSnapshot = (): EngineSnapshot => {
    const taken = snapshot();
    snapshotAt = Date.now();
    lastNodeCount = Object.values(taken.flows).reduce((sum, f) => sum + f.nodeIds.length, 0);
    return taken;
  };
  // Counters travel with the events they explain (a node-error frame never runs ahead of /metrics).
  const dueSnapshot = () =>
    Date.now() - snapshotAt >= snapshotEveryMs(config.eventFlushMs) ? takeSnapshot() : undefined;
  const events = new EventBatcher(config, (message) => logger.warn({}, message), dueSnapshot);
  engine.on('status', (e) => events.push(['status', e]));
  engine.on('node-error', (e) => events.push(['node-error', e]));
  engine.on('deployed', (e) => events.push(['deployed', e]));
  const onDebug = (e: HostEvent[1]) => events.push(['debug', e] as HostEvent);
  const onSamples = (e: HostEvent[1]) => events.push(['samples', e] as HostEvent);
  const snapshot = (): EngineSnapshot => {
    const flows: EngineSnapshot['flows'] = {};
    for (const id of engine.flowIds()) {
      const flow = engine.engine(id);
      if (!flow) continue;
      flows[id] = {
        stats: flow.stats(),
        statuses: flow.statuses(),
        resources: flow.resourceList(),
        nodeIds: flow.nodeIds(),
        slot: engine.slotOf(id) ?? 0,
      };
    }
    return { flows };
  };
  const running = (flowId: string) => {
    const flow = engine.engine(flowId);
    if (!flow) throw new Error(`flow "${flowId}" does not run`);
    return flow;
  };

  const handle = serveRpc(
    {
      deploy: async (flowId: string, flow: unknown, variables?: Record<string, string>): Promise<DeployAnswer> => {
        const result = await engine.deploy(flowId, flow, variables ? { variables } : {});
        events.flush();
        return { result, flow: engine.engine(flowId)?.currentFlow ?? null, snapshot: snapshot() };
      },
      stop: async (flowId: string): Promise<EngineSnapshot> => {
        await engine.stop(flowId);
        events.flush();
        return snapshot();
      },
      stopAll: async (): Promise<EngineSnapshot> => {
        await engine.stopAll();
        events.flush();
        // The count of lines held back so far, as `tagflow run` writes it when it stops.
        logger.flush();
        return snapshot();
      },
      unreachable: async (flowId: string, timeoutMs: number) =>
        engine.engine(flowId)?.unreachableRequiredResources(timeoutMs) ?? [],
      history: (flowId: string, id: string, query: HistoryQuery) => running(flowId).queryHistory(id, query),
      trigger: async (flowId: string, nodeId: string): Promise<TriggerOutcome> => {
        const flow = engine.engine(flowId);
        if (!flow) return { ok: false, reason: 'not-running', message: `flow "${flowId}" does not run` };
        const outcome = await flow.triggerNode(nodeId);
        // The message it sent shows in the editor at once, not at the next batch.
        events.flush();
        return outcome;
      },
      tool: (call: ResourceToolCall) => engine.runResourceTool(call),
      loadPackage: (dir: string) => {
        const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
        const manifest = readManifest(json, dir);
        const loaded = loadDefinitions(manifest);
        registry.unregisterPackage(manifest.name);
        registerPackage(registry, loaded);
      },
      unloadPackage: (name: string) => registry.unregisterPackage(name),
      contextSummary: () => engine.contextSummary(),
      readContext: (ref: ContextScopeRef) => engine.readContext(ref),
      writeContext: (ref: ContextScopeRef, key: string, value: unknown) => engine.writeContext(ref, key, value),
    },
    (answer) => send(answer),
  );
  process.on('message', (message: ToHost) => {
    if (message.t === 'call') handle(message);
    else if (message.t === 'watch-debug') {
      engine.off('debug', onDebug);
      if (message.on) engine.on('debug', onDebug);
    } else if (message.t === 'watch-samples') {
      engine.off('samples', onSamples);
      if (message.on) engine.on('samples', onSamples);
    }
  });
  // The supervisor is gone (it stops us by closing the channel once the flow stopped, or it died).
  process.on('disconnect', () => {
    const limit = setTimeout(() => process.exit(0), config.closeTimeoutMs * 2 + 1000);
    limit.unref();
    engine.stopAll().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });

  let expected = Date.now() + config.heartbeatMs;
  setInterval(() => {
    const now = Date.now();
    const lagMs = Math.max(0, now - expected);
    expected = now + config.heartbeatMs;
    const memory = process.memoryUsage();
    send({ t: 'hb', rss: memory.rss, heapUsed: memory.heapUsed, lagMs });
  }, config.heartbeatMs);
  const snapshotTimer = (): void => {
    if (Date.now() - snapshotAt >= snapshotEveryMs(config.snapshotMs))
      send({ t: 'snapshot', snapshot: takeSnapshot() });
    setTimeout(snapshotTimer, snapshotEveryMs(config.snapshotMs));
  };
  setTimeout(snapshotTimer, config.snapshotMs);
  send({ t: 'ready', pid: process.pid });
}

/** Sends engine events in order, in batches, so that a flood of debug values does not flood IPC. */
class EventBatcher {
  private queue: HostEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private droppedDebug = 0;

  constructor(
    private readonly config: HostConfig,
    private readonly warn: (message: string) => void,
    private readonly snapshot: () => EngineSnapshot | undefined,
  ) {}

  push(event: HostEvent): void {
    if (event[0] === 'debug' && this.inFlight >= MAX_BATCHES_IN_FLIGHT) {
      this.droppedDebug++;
      return;
    }
    this.queue.push(event);
    if (this.queue.length >= this.config.eventBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.config.eventFlushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.droppedDebug > 0) {
      this.warn(`${this.droppedDebug} debug values dropped: they came faster than the runtime could pass them on`);
      this.droppedDebug = 0;
    }
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    this.inFlight++;
    const done = () => this.inFlight--;
    const snapshot = this.snapshot();
    try {
      send({ t: 'events', events, ...(snapshot ? { snapshot } : {}) }, done);
    } catch (err) {
      // A value that cannot cross (a function, a symbol in a debug value): send each event as plain data.
      const plain = events.map(([kind, e]) => [kind, plainData(e)] as HostEvent);
      send({ t: 'events', events: plain, ...(snapshot ? { snapshot } : {}) }, done);
      if (!(err instanceof Error) || err.name !== 'DataCloneError') throw err;
    }
  }
}

function startMonitor(activity: Int32Array, intervalMs: number): void {
  const data: MonitorData = { activity, fd: MONITOR_FD, intervalMs, parentPid: process.ppid };
  const worker = new Worker(MONITOR_THREAD_SOURCE, { eval: true, workerData: data });
  worker.unref();
  worker.on('error', (err: Error) =>
    send({ t: 'log', level: 'error', obj: {}, msg: `engine monitor thread failed: ${err.message}` }),
  );
}

// Inherited from `tagflow start` already; set again so that an engine started any other way still
// keeps what flows write (outboxes, history, files) for the runtime's user only.
usePrivateUmask();
// Ctrl-C and systemd signal the whole process group: the supervisor decides how the flow stops.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.once('message', (message: ToHost) => {
  if (message.t !== 'init') return;
  boot(message.config).catch((err: unknown) => {
    send({ t: 'fatal', message: err instanceof Error ? err.message : String(err) }, () => process.exit(1));
  });
});
