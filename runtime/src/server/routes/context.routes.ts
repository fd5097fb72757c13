import { sdkErrors } from '@tagflow/node-sdk';
import { EXPANDED_ID_PATTERN, ID_PATTERN } from '@tagflow/flow-model';
import type { Request } from 'express';
import type { ContextScopeRef } from '../../engine/flow-state-stores';
import type { EngineApi } from '../../supervisor/engine-contract';
import { EngineCallError } from '../../supervisor/engine-rpc';
import { HttpError, sendError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';
import { recordAudit } from './record-audit';

const MAX_KEY_CHARS = 1024;
const ID = new RegExp(ID_PATTERN);
// A node of a subflow instance runs as `instance~inner` (see SUBFLOW_ID_SEPARATOR).
const NODE_ID = new RegExp(EXPANDED_ID_PATTERN);

/** The three kinds of scope, each under its own path: `/api/context/global`, `.../flows/:flowId`, `.../flows/:flowId/nodes/:nodeId`. */
const SCOPES: Array<{ path: string; name: string; ref(req: Request): ContextScopeRef }> = [
  { path: '/api/context/global', name: 'the global context', ref: () => ({ scope: 'global' }) },
  {
    path: '/api/context/flows/:flowId',
    name: "a flow's shared context",
    ref: (req) => ({ scope: 'flow', flowId: idOf(req.params.flowId, 'flow') }),
  },
  {
    path: '/api/context/flows/:flowId/nodes/:nodeId',
    name: "a node's own context",
    ref: (req) => ({ scope: 'node', flowId: idOf(req.params.flowId, 'flow'), nodeId: idOf(req.params.nodeId, 'node') }),
  },
];

/**
 * Flow state (node, flow and global context), kept by the engine process in the data dir. It may
 * hold plant data: viewers read it, as they read debug values; deployers, who run flows, set and
 * delete keys, and each change is in the audit log. The engine owns the values (it writes the
 * files), so every call goes to it, through the supervisor when it runs in its own process.
 */
export function contextRoutes(ctx: RouteContext): RouteDef[] {
  const routes: RouteDef[] = [
    {
      method: 'GET',
      path: '/api/context',
      role: 'viewer',
      summary:
        'Every context scope (global, each flow, each node) with its key count, size, limit and refused writes, and problems keeping them.',
      responses: {
        '200':
          '{persisted, limits: {nodeBytes, flowBytes, globalBytes}, scopes: [{scope, flowId?, nodeId?, keys, bytes, limitBytes, refusedWrites, lastRefusal?}], failedWrites, problems: string[]}',
        '503': 'the engine cannot answer now (it is restarting)',
      },
      async handler(_req, res) {
        res.json(await engineCall(ctx.engine, (engine) => engine.contextSummary?.()));
      },
    },
  ];
  for (const scope of SCOPES) {
    routes.push(
      {
        method: 'GET',
        path: scope.path,
        role: 'viewer',
        summary: `The keys and values of ${scope.name}, with its size, limit and refused writes.`,
        responses: {
          '200':
            '{scope, flowId?, nodeId?, keys, bytes, limitBytes, refusedWrites, lastRefusal?, entries: [{key, value}]}',
          '400': 'a flow or node id is malformed',
          '503': 'the engine cannot answer now',
        },
        async handler(req, res) {
          const ref = scope.ref(req);
          res.json(await engineCall(ctx.engine, (engine) => engine.readContext?.(ref)));
        },
      },
      {
        method: 'PUT',
        path: `${scope.path}/keys/:key`,
        role: 'deployer',
        summary: `Sets a key of ${scope.name} to any JSON value; nodes see it at their next read.`,
        jsonBody: { description: '{value: any JSON}', schema: { type: 'object', required: ['value'] } },
        responses: {
          '200': '{key, value}: stored',
          '400': 'no value, or a malformed id or key',
          '413': 'the scope would pass its size limit (CONTEXT_FULL); nothing was stored',
          '503': 'the engine cannot answer now',
        },
        async handler(req, res, caller) {
          const ref = scope.ref(req);
          const key = keyOf(req.params.key);
          const body = req.body as { value?: unknown } | undefined;
          if (body === null || typeof body !== 'object' || !('value' in body))
            throw new HttpError(400, 'the body must be {"value": <any JSON>}');
          const result = await engineCall(ctx.engine, (engine) => engine.writeContext?.(ref, key, body.value));
          if (!result.ok)
            return sendError(res, result.code === sdkErrors.code.CONTEXT_FULL ? 413 : 400, result.message);
          await recordAudit(ctx, {
            type: 'context-set',
            actor: caller?.name ?? 'unknown',
            detail: `set key "${key}" of ${describe(ref)}`,
          });
          res.json({ key, value: body.value });
        },
      },
      {
        method: 'DELETE',
        path: `${scope.path}/keys/:key`,
        role: 'deployer',
        summary: `Deletes a key of ${scope.name}.`,
        responses: {
          '204': 'deleted',
          '400': 'a malformed id or key',
          '404': 'no such key',
          '503': 'the engine cannot answer now',
        },
        async handler(req, res, caller) {
          const ref = scope.ref(req);
          const key = keyOf(req.params.key);
          const view = await engineCall(ctx.engine, (engine) => engine.readContext?.(ref));
          if (!view.entries.some((e) => e.key === key))
            return sendError(res, 404, `${describe(ref)} has no key "${key}"`);
          await engineCall(ctx.engine, (engine) => engine.writeContext?.(ref, key, undefined));
          await recordAudit(ctx, {
            type: 'context-deleted',
            actor: caller?.name ?? 'unknown',
            detail: `deleted key "${key}" of ${describe(ref)}`,
          });
          res.status(204).end();
        },
      },
    );
  }
  return routes;
}

/** Runs a context call on the engine; 503 in plain words when it has no context or cannot answer. */
async function engineCall<T>(engine: EngineApi, call: (engine: EngineApi) => Promise<T> | undefined): Promise<T> {
  let pending: Promise<T> | undefined;
  try {
    pending = call(engine);
    if (pending === undefined) throw new HttpError(503, 'this runtime keeps no flow state (context)');
    return await pending;
  } catch (err) {
    if (err instanceof EngineCallError)
      throw new HttpError(503, `the engine cannot answer now: ${err.message}`, { 'Retry-After': '2' });
    throw err;
  }
}

function idOf(raw: unknown, what: 'flow' | 'node'): string {
  const id = String(raw);
  if (!(what === 'node' ? NODE_ID : ID).test(id))
    throw new HttpError(400, `"${id}" is not a ${what} id: letters, digits, . _ - (starting with a letter or digit)`);
  return id;
}

function keyOf(raw: unknown): string {
  const key = String(raw);
  if (key === '' || key.length > MAX_KEY_CHARS)
    throw new HttpError(400, `a context key is 1 to ${MAX_KEY_CHARS} characters`);
  return key;
}

function describe(ref: ContextScopeRef): string {
  if (ref.scope === 'global') return 'the global context';
  if (ref.scope === 'flow') return `the context of flow "${ref.flowId}"`;
  return `the context of node "${ref.nodeId}" (flow "${ref.flowId}")`;
}
