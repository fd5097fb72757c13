import { debugValue, DebugLog, EngineWatch, NodeErrorTally, seriesKey, SeriesStore } from '../../state';
import type { PortSample, SeriesShape } from '../../state';
import type { EventFrame, EventsState } from '../../api/events';
import type { EngineStateInfo, NodeStatus } from '../../api/types';

/** One line of the debug sidebar: a debug node's value, or a node's error. */
export interface DebugEntry {
  kind: 'debug' | 'error';
  nodeId: string;
  name?: string;
  data: unknown;
  time: number;
  /** Unique per entry, for React keys. */
  seq: number;
}

/** A series a node's trend can show: one of its output ports, or (for a node without outputs) what it receives. */
export interface TrendPort {
  /** The node whose output it is. */
  nodeId: string;
  port: string;
  /** The `SeriesStore` key. */
  key: string;
  shape: SeriesShape;
}

/**
 * What the runtime tells the editor while it runs: node statuses, the debug log, trend series
 * (from the runtime's per-node `samples` frames), recent errors per node.
 * Mutable and fed by the WebSocket; React reads it through `useLive` (re-rendered at most once a frame).
 */
export class LiveStore {
  readonly statuses = new Map<string, NodeStatus>();
  readonly debug = new DebugLog<DebugEntry>(500);
  readonly series = new SeriesStore({ windowMs: 5 * 60_000, maxPoints: 1500 });
  /** Each node's recent errors, for the error badge on the node. */
  readonly errors = new NodeErrorTally();
  /** Output ports of each node the runtime sent samples of, in the order first seen. */
  private readonly sampledPorts = new Map<string, string[]>();
  connection: EventsState = 'connecting';
  dropped = 0;
  /** Safe mode, the last end of the engine, a restart under way (the banner and the live indicator). */
  readonly engine = new EngineWatch(readDismissedEnd());
  /** What feeds each node of the running flow (node and port): a node without outputs trends what it receives. */
  private feeders = new Map<string, Array<{ source: string; port: string }>>();
  /** Ids of the running flow's nodes (undefined before a deploy or load told them). */
  private running: Set<string> | undefined;
  /** Debug nodes of the running flow that show the whole message (their data has payload and topic). */
  private wholeMessage = new Set<string>();
  /** The topic of each node's latest message, when a debug node showed it. */
  private topics = new Map<string, string>();
  private revision = 0;
  private seq = 0;
  private listeners = new Set<() => void>();
  private scheduled = false;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getRevision = (): number => this.revision;

  /**
   * Tells the running flow: its edges (a node without outputs trends what feeds it) and nodes
   * (which run, which debug nodes show whole messages). Call after each deploy or load.
   */
  setFeeders(
    edges: readonly { source: string; target: string; sourcePort?: string }[],
    nodes: readonly { id: string; type: string; config?: Record<string, unknown> }[] = [],
  ): void {
    this.feeders.clear();
    for (const e of edges)
      this.feeders.set(e.target, [
        ...(this.feeders.get(e.target) ?? []),
        { source: e.source, port: e.sourcePort ?? 'out' },
      ]);
    this.wholeMessage.clear();
    for (const n of nodes) if (n.type === 'debug' && n.config?.property === 'msg') this.wholeMessage.add(n.id);
    this.running = new Set(nodes.map((n) => n.id));
  }

  /** Whether the running flow has node `nodeId`; undefined when the running flow is not known yet. */
  isRunning(nodeId: string): boolean | undefined {
    return this.running?.has(nodeId);
  }

  /** Whether the debug node `nodeId` shows whole messages (its values' paths start at the message). */
  showsWholeMessage(nodeId: string): boolean {
    return this.wholeMessage.has(nodeId);
  }

  /**
   * The series a trend of `nodeId` can show: its output ports the runtime sampled; for a node
   * without outputs (`fromInputs`: a publisher, a debug node), the ports that feed it.
   */
  trendPorts(nodeId: string, fromInputs = false): TrendPort[] {
    if (!fromInputs) return (this.sampledPorts.get(nodeId) ?? []).map((port) => this.trendPort(nodeId, port));
    return (this.feeders.get(nodeId) ?? [])
      .filter((f) => this.sampledPorts.get(f.source)?.includes(f.port))
      .map((f) => this.trendPort(f.source, f.port));
  }

  private trendPort(nodeId: string, port: string): TrendPort {
    const key = seriesKey(nodeId, port);
    return { nodeId, port, key, shape: this.series.shape(key) };
  }

  /** The topic of `nodeId`'s latest message, if a debug node showing whole messages told it. */
  lastTopic(nodeId: string): string | undefined {
    return this.topics.get(nodeId);
  }

  setConnection(state: EventsState): void {
    this.connection = state;
    this.changed();
  }

  /** Running node id -> the subflow instances showing its status (see `setStatusAliases`). */
  private statusAliases = new Map<string, string[]>();

