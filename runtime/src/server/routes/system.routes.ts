import { resolveFlowVariables, subflowStatusNodes } from '@tagflow/flow-model';
import type { NodeStatus } from '@tagflow/node-sdk';
import type { NodeCounters } from '../../engine/types';
import type { RouteContext, RouteDef } from '../route-types';

/** Liveness, runtime status and Prometheus metrics. */
export function systemRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      role: 'public',
      summary: 'Liveness probe; says nothing else (no version, no flow), since anyone may call it.',
      responses: { '200': '{status: ok}' },
      handler(_req, res) {
        res.json({ status: 'ok' });
      },
    },
    {
      method: 'GET',
      path: '/api/status',
      role: 'viewer',
      summary:
        'The current flow version, each running node status and counters, the uptime, and the versions of tagflow and Node.js.',
      responses: {
        '200':
          '{flow: {id, version, hash} | null, engine: {state, pid?, flowVersion?, lastEnd?, safeMode?}, nodes: {[id]: {status, counters}}, uptimeSeconds, runtime: {version, node, platform}}',
      },
      handler(_req, res) {
        const current = ctx.flows.current();
        const statuses = ctx.engine.statuses();
        const nodes: Record<string, { status: NodeStatus | null; counters: NodeCounters }> = {};
        for (const [id, counters] of Object.entries(ctx.engine.stats()))
          nodes[id] = { status: statuses[id] ?? null, counters };
        // A subflow instance runs as its inner nodes: it shows its subflow's status node.
        const catalog = ctx.registry.catalog();
        const written = current && resolveFlowVariables(current.flow, catalog, ctx.variables?.all() ?? {}).flow;
        const shown = written ? subflowStatusNodes(written, catalog) : {};
        for (const [instance, inner] of Object.entries(shown))
          if (nodes[inner]) nodes[instance] = { status: nodes[inner].status, counters: nodes[inner].counters };
        const engine = ctx.engine.state?.() ?? { state: ctx.engine.currentFlow ? 'running' : 'stopped' };
        // The version the engine runs is the current one whenever a flow runs (safe mode runs none).
        if (current && ctx.engine.currentFlow && engine.state === 'running')
          engine.flowVersion = current.version.version;
        res.json({
          flow: current
            ? { id: current.version.flowId, version: current.version.version, hash: current.version.hash }
            : null,
          engine,
          nodes,
          uptimeSeconds: Math.floor(process.uptime()),
          runtime: { version: ctx.version, node: process.version, platform: `${process.platform}-${process.arch}` },
        });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      role: 'viewer',
      summary:
        'Prometheus metrics: per-node message, error, queue and backlog figures, deploys, dropped events, process.',
      produces: 'text/plain',
      responses: { '200': 'Prometheus text exposition format' },
      async handler(_req, res) {
        const text = await ctx.metrics.registry.metrics();
        // Written as a string, not through send(): send() copies the text into a Buffer, whose memory
        // lies outside the V8 heap, and a Buffer that outlives two young collections while the reply
        // is built and written is freed only by a major one, which this quiet process runs seldom.
        // Scraped every few seconds, those Buffers piled up in the admin process to about 10 MB
        // before a major collection came (the soak, issue 14). A string is copied for the socket and
        // that copy freed as soon as it is written.
        res.type(ctx.metrics.registry.contentType);
        res.setHeader('Content-Length', Buffer.byteLength(text));
        res.end(text);
      },
    },
  ];
}
