import { supervisorErrors } from '../../error-codes';
import type { EngineApi, HistoryQuery } from '../../supervisor/engine-contract';
import { EngineCallError } from '../../supervisor/engine-rpc';
import { HttpError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';

const MAX_LIMIT = 100_000;

/** History of tags, read through a resource of the running flow that can answer it (a historian). */
export function historyRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/history',
      role: 'viewer',
      summary:
        "Values of tags over a time range, from a historian resource of the running flow (the editor's trend charts).",
      query: [
        {
          name: 'flow',
          description: 'the flow whose resource to ask (default: the first running flow that has it)',
          schema: { type: 'string' },
        },
        {
          name: 'resource',
          description: 'id of the historian resource (default: the only resource answering history queries)',
          schema: { type: 'string' },
        },
        { name: 'tags', description: 'tag names, comma-separated', schema: { type: 'string' } },
        {
          name: 'since',
          description: 'milliseconds back from now (default 3600000)',
          schema: { type: 'integer', minimum: 1 },
        },
        {
          name: 'bucketMs',
          description: 'downsample: min, max, mean and count per bucket of this many milliseconds',
          schema: { type: 'integer', minimum: 1 },
        },
        {
          name: 'limit',
          description: `most rows per tag (default 2000, at most ${MAX_LIMIT})`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
        },
      ],
      responses: {
        '200': 'rows oldest first: {tag, ts, value, text, quality}, or {tag, ts, min, max, mean, count} per bucket',
        '400': 'a query parameter is missing or malformed',
        '404': 'the running flow has no such resource, or it cannot answer history queries',
        '503': 'the historian is not connected now',
      },
      async handler(req, res) {
        const { resource, tags, since, bucketMs, limit, flow } = req.query;
        if (typeof tags !== 'string' || tags.trim() === '')
          throw new HttpError(400, 'tags is required: one or more tag names, comma-separated');
        const sinceMs = integer(since, 'since', 3_600_000, Number.MAX_SAFE_INTEGER);
        const flowId = typeof flow === 'string' && flow !== '' ? flow : undefined;
        if (flowId !== undefined && !ctx.runtime.get(flowId))
          throw new HttpError(404, `this runtime has no flow "${flowId.slice(0, 100)}"`);
        const views = runningViews(ctx, flowId);
        const id = typeof resource === 'string' && resource !== '' ? resource : onlyHistorian(views);
        const found = views.map((v) => ({ engine: v, listed: v.resourceList().find((r) => r.id === id) }));
        const { engine, listed } = found.find((f) => f.listed?.connected) ?? found.find((f) => f.listed) ?? {};
        if (!engine || !listed) throw new HttpError(404, `the running flow has no resource "${id}"`);
        if (!listed.connected)
          throw new HttpError(503, `resource "${id}" (${listed.type}) is not connected now; try again when it is`);
        if (!listed.answersHistory)
          throw new HttpError(404, `resource "${id}" (${listed.type}) cannot answer history queries`);
        const to = Date.now() + 1;
        const rows = await ask(engine, id, {
          tags: tags
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== ''),
          from: to - sinceMs,
          to,
          bucketMs: bucketMs === undefined ? undefined : integer(bucketMs, 'bucketMs', 0, Number.MAX_SAFE_INTEGER),
          limit: integer(limit, 'limit', 2000, MAX_LIMIT),
        });
        res.json(rows);
      },
    },
  ];
}

/** Asks the engine; an engine that ended or is stuck is a 503 in its own words, not an internal error. */
async function ask(engine: EngineApi, id: string, query: HistoryQuery): Promise<unknown[]> {
  try {
    return await engine.queryHistory(id, query);
  } catch (err) {
    if (err instanceof EngineCallError && err.code !== supervisorErrors.code.ENGINE_FAILED)
      throw new HttpError(503, `the history query could not be run: ${err.message}`);
    throw err;
  }
}

/** The engine views of the running flows (`flowId`'s only, when given), in the runtime's order. */
function runningViews(ctx: RouteContext, flowId: string | undefined): EngineApi[] {
  const ids = flowId === undefined ? ctx.runtime.ids() : [flowId];
  return ids.flatMap((id) => {
    const view = ctx.runtime.get(id)?.engine;
    return view?.currentFlow ? [view] : [];
  });
}

/** The one resource of the running flows that answers history queries now. */
function onlyHistorian(views: EngineApi[]): string {
  const readers = [
    ...new Map(
      views
        .flatMap((v) => v.resourceList())
        .filter((r) => r.connected && r.answersHistory)
        .map((r) => [r.id, r]),
    ).values(),
  ];
  if (readers.length === 1) return readers[0].id;
  if (readers.length === 0)
    throw new HttpError(404, 'no resource of the running flow answers history queries now (is a historian connected?)');
  throw new HttpError(
    400,
    `${readers.length} resources answer history queries (${readers.map((h) => h.id).join(', ')}): choose one with resource=`,
  );
}

function integer(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new HttpError(400, `${name} must be a whole number from 1 to ${max}`);
  }
  return Number(value);
}