  /** Which instances show which running node's status: `{ instance: node }` (`subflowStatusNodes`). */
  setStatusAliases(shown: Readonly<Record<string, string>>): void {
    this.statusAliases = new Map();
    for (const [instance, node] of Object.entries(shown))
      this.statusAliases.set(node, [...(this.statusAliases.get(node) ?? []), instance]);
  }

  /** Statuses from GET /api/status (replacing what the WebSocket said before). */
  setStatuses(nodes: Record<string, { status: NodeStatus | null }>): void {
    this.statuses.clear();
    for (const [id, { status }] of Object.entries(nodes)) if (status) this.statuses.set(id, status);
    this.changed();
  }

  /**
   * Messages per second each node handled, from two successive GET /api/status counter readings
   * (`in`, or `out` for a source). The WebSocket carries no counters: polling every few seconds is
   * cheap and keeps the rate honest.
   */
  readonly rates = new Map<string, number>();
  private lastCounters: { at: number; counts: Map<string, number> } | undefined;

  setCounters(nodes: Record<string, { counters?: Record<string, number> }>, at: number): void {
    const counts = new Map(
      Object.entries(nodes).map(([id, n]) => [id, Math.max(n.counters?.in ?? 0, n.counters?.out ?? 0)]),
    );
    const previous = this.lastCounters;
    this.lastCounters = { at, counts };
    if (!previous || at <= previous.at) return;
    this.rates.clear();
    for (const [id, count] of counts) {
      const before = previous.counts.get(id);
      // A restarted node starts counting from 0 again: no rate until the next reading.
      if (before !== undefined && count >= before) this.rates.set(id, ((count - before) * 1000) / (at - previous.at));
    }
    this.changed();
  }

  /** The engine's state from GET /api/status. */
  setEngine(engine: EngineStateInfo | undefined): void {
    if (this.engine.fromStatus(engine, Date.now())) this.changed();
  }

  /** Hides the engine-end notice, also after a reload of this tab. */
  dismissEngineNotice(): void {
    this.engine.dismiss();
    const at = this.engine.dismissedAt;
    if (at !== undefined && typeof sessionStorage !== 'undefined') sessionStorage.setItem(DISMISSED_END_KEY, at);
    this.changed();
  }

  handle(frame: EventFrame): void {
    if (this.engine.handle(frame)) this.changed();
    const time = typeof frame.time === 'number' ? frame.time : Date.now();
    switch (frame.type) {
      case 'status':
        if (frame.nodeId && frame.status && typeof frame.status === 'object') {
          this.statuses.set(frame.nodeId, frame.status as NodeStatus);
          // A subflow instance shows the status of its subflow's status node (`pump1~limit`).
          for (const instance of this.statusAliases.get(frame.nodeId) ?? [])
            this.statuses.set(instance, frame.status as NodeStatus);
        }
        break;
      case 'debug': {
        if (!frame.nodeId) break;
        this.debug.add({
          kind: 'debug',
          nodeId: frame.nodeId,
          name: frame.name as string | undefined,
          data: frame.data,
          time,
          seq: ++this.seq,
        });
        // Trends come from the runtime's samples; a debug value still tells the topic (for history).
        const { topic } = debugValue(frame.data, this.wholeMessage.has(frame.nodeId), frame.topic);
        if (topic !== undefined)
          for (const f of [{ source: frame.nodeId }, ...(this.feeders.get(frame.nodeId) ?? [])])
            this.topics.set(f.source, topic);
        break;
      }
      case 'samples':
        if (!Array.isArray(frame.samples)) break;
        for (const sample of frame.samples as PortSample[]) this.addSample(sample, time);
        break;
      case 'node-error': {
        const nodeId = String(frame.nodeId ?? '');
        const message = typeof frame.message === 'string' ? frame.message : JSON.stringify(frame);
        this.debug.add({ kind: 'error', nodeId, data: message, time, seq: ++this.seq });
        this.errors.add(nodeId, message, time);
        break;
      }
      case 'dropped':
        this.dropped += Number(frame.count ?? 0);
        break;
      default:
        return;
    }
    this.changed();
  }

  private addSample(sample: PortSample, time: number): void {
    if (typeof sample?.nodeId !== 'string' || typeof sample.port !== 'string') return;
    if (!this.series.addSample(seriesKey(sample.nodeId, sample.port), time, sample)) return;
    const ports = this.sampledPorts.get(sample.nodeId) ?? [];
    if (!ports.includes(sample.port)) this.sampledPorts.set(sample.nodeId, [...ports, sample.port]);
    if (typeof sample.topic === 'string' && sample.topic !== '') this.topics.set(sample.nodeId, sample.topic);
  }

  /** Notifies listeners once per animation frame at most: a fast flow sends hundreds of frames a second. */
  changed(): void {
    this.revision += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    const flush = () => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible')
      requestAnimationFrame(flush);
    else setTimeout(flush, 100);
  }
}

const DISMISSED_END_KEY = 'tagflow.dismissedEngineEnd';

function readDismissedEnd(): string | undefined {
  return typeof sessionStorage === 'undefined' ? undefined : (sessionStorage.getItem(DISMISSED_END_KEY) ?? undefined);
}
