import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { NodeStatus } from '@tagflow/node-sdk';
import type { RuntimeFlowsApi } from '../admin/runtime-flows-types';
import type { NodeCounters } from '../engine/types';
import type { EngineApi, EngineProcessFigures } from '../supervisor/engine-contract';

/** The server's Prometheus metrics, in a registry of its own (two servers in one process do not clash). */
export interface AdminMetrics {
  registry: Registry;
  /** Counts one deploy or rollback request by outcome (`deployed`, `rejected`, `conflict`...). */
  deploys: Counter<'outcome'>;
  /** Counts WebSocket frames dropped because a client did not keep up. */
  eventsDropped: Counter;
}

/**
 * Node metrics are read from the engine when scraped (the engine keeps the counters; copying them
 * on every message would cost on the hot path). A node restarted by a redeploy starts its counters
 * again from zero, which Prometheus reads as a counter reset.
 */
export function createMetrics(runtime: RuntimeFlowsApi, engine: EngineApi): AdminMetrics {
  const registry = new Registry();
  // Every running flow's nodes, labelled with the flow: node ids repeat across flows.
  const eachNode = (visit: (flow: string, node: string, counters: NodeCounters, status?: NodeStatus) => void) => {
    for (const flow of runtime.ids()) {
      const view = runtime.get(flow)?.engine;
      if (!view?.currentFlow) continue;
      const statuses = view.statuses();
      for (const [node, counters] of Object.entries(view.stats())) visit(flow, node, counters, statuses[node]);
    }
  };
  const perNode = (name: string, help: string, pick: (c: NodeCounters) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['flow', 'node'],
      registers: [registry],
      collect() {
        this.reset();
        eachNode((flow, node, counters) => this.inc({ flow, node }, pick(counters)));
      },
    });
  perNode('tagflow_messages_in_total', 'Messages delivered to a node.', (c) => c.in);
  perNode('tagflow_messages_out_total', 'Messages a node sent.', (c) => c.out);
  perNode('tagflow_node_errors_total', 'Errors a node raised.', (c) => c.errors);
  // Every message lost anywhere is here, by reason; a flow that lost nothing shows no series at all.
  const perReason = (name: string, help: string, pick: (c: NodeCounters) => Record<string, number>) =>
    new Counter({
      name,
      help,
      labelNames: ['flow', 'node', 'reason'],
      registers: [registry],
      collect() {
        this.reset();
        eachNode((flow, node, counters) => {
          for (const [reason, count] of Object.entries(pick(counters))) this.inc({ flow, node, reason }, count);
        });
      },
    });
  perReason(
    'tagflow_messages_dropped_total',
    "Messages discarded at a node, by reason: queue-full (input queue overflow, or a source ignoring block), buffer-full (store-and-forward drop-oldest), loop (hop limit), closed, or the node's own (e.g. full, reset, stopped, over-limit).",
    (c) => c.drops,
  );
  perReason(
    'tagflow_source_skipped_total',
    "Ticks or polls a source skipped, by reason: held (the flow downstream was full under overflow block) or the node's own (e.g. busy).",
    (c) => c.skips,
  );
  new Gauge({
    name: 'tagflow_queue_depth',
    help: 'Messages waiting in a node input queue.',
    labelNames: ['flow', 'node'],
    registers: [registry],
    collect() {
      this.reset();
      eachNode((flow, node, counters) => this.set({ flow, node }, counters.queued));
    },
  });
  new Gauge({
    name: 'tagflow_buffer_backlog',
    help: 'Messages waiting in a node store-and-forward buffer, as last reported in its status.',
    labelNames: ['flow', 'node'],
    registers: [registry],
    collect() {
      this.reset();
      eachNode((flow, node, _counters, status) => {
        if (typeof status?.backlog === 'number') this.set({ flow, node }, status.backlog);
      });
    },
  });
  const deploys = new Counter({
    name: 'tagflow_deploys_total',
    help: 'Deploy and rollback requests by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const eventsDropped = new Counter({
    name: 'tagflow_events_dropped_total',
    help: 'WebSocket event frames dropped for slow clients.',
    registers: [registry],
  });
  // The engine runs in a process of its own under `tagflow start`: the default metrics below are
  // this (the admin) process's, so the engine's memory and lag come from its heartbeats.
  const engineFigure = (name: string, help: string, read: (f: EngineProcessFigures) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const figures = engine.processFigures?.();
        if (figures) this.set(read(figures));
        else this.reset();
      },
    });
  engineFigure('tagflow_engine_resident_memory_bytes', 'Resident memory of the engine process.', (f) => f.rss);
  engineFigure('tagflow_engine_heap_used_bytes', 'V8 heap in use in the engine process.', (f) => f.heapUsed);
  engineFigure(
    'tagflow_engine_eventloop_lag_seconds',
    "The engine process's event-loop lag at its last heartbeat.",
    (f) => f.lagMs / 1000,
  );
  collectDefaultMetrics({ register: registry });
  return { registry, deploys, eventsDropped };
}
