import { resolveFlowVariables, subflowStatusNodes } from '@tagflow/flow-model';
import type { NodeStatus } from '@tagflow/node-sdk';
import type { NodeCounters } from '../../engine/types';
import { HttpError } from '../http-error';
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
        "One flow's version (flow=ID, default the first flow), each of its running nodes' status and counters, every flow's summary, the engine's state, the uptime, and the versions of tagflow and Node.js.",
      query: [
        {
          name: 'flow',
          description: "the flow whose version and nodes to show (default: the runtime's first flow)",
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200':
          '{flow: {id, version, hash} | null, engine: {state, pid?, flowVersion?, lastEnd?, safeMode?}, nodes: {[id]: {status, counters}}, flows: FlowSummary[], uptimeSeconds, runtime: {version, node, platform}}',
        '404': 'flow= names no flow of this runtime',
      },
      handler(req, res) {
        const asked = typeof req.query.flow === 'string' && req.query.flow !== '' ? req.query.flow : undefined;
        const flowId = asked ?? ctx.runtime.ids()[0];
        const flow = flowId === undefined ? undefined : ctx.runtime.get(flowId);
        if (asked !== undefined && !flow) throw new HttpError(404, `this runtime has no flow "${asked.slice(0, 100)}"`);
        const current = flow?.history.current();
        const running = flow?.engine.currentFlow !== undefined;
        const statuses = running && flow ? flow.engine.statuses() : {};
        const nodes: Record<string, { status: NodeStatus | null; counters: NodeCounters }> = {};
        if (running && flow)
          for (const [id, counters] of Object.entries(flow.engine.stats()))
            nodes[id] = { status: statuses[id] ?? null, counters };
        // A subflow instance runs as its inner nodes: it shows its subflow's status node.
        const catalog = ctx.registry.catalog();
        const written = current && resolveFlowVariables(current.flow, catalog, ctx.variables?.all() ?? {}).flow;
        const shown = written ? subflowStatusNodes(written, catalog) : {};
        for (const [instance, inner] of Object.entries(shown))
          if (nodes[inner]) nodes[instance] = { status: nodes[inner].status, counters: nodes[inner].counters };
        const engine = ctx.engine.state?.() ?? { state: running ? 'running' : 'stopped' };
        // The version the engine runs is the current one whenever a flow runs (safe mode runs none).
        if (current && running && engine.state === 'running') engine.flowVersion = current.version.version;
        res.json({
          flow: current
            ? { id: current.version.flowId, version: current.version.version, hash: current.version.hash }
            : null,
          engine,
          nodes,
          flows: ctx.runtime.summaries(),
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
